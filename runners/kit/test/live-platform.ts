/**
 * The real platform for the kit's tests: the api's fetch handler over a fresh embedded-Postgres
 * database (testkit), served on a loopback port that a test can take down and bring back, with the
 * toy benchmark, a submitting team, two runner tokens and helpers that read and change its state.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHandler, type FetchHandler, serve } from '@trueboard/api';
import type { Evaluator, Job } from '@trueboard/contracts';
import { type Config, cancelSubmission, createRunnerToken, type Platform, submit } from '@trueboard/core';
import { evaluationRuns, results, runLogs, runners, submissions } from '@trueboard/db';
import { goodPredictions, testPlatform, toyScenario, trpcHttp } from '@trueboard/testkit';
import { asc, eq, inArray, sql } from 'drizzle-orm';
import { Runner, type RunnerEvent, type RunnerOptions } from '../src/index';

/**
 * The platform's HTTP server on a fixed port, so a test can stop it and start it again (a restart).
 * It counts the requests its handler is still working on, whether or not their caller still waits
 * (see `idle`), and can hold some back before handling them (see `delay`).
 */
export class PlatformServer {
  private server: Server | undefined;
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly delays: { path: RegExp; ms: number }[] = [];
  private readonly handler: FetchHandler;

  private constructor(
    inner: FetchHandler,
    private boundPort: number,
  ) {
    this.handler = async (req) => {
      this.inFlight++;
      try {
        const ms = this.delays.find((d) => d.path.test(new URL(req.url).pathname))?.ms ?? 0;
        if (ms > 0) await new Promise((r) => setTimeout(r, ms));
        return await inner(req);
      } finally {
        if (--this.inFlight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
      }
    };
  }

  static async start(p: Platform, port = 0): Promise<PlatformServer> {
    const s = new PlatformServer(
      createHandler(() => Promise.resolve(p)),
      port,
    );
    await s.up();
    return s;
  }

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Stops listening at once (new connections are refused) and cuts the open ones. */
  down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return Promise.resolve();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    return closed;
  }

  /** Listens again on the same port (the first time, on the one given or any free one). */
  async up(): Promise<void> {
    if (this.server) return;
    this.server = await serve(this.handler, this.boundPort);
    this.boundPort = (this.server.address() as AddressInfo).port;
  }

  /**
   * Resolves once the handler is working on no request. A caller that hung up does not end its
   * request here: the platform may still be carrying it out (a stopped runner's last claim, say).
   */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Holds requests whose path matches for `ms` before handling them, until the returned function is called. */
  delay(path: RegExp, ms: number): () => void {
    const d = { path, ms };
    this.delays.push(d);
    return () => {
      const at = this.delays.indexOf(d);
      if (at >= 0) this.delays.splice(at, 1);
    };
  }
}

/** Collects a runner's events and lets a test wait for one instead of sleeping. */
export class EventLog {
  readonly all: RunnerEvent[] = [];
  private waiters: { match: (e: RunnerEvent) => boolean; resolve: (e: RunnerEvent) => void }[] = [];

  push = (e: RunnerEvent): void => {
    this.all.push(e);
    for (const w of [...this.waiters]) {
      if (!w.match(e)) continue;
      this.waiters.splice(this.waiters.indexOf(w), 1);
      w.resolve(e);
    }
  };

