import {
  type ClaimRequest,
  ClaimResponse,
  CompleteResponse,
  type EvaluationReport,
  type FailRequest,
  HeartbeatResponse,
  type Job,
  type LogRequest,
  PreviousResponse,
  type ProgressRequest,
  type RegisterRunnerRequest,
  RegisterRunnerResponse,
  ValidationAnswerResponse,
  type ValidationClaimRequest,
  ValidationClaimResponse,
  type ValidationFailRequest,
  type ValidationJob,
  type ValidationResultRequest,
} from '@trueboard/contracts';
import { abortableSleep, backoffDelay } from './backoff';
import {
  describeIssues,
  httpError,
  networkError,
  type Operation,
  type PlatformError,
  unexpected,
} from './platform-error';

export interface ClientOptions {
  /** retries after the first attempt for network errors and 5xx (never 4xx); default 3 */
  retries?: number;
  /** first backoff delay; doubled each retry up to maxDelayMs; default 250 */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** per-request timeout for short calls; default 30 s */
  timeoutMs?: number;
}

export type RegisterResponse = RegisterRunnerResponse;
type LogLine = LogRequest['lines'][number];

interface Call {
  operation: Operation;
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Typed HTTP client for the runner protocol; authenticates every request with the runner token. */
export class PlatformClient {
  readonly server: string;
  private readonly retries: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly timeoutMs: number;

