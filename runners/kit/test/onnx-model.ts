/*
 * A tiny ONNX model written byte by byte (protobuf wire format, field numbers from onnx.proto3), so
 * the tests need nothing but onnxruntime-node: z = x * y + x over float[3].
 */
const utf8 = (s: string) => [...new TextEncoder().encode(s)];
function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}
/** A varint field (wire type 0). */
const num = (field: number, value: number) => [...varint(field << 3), ...varint(value)];
/** A length-delimited field (wire type 2): a string or an embedded message. */
const bytes = (field: number, payload: number[]) => [
  ...varint((field << 3) | 2),
  ...varint(payload.length),
  ...payload,
];
const text = (field: number, s: string) => bytes(field, utf8(s));

const FLOAT = 1; // TensorProto.DataType
/** ValueInfoProto { name = 1, type = 2 { tensor_type = 1 { elem_type = 1, shape = 2 { dim = 1 { dim_value = 1 } } } } } */
const floatVector = (name: string, length: number) => [
  ...text(1, name),
  ...bytes(2, bytes(1, [...num(1, FLOAT), ...bytes(2, bytes(1, num(1, length)))])),
];
/** NodeProto { input = 1, output = 2, name = 3, op_type = 4 } */
const node = (op: string, inputs: string[], output: string) => [
  ...inputs.flatMap((i) => text(1, i)),
  ...text(2, output),
  ...text(3, `${op.toLowerCase()}_${output}`),
  ...text(4, op),
];
/** ModelProto { ir_version = 1, producer_name = 2, graph = 7, opset_import = 8 { domain = 1, version = 2 } } */
export const MUL_ADD_MODEL = Uint8Array.from([
  ...num(1, 7),
  ...text(2, 'trueboard-kit-test'),
  ...bytes(7, [
    ...bytes(1, node('Mul', ['x', 'y'], 't')),
    ...bytes(1, node('Add', ['t', 'x'], 'z')),
    ...text(2, 'mul_add'),
    ...bytes(11, floatVector('x', 3)),
    ...bytes(11, floatVector('y', 3)),
    ...bytes(12, floatVector('z', 3)),
  ]),
  ...bytes(8, [...text(1, ''), ...num(2, 13)]),
]);
