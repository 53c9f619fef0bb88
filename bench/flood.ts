import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freePort } from '@trueboard/db/embedded';

/*
 * `npm run bench -- flood`: a real `trueboard start --no-web` in its own process, probed on
 * /api/health while idle (the baseline, same run) and while workers flood it with what an
 * anonymous attacker can send: 300 MB sign-in bodies (announced, and streamed without a length),
 * batches of 1,000 sign-in calls, and deeply nested JSON. Prints health latency under flood vs
 * idle, and the server's RSS before, at its peak and after.
 */

const BIN = fileURLToPath(new URL('../packages/cli/src/bin.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 16);

const rssMiB = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
};

function percentile(xs: number[], q: number) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
}

/** One raw HTTP request; resolves with the status (0 when the server closed the connection first). */
function send(
  port: number,
  path: string,
  headers: Record<string, string>,
  body: (write: (b: Buffer) => boolean, closed: () => boolean) => void,
) {
  return new Promise<number>((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers });
    req.setTimeout(30_000, () => req.destroy());
    req.on('close', () => resolve(0));
    req.on('response', (res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      req.destroy();
    });
    req.on('error', () => resolve(0));
    body(
      (b) => req.write(b),
      () => req.destroyed,
    );
  });
}

const MB = 1024 * 1024;
const attacks: Record<string, (port: number) => Promise<number>> = {
  // 300 MB announced: refused from the header
  announced: (port) =>
    send(
      port,
      '/api/trpc/auth.signIn',
      { 'content-type': 'application/json', 'content-length': String(300 * MB) },
      (w) => w(Buffer.alloc(MB, 0x20)),
    ),
  // 300 MB streamed without a length: refused after 1 MiB
  streamed: (port) =>
    send(
      port,
      '/api/trpc/auth.signIn',
      { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      (w, closed) => {
        const chunk = Buffer.alloc(256 * 1024, 0x20);
        let sent = 0;
        const pump = () => {
          while (sent < 300 * MB) {
            sent += chunk.length;
            const more = w(chunk);
            if (closed()) return;
            if (!more) return void setTimeout(pump, 1);
          }
        };
        pump();
      },
    ),
  // 1,000 password guesses in one batch
  batched: (port) => {
    const paths = Array.from({ length: 1000 }, () => 'auth.signIn').join(',');
    const input = JSON.stringify(
      Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [i, { email: 'a@b.c', password: `guess${i}` }])),
    );
    return send(
      port,
      `/api/trpc/${paths}?batch=1`,
      { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(input)) },
      (w) => w(Buffer.from(input)),
    );
  },
  // a 500 KB body nested 250,000 deep
  nested: (port) => {
    const body = `{"email":${'['.repeat(250_000)}${']'.repeat(250_000)}}`;
    return send(
      port,
      '/api/trpc/auth.signIn',
      { 'content-type': 'application/json', 'content-length': String(body.length) },
      (w) => w(Buffer.from(body)),
    );
  },
};

async function healthLatencies(port: number, until: number) {
  const out: number[] = [];
  while (Date.now() < until) {
    const t = performance.now();
    const res = await fetch(`http://127.0.0.1:${port}/api/health`);
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`/api/health answered ${res.status}`);
    out.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 20));
  }
  return out;
}

async function waitHealthy(port: number, child: ChildProcess) {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error('trueboard start exited');
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/health`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('trueboard start did not become healthy');
}

export async function main() {
  const dataDir = await mkdtemp(join(tmpdir(), 'tb-bench-flood-'));
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', TSX, BIN, 'start', '--no-web', '--no-import', '--runners', '0', '--port', String(port)],
    { env: { ...process.env, DATABASE_URL: '', TRUEBOARD_DATA_DIR: dataDir }, stdio: 'ignore' },
  );
  const pid = child.pid ?? 0;
  try {
    await waitHealthy(port, child);
    await healthLatencies(port, Date.now() + 2000); // warm up
    const rssBefore = rssMiB(pid);
    const idle = await healthLatencies(port, Date.now() + SECONDS * 1000);

    const until = Date.now() + SECONDS * 1000;
    const counts: Record<string, Record<number, number>> = {};
    let peak = rssBefore;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssMiB(pid));
    }, 100);
    const names = Object.keys(attacks);
    const workers = Array.from({ length: WORKERS }, async (_, i) => {
      const name = names[i % names.length] ?? 'announced';
      const attack = attacks[name];
      if (!attack) return;
      while (Date.now() < until) {
        const status = await attack(port);
        const c = counts[name] ?? {};
        c[status] = (c[status] ?? 0) + 1;
        counts[name] = c;
      }
    });
    const flooded = await healthLatencies(port, until);
    await Promise.all(workers);
    clearInterval(sampler);
    await new Promise((r) => setTimeout(r, 2000));
    const rssAfter = rssMiB(pid);

    const row = (label: string, xs: number[]) =>
      `| ${label.padEnd(28)} | ${percentile(xs, 0.5).toFixed(1).padStart(6)} ms | ${percentile(xs, 0.95).toFixed(1).padStart(6)} ms | ${percentile(xs, 1).toFixed(1).padStart(6)} ms | ${String(xs.length).padStart(5)} |`;
    process.stdout.write(
      [
        `flood bench: ${WORKERS} attacking connections for ${SECONDS} s against trueboard start --no-web (pid ${pid})`,
        '',
        '| /api/health                  |    p50    |    p95    |    max    |     n |',
        '| ---------------------------- | --------- | --------- | --------- | ----- |',
        row('idle (baseline)', idle),
        row('under flood', flooded),
        '',
        `health p95 under flood vs idle: ${(percentile(flooded, 0.95) / percentile(idle, 0.95)).toFixed(2)}×`,
        `server RSS: ${rssBefore.toFixed(0)} MiB before, ${peak.toFixed(0)} MiB peak, ${rssAfter.toFixed(0)} MiB after (peak/before ${(peak / rssBefore).toFixed(2)}×)`,
        `responses by attack (status: count; 0 = connection closed before a response): ${JSON.stringify(counts)}`,
        '',
      ].join('\n'),
    );
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await rm(dataDir, { recursive: true, force: true });
  }
}