  /** The first event (already seen or still to come) that matches. */
  waitFor<T extends RunnerEvent>(match: (e: RunnerEvent) => e is T): Promise<T>;
  waitFor(match: (e: RunnerEvent) => boolean): Promise<RunnerEvent>;
  waitFor(match: (e: RunnerEvent) => boolean): Promise<RunnerEvent> {
    const seen = this.all.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  finished(runId: string) {
    return this.waitFor(
      (e): e is Extract<RunnerEvent, { type: 'job-finished' }> => e.type === 'job-finished' && e.runId === runId,
    );
  }

  started() {
    return this.waitFor((e): e is Extract<RunnerEvent, { type: 'job-started' }> => e.type === 'job-started');
  }

  /** The first warning whose message matches. */
  warning(pattern: RegExp) {
    return this.waitFor(
      (e): e is Extract<RunnerEvent, { type: 'warning' }> => e.type === 'warning' && pattern.test(e.message),
    );
  }

  warnings(): string[] {
    return this.all.flatMap((e) => (e.type === 'warning' ? [e.message] : []));
  }

  outcomes(): string[] {
    return this.all.flatMap((e) => (e.type === 'job-finished' ? [e.outcome] : []));
  }
}

export type Live = Awaited<ReturnType<typeof livePlatform>>;

/**
 * A served platform with the toy benchmark (no daily quota in the way), the team `acme`, a runner
 * token and a second runner token of another machine. Leases last 60 s unless overridden: tests
 * end a lease by writing `lease_expires_at`, never by waiting for it.
 */
export async function livePlatform(overrides: Partial<Config> = {}) {
  return servePlatform(await testPlatform({ ...LIVE_CONFIG, ...overrides }));
}

/** Leases of a minute (tests end them by writing the row), and no quota in the way. */
export const LIVE_CONFIG: Partial<Config> = {
  leaseSeconds: 60,
  dailyQuota: 1000,
  userDaily: { submissions: 1000, bytes: 100 * 1024 ** 2, teams: 5 },
};

/** Serves a platform (see livePlatform) after adding the cast. */
export async function servePlatform(p: Platform) {
  const cast = await toyScenario(p);
  await p.db.execute(sql`update benchmarks set daily_quota = null where id = 'toy-qa'`);
  const otherToken = await createRunnerToken(p, cast.admin.actor, { name: 'another machine' });
  const server = await PlatformServer.start(p);
  const started: Runner[] = [];
  const dirs: string[] = [];

  const live = {
    p,
    cast,
    server,
    get url() {
      return server.url;
    },
    runnerToken: cast.runnerToken.secret,
    otherRunnerToken: otherToken.secret,

    /** Submits toy predictions as acme's owner; returns the submission id. */
    async submit(predictions: Uint8Array = goodPredictions()): Promise<string> {
      const s = await submit(p, cast.acme.owner.actor, { benchmark: 'toy-qa', method: cast.method.id }, predictions);
      return s.id;
    },

    /** Cancels as the owner would: the tRPC mutation over HTTP. */
    cancel(submissionId: string) {
      return trpcHttp<{ id: string; state: string }>(
        server.url,
        'submissions.cancel',
        { id: submissionId },
        { token: cast.ownerToken.secret, mutation: true },
      );
    },

    async submission(id: string) {
      const [row] = await p.db.select().from(submissions).where(eq(submissions.id, id));
      if (!row) throw new Error(`no submission ${id}`);
      return row;
    },

    /** Every run of a submission, first attempt first. */
    runs(submissionId: string) {
      return p.db
        .select()
        .from(evaluationRuns)
        .where(eq(evaluationRuns.submissionId, submissionId))
        .orderBy(asc(evaluationRuns.attempt));
    },

    async run(runId: string) {
      const [row] = await p.db.select().from(evaluationRuns).where(eq(evaluationRuns.id, runId));
      if (!row) throw new Error(`no run ${runId}`);
      return row;
    },

    results(submissionId: string) {
      return p.db.select().from(results).where(eq(results.submissionId, submissionId));
    },

    async logs(runId: string) {
      const rows = await p.db.select().from(runLogs).where(eq(runLogs.runId, runId)).orderBy(asc(runLogs.id));
      return rows.map((l) => ({ level: l.level, message: l.message }));
    },

    async runnerRow(runnerId: string) {
      const [row] = await p.db.select().from(runners).where(eq(runners.id, runnerId));
      if (!row) throw new Error(`no runner ${runnerId}`);
      return row;
    },

    /** Ends a lease now, as if its time had run out. */
    async expireLease(runId: string) {
      await p.db.execute(
        sql`update evaluation_runs set lease_expires_at = now() - interval '1 second' where id = ${runId}`,
      );
    },

    async cacheDir(): Promise<string> {
      const dir = await mkdtemp(path.join(tmpdir(), 'kit-cache-'));
      dirs.push(dir);
      return dir;
    },

    /** A runner on this platform with fast retries, collecting its events. */
    async runner(evaluator: Evaluator, extra: Partial<RunnerOptions> = {}) {
      const events = new EventLog();
      const runner = new Runner({
        server: server.url,
        token: cast.runnerToken.secret,
        device: 'cpu',
        evaluators: { text2sql: evaluator },
        cacheDir: await live.cacheDir(),
        hostname: 'test-box',
        waitSeconds: 1,
        client: { baseDelayMs: 1, maxDelayMs: 5 },
        onEvent: events.push,
        ...extra,
      });
      started.push(runner);
      return { runner, events };
    },

    /**
     * Stops this test's runners, waits for the platform to finish their last requests, and cancels
     * whatever the test left queued or running, so the next test's runner cannot pick it up.
     */
    async reset() {
      await Promise.all(started.splice(0).map((r) => r.stop({ graceful: false })));
      await server.up();
      // what the stopped runners asked last is carried out before the next test begins
      await server.idle();
      const open = await p.db
        .select({ id: submissions.id })
        .from(submissions)
        .where(inArray(submissions.state, ['submitted', 'queued', 'running']));
      for (const s of open) await cancelSubmission(p, cast.acme.owner.actor, s.id);
    },

    async close() {
      await live.reset();
      await server.down();
      await p.close();
      await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
    },
  };
  return live;
}

/** The job a runner started, as it reported it. */
export async function startedJob(events: EventLog): Promise<Job> {
  return (await events.started()).job;
}