  constructor(
    server: string,
    private readonly token: string,
    options: ClientOptions = {},
  ) {
    this.server = server.replace(/\/+$/, '');
    this.retries = options.retries ?? 3;
    this.baseDelayMs = options.baseDelayMs ?? 250;
    this.maxDelayMs = options.maxDelayMs ?? 5_000;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  async register(req: RegisterRunnerRequest): Promise<RegisterResponse> {
    const body = await this.json({ operation: 'register', method: 'POST', path: '/api/runner/register', body: req });
    const parsed = RegisterRunnerResponse.safeParse(body);
    if (!parsed.success) throw unexpected('register', describeIssues(parsed.error.issues));
    return parsed.data;
  }

  /** Long-polls for a job; null when none arrived within waitSeconds. */
  async claim(req: ClaimRequest, signal?: AbortSignal): Promise<Job | null> {
    const body = await this.json({
      operation: 'claim',
      method: 'POST',
      path: '/api/runner/claim',
      body: req,
      // the server may legitimately hold the request for waitSeconds
      timeoutMs: req.waitSeconds * 1000 + this.timeoutMs,
      signal,
    });
    const parsed = ClaimResponse.safeParse(body);
    if (!parsed.success) throw unexpected('claim', describeIssues(parsed.error.issues));
    return parsed.data.job;
  }

  /**
   * Renews the lease; `cancelled` says the owner cancelled the run. Throws a PlatformError with
   * status 409 when the lease is lost, 404 when the run is not this runner's.
   */
  async heartbeat(runId: string): Promise<HeartbeatResponse> {
    const body = await this.json({
      operation: 'heartbeat',
      method: 'POST',
      path: runPath(runId, 'heartbeat'),
      body: {},
    });
    const parsed = HeartbeatResponse.safeParse(body);
    if (!parsed.success) throw unexpected('heartbeat', describeIssues(parsed.error.issues));
    return parsed.data;
  }

  async progress(runId: string, req: ProgressRequest): Promise<void> {
    await this.json({ operation: 'progress', method: 'POST', path: runPath(runId, 'progress'), body: req });
  }

  async logs(runId: string, lines: LogLine[]): Promise<void> {
    await this.json({ operation: 'logs', method: 'POST', path: runPath(runId, 'logs'), body: { lines } });
  }

  async complete(runId: string, report: EvaluationReport): Promise<CompleteResponse> {
    const body = await this.json({
      operation: 'complete',
      method: 'POST',
      path: runPath(runId, 'complete'),
      body: { report },
    });
    const parsed = CompleteResponse.safeParse(body);
    if (!parsed.success) throw unexpected('complete', describeIssues(parsed.error.issues));
    return parsed.data;
  }

  async fail(runId: string, req: FailRequest): Promise<void> {
    await this.json({ operation: 'fail', method: 'POST', path: runPath(runId, 'fail'), body: req });
  }

  /** The previous result's per-example rows of a re-scoring run (see Job.incremental). */
  async previous(runId: string): Promise<PreviousResponse> {
    const body = await this.json({ operation: 'previous', method: 'GET', path: runPath(runId, 'previous') });
    const parsed = PreviousResponse.safeParse(body);
    if (!parsed.success) throw unexpected('previous', describeIssues(parsed.error.issues));
    return parsed.data;
  }

  /** Gives the job back to the queue without using up an attempt. */
  async release(runId: string): Promise<void> {
    await this.json({ operation: 'release', method: 'POST', path: runPath(runId, 'release'), body: {} });
  }

  /** Takes one pending correction check of the runner's families; null at once when there is none. */
  async claimValidation(req: ValidationClaimRequest, signal?: AbortSignal): Promise<ValidationJob | null> {
    const body = await this.json({
      operation: 'validation-claim',
      method: 'POST',
      path: '/api/runner/validations/claim',
      body: req,
      signal,
    });
    const parsed = ValidationClaimResponse.safeParse(body);
    if (!parsed.success) throw unexpected('validation-claim', describeIssues(parsed.error.issues));
    return parsed.data.validation;
  }

  /** Answers a check: what the family's validator found. 409 when the lease was lost, 404 when not this runner's. */
  async validationResult(id: string, req: ValidationResultRequest): Promise<ValidationAnswerResponse> {
    return this.validationAnswer('validation-result', id, 'result', req);
  }

  /** Reports a validator that threw: the attempt counts and the check goes back for another. */
  async validationFail(id: string, req: ValidationFailRequest): Promise<ValidationAnswerResponse> {
    return this.validationAnswer('validation-fail', id, 'fail', req);
  }

  private async validationAnswer(
    operation: Operation,
    id: string,
    action: string,
    req: unknown,
  ): Promise<ValidationAnswerResponse> {
    const body = await this.json({
      operation,
      method: 'POST',
      path: `/api/runner/validations/${encodeURIComponent(id)}/${action}`,
      body: req,
    });
    const parsed = ValidationAnswerResponse.safeParse(body);
    if (!parsed.success) throw unexpected(operation, describeIssues(parsed.error.issues));
    return parsed.data;
  }

  /** Streams the raw bytes of a content-addressed blob; the caller verifies the hash. */
  async blob(sha256: string, signal?: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    // no overall timeout: blobs can be large; undici's idle body timeout catches stalls
    const res = await this.send({
      operation: 'blob',
      method: 'GET',
      path: `/api/blobs/${sha256}`,
      timeoutMs: 0,
      signal,
    });
    if (!res.body) throw unexpected('blob', 'empty body');
    return res.body;
  }

  private async json(call: Call): Promise<unknown> {
    const res = await this.send(call);
    const text = await res.text();
    if (text === '') return {};
    try {
      return JSON.parse(text);
    } catch {
      throw unexpected(call.operation, `not JSON: ${text.slice(0, 200)}`);
    }
  }

  /** Sends with retries for network errors and 5xx; returns only a 2xx response. */
  private async send(call: Call): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      let error: PlatformError;
      try {
        const res = await this.fetchOnce(call);
        if (res.ok) return res;
        error = await httpError(call.operation, res);
      } catch (e) {
        if (call.signal?.aborted) throw call.signal.reason;
        error = networkError(call.operation, this.server, e);
      }
      if (!error.transient || attempt >= this.retries) throw error;
      await abortableSleep(backoffDelay(attempt, this.baseDelayMs, this.maxDelayMs), call.signal);
    }
  }

  private fetchOnce(call: Call): Promise<Response> {
    const timeoutMs = call.timeoutMs ?? this.timeoutMs;
    const signals: AbortSignal[] = [];
    if (call.signal) signals.push(call.signal);
    if (timeoutMs > 0) signals.push(AbortSignal.timeout(timeoutMs));
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    return fetch(`${this.server}${call.path}`, {
      method: call.method,
      headers,
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
      signal: signals.length > 0 ? AbortSignal.any(signals) : undefined,
    });
  }
}

function runPath(runId: string, action: string): string {
  return `/api/runner/runs/${encodeURIComponent(runId)}/${action}`;
}
