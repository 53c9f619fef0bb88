/**
 * An in-memory implementation of the runner protocol over real HTTP. The platform is a boundary the
 * kit does not own; the platform's own integration tests run the kit against the real server.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import {
  ClaimRequest,
  CompleteRequest,
  type EvaluationReport,
  FailRequest,
  type Job,
  LogRequest,
  ProgressRequest,
  RegisterRunnerRequest,
} from '@trueboard/contracts';

export interface RunRecord {
  job: Job;
  heartbeats: number;
  progress: ProgressRequest[];
  logs: LogRequest['lines'];
  logRequests: number;
  completes: EvaluationReport[];
  fails: FailRequest[];
  releases: number;
}

type Reply = { status: number; body: unknown };

export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export class FakePlatform {
  readonly token = 'runner-secret';
  readonly blobs = new Map<string, Buffer>();
  readonly runs = new Map<string, RunRecord>();
  readonly requests: string[] = [];
  readonly badRequests: string[] = [];
  readonly registrations: RegisterRunnerRequest[] = [];
  /** answers heartbeats; default keeps the lease */
  heartbeat: (runId: string) => Reply = () => ({
    status: 200,
    body: { leaseExpiresAt: new Date(Date.now() + 60_000).toISOString(), cancelled: false },
  });
  /** the next N requests whose path starts with the key get a 503 */
  readonly failNext = new Map<string, number>();
  /** replaces the claim response body (to test response validation) */
  claimOverride: unknown;
  private readonly queue: Job[] = [];
  private readonly waiters: Array<(job: Job) => boolean> = [];
  private readonly server: Server = createServer((req, res) => {
    this.handle(req, res).catch((e: unknown) => send(res, { status: 500, body: error('internal', String(e)) }));
  });

  async listen(port = 0): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    return this.url;
  }

  get url(): string {
    const addr = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${addr.port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  addBlob(bytes: Buffer | string, hash = sha256(bytes)): string {
    this.blobs.set(hash, Buffer.from(bytes));
    return hash;
  }

  /** Builds a job whose dataset holds `files` and whose artifact is `artifact`, and queues it. */
  enqueue(files: Record<string, string>, artifact: string, overrides: Partial<Job> = {}): Job {
    const list = Object.entries(files).map(([path, content]) => ({
      path,
      sha256: this.addBlob(content),
      size: Buffer.byteLength(content),
    }));
    const contentHash = sha256(list.map((f) => `${f.path}\0${f.sha256}`).join('\n'));
    const job: Job = {
      runId: randomUUID(),
      submissionId: randomUUID(),
      attempt: 1,
      family: 'text2sql',
      dataset: { benchmark: 'tiny-sql', version: 1, contentHash, files: list, evaluator: {} },
      artifact: { sha256: this.addBlob(artifact), size: Buffer.byteLength(artifact), mediaType: 'text/plain' },
      leaseSeconds: 30,
      leaseExpiresAt: new Date(Date.now() + 30_000).toISOString(),
      seed: 7,
      ...overrides,
    };
    this.push(job);
    return job;
  }

  push(job: Job): void {
    while (this.waiters.length > 0) {
      const waiter = this.waiters.shift();
      if (waiter?.(job)) return;
    }
    this.queue.push(job);
  }

  run(runId: string): RunRecord {
    const r = this.runs.get(runId);
    if (!r) throw new Error(`run ${runId} was never claimed`);
    return r;
  }

  count(prefix: string): number {
    return this.requests.filter((r) => r.startsWith(prefix)).length;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const key = `${req.method} ${url}`;
    this.requests.push(key);
    for (const [prefix, n] of this.failNext) {
      if (n > 0 && key.startsWith(prefix)) {
        this.failNext.set(prefix, n - 1);
        return send(res, { status: 503, body: error('unavailable', 'try again later') });
      }
    }
    if (req.headers.authorization !== `Bearer ${this.token}`) {
      return send(res, { status: 401, body: error('unauthorized', 'invalid runner token') });
    }
    const blob = /^\/api\/blobs\/([0-9a-f]{64})$/.exec(url);
    if (req.method === 'GET' && blob?.[1]) {
      const bytes = this.blobs.get(blob[1]);
      if (!bytes) return send(res, { status: 404, body: error('not_found', 'no such blob') });
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(bytes);
      return;
    }
    const body = await readJson(req);
    if (url === '/api/runner/register') return send(res, this.register(body));
    if (url === '/api/runner/claim') return send(res, await this.claim(body, res));
    const m = /^\/api\/runner\/runs\/([^/]+)\/(\w+)$/.exec(url);
    const run = m?.[1] ? this.runs.get(m[1]) : undefined;
    if (!m?.[2] || !run) return send(res, { status: 404, body: error('not_found', `no route ${key}`) });
    send(res, this.runAction(run, m[2], body, key));
  }

  private register(body: unknown): Reply {
    const parsed = RegisterRunnerRequest.safeParse(body);
    if (!parsed.success) return this.bad('register');
    this.registrations.push(parsed.data);
    return { status: 200, body: { runnerId: randomUUID() } };
  }

  private async claim(body: unknown, res: ServerResponse): Promise<Reply> {
    const parsed = ClaimRequest.safeParse(body);
    if (!parsed.success) return this.bad('claim');
    if (this.claimOverride !== undefined) return { status: 200, body: this.claimOverride };
    const job =
      this.queue.shift() ??
      (await new Promise<Job | null>((resolve) => {
        const timer = setTimeout(() => settle(null), parsed.data.waitSeconds * 1000);
        const settle = (j: Job | null) => {
          clearTimeout(timer);
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          resolve(j);
        };
        // a job is only handed to a client that is still listening
        const waiter = (j: Job) => {
          if (res.destroyed || res.socket?.destroyed) return false;
          settle(j);
          return true;
        };
        this.waiters.push(waiter);
        res.on('close', () => settle(null));
      }));
    if (job) this.runs.set(job.runId, emptyRun(job));
    return { status: 200, body: { job } };
  }

  private runAction(run: RunRecord, action: string, body: unknown, key: string): Reply {
    const ok = { status: 200, body: {} };
    switch (action) {
      case 'heartbeat':
        run.heartbeats++;
        return this.heartbeat(run.job.runId);
      case 'progress': {
        const p = ProgressRequest.safeParse(body);
        if (!p.success) return this.bad(key);
        run.progress.push(p.data);
        return ok;
      }
      case 'logs': {
        const p = LogRequest.safeParse(body);
        if (!p.success) return this.bad(key);
        run.logRequests++;
        run.logs.push(...p.data.lines);
        return ok;
      }
      case 'complete': {
        const p = CompleteRequest.safeParse(body);
        if (!p.success) return this.bad(key);
        run.completes.push(p.data.report);
        return { status: 200, body: { resultId: randomUUID(), duplicate: run.completes.length > 1 } };
      }
      case 'fail': {
        const p = FailRequest.safeParse(body);
        if (!p.success) return this.bad(key);
        run.fails.push(p.data);
        return ok;
      }
      case 'release':
        run.releases++;
        return ok;
      default:
        return { status: 404, body: error('not_found', `no action ${action}`) };
    }
  }

  private bad(what: string): Reply {
    this.badRequests.push(what);
    return { status: 400, body: error('bad_request', `invalid ${what} body`) };
  }
}

function emptyRun(job: Job): RunRecord {
  return { job, heartbeats: 0, progress: [], logs: [], logRequests: 0, completes: [], fails: [], releases: 0 };
}

function error(code: string, message: string) {
  return { error: { code, message } };
}

function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed) return;
  res.writeHead(reply.status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(reply.body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? undefined : JSON.parse(text);
}

/** Polls until `check` holds; tests use it instead of sleeping for a guessed time. */
export async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A port nothing listens on (it was free a moment ago). */
export async function freePort(): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const address = srv.address();
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
