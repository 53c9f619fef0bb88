import { serveTestPlatform, type TestPlatform, testPlatform } from '@trueboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * Every API answer names its request (issue 10 §5): "internal error (request id unknown)" could
 * not be reported. The id is in the `x-request-id` header of every response and in error bodies;
 * a caller's own id is kept only when it is a plain token, so no free text reaches the logs.
 */

let p: TestPlatform;
let srv: Awaited<ReturnType<typeof serveTestPlatform>>;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

beforeAll(async () => {
  p = await testPlatform();
  srv = await serveTestPlatform(p);
});

afterAll(async () => {
  await srv.close();
  await p.close();
});

describe('request ids', () => {
  it('are on REST errors, tRPC errors, limit errors, unknown routes and successes alike', async () => {
    const answers = await Promise.all([
      fetch(`${srv.baseUrl}/api/blobs/${'0'.repeat(64)}`), // 401
      fetch(`${srv.baseUrl}/api/trpc/submissions.get?input=${encodeURIComponent('{"id":"x"}')}`), // 400
      fetch(`${srv.baseUrl}/api/trpc/${Array(11).fill('benchmarks.list').join(',')}?batch=1&input={}`), // 400
      fetch(`${srv.baseUrl}/api/nothing-here`), // 404
      fetch(`${srv.baseUrl}/api/health`), // 200
    ]);
    const ids = answers.map((r) => r.headers.get('x-request-id') ?? '');
    for (const id of ids) expect(id).toMatch(UUID);
    expect(new Set(ids).size).toBe(ids.length);
    expect(answers.map((r) => r.status)).toEqual([401, 400, 400, 404, 200]);
    const rest = (await answers[0]?.json()) as { error: { requestId: string } };
    expect(rest.error.requestId).toBe(ids[0]);
    const trpc = (await answers[1]?.json()) as { error: { data: { requestId: string } } };
    expect(trpc.error.data.requestId).toBe(ids[1]);
    const batch = (await answers[2]?.json()) as { error: { data: { requestId: string } } }[];
    expect(batch[0]?.error.data.requestId).toBe(ids[2]);
    const none = (await answers[3]?.json()) as { error: { requestId: string } };
    expect(none.error.requestId).toBe(ids[3]);
  });

  it("keeps a proxy's plain id and replaces one that is free text", async () => {
    const kept = await fetch(`${srv.baseUrl}/api/health`, { headers: { 'x-request-id': 'edge-7f3a9c21' } });
    expect(kept.headers.get('x-request-id')).toBe('edge-7f3a9c21');
    const replaced = await fetch(`${srv.baseUrl}/api/health`, {
      headers: { 'x-request-id': 'x"><script>alert(1)</script> forged log line' },
    });
    expect(replaced.headers.get('x-request-id')).toMatch(UUID);
  });
});
