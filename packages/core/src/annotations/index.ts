import { birdCodec } from './bird';
import type { AnnotationCodec } from './codec';
import { spiderCodec } from './spider';

export * from './codec';
export { arrayElementSpans, JsonShapeError } from './json-spans';

/** Annotation layouts by family; the re-ranking (qrels) and LoRA (labels) families add theirs. */
const CODECS: Record<string, AnnotationCodec[]> = { text2sql: [spiderCodec, birdCodec], rerank: [], lora: [] };

/** The codec for a dataset's files, or null when its layout has none yet. */
export function codecFor(family: string, paths: readonly string[]): { codec: AnnotationCodec; files: string[] } | null {
  for (const codec of CODECS[family] ?? []) {
    const files = codec.files(paths);
    if (files) return { codec, files };
  }
  return null;
}

export { birdCodec, spiderCodec };
