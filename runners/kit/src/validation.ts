import type { CorrectionValidation, CorrectionValidator, Family, ValidationJob } from '@trueboard/contracts';
import { abortableSleep, backoffDelay, raceAbort } from './backoff';
import type { ContentCache } from './cache';
import type { PlatformClient } from './client';
import type { RunnerEvent } from './events';
import { describeIssues, isRecord, refusesRun } from './platform-error';

/** Makes a family's checker of proposed corrections (a FamilyModule's `correctionValidator`). */
export type ValidatorFactory = () => Promise<CorrectionValidator>;

export interface ValidationDeps {
  client: PlatformClient;
  cache: ContentCache;
  /** the families to check proposals of, each with its validator's factory */
  factories: Partial<Record<Family, ValidatorFactory>>;
  /** wait between polls that found nothing */
  pollMs: number;
  /** first delay after a failed poll; doubles up to 30 s */
  reconnectDelayMs: number;
  emit(e: RunnerEvent): void;
}

const MESSAGE_MAX = 4000;
const clip = (s: string) => (s.length > MESSAGE_MAX ? `${s.slice(0, MESSAGE_MAX - 1)}…` : s);

/**
 * Checks proposed corrections beside the runner's evaluations: it polls the platform for a pending
 * check of its families (a cheap query that never waits), fetches the dataset files the validator
 * asks for through the cache, and answers what the family's validator found. It runs on its own
 * loop so a long evaluation neither delays checks nor is delayed by them. A validator that throws is
 * reported as a failed attempt (the platform retries a few times), never as an invalid proposal.
 */
export class ValidationWorker {
  private readonly families: Family[];
  private readonly validators = new Map<Family, Promise<CorrectionValidator>>();
  private readonly stopController = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(private readonly deps: ValidationDeps) {
    this.families = (Object.keys(deps.factories) as Family[]).filter((f) => deps.factories[f] !== undefined);
  }

  get active(): boolean {
    return this.families.length > 0;
  }

  start(runnerId: string): void {
    if (this.active) this.loop ??= this.run(runnerId);
  }

  /** Stops polling; a check in progress is dropped (its lease runs out and another runner takes it). */
  async stop(): Promise<void> {
    this.stopController.abort(new Error('runner stopping'));
    await this.loop;
    const made = [...this.validators.values()];
    this.validators.clear();
    for (const v of made) await v.then((x) => x.close?.()).catch(() => {});
  }

  private async run(runnerId: string): Promise<void> {
    const signal = this.stopController.signal;
    let failures = 0;
    while (!signal.aborted) {
      let job: ValidationJob | null;
      try {
        job = await this.deps.client.claimValidation({ runnerId, families: this.families }, signal);
        failures = 0;
      } catch (e) {
        if (signal.aborted) break;
        const delay = backoffDelay(failures++, this.deps.reconnectDelayMs, 30_000);
        // one warning per outage: the claim loop reports the platform's state as well
        if (failures === 1) {
          const why = e instanceof Error ? e.message : String(e);
          this.deps.emit({ type: 'warning', message: `correction checks: ${why}; retrying` });
        }
        await abortableSleep(delay, signal).catch(() => {});
        continue;
      }
      if (job) await this.validate(job, signal);
      else await abortableSleep(this.deps.pollMs, signal).catch(() => {});
    }
  }

  private validatorFor(family: Family): Promise<CorrectionValidator> {
    let v = this.validators.get(family);
    if (!v) {
      const make = this.deps.factories[family];
      v = make ? make() : Promise.reject(new Error(`no correction validator for family ${family}`));
      // a factory that failed is tried again on the next check
      v.catch(() => this.validators.delete(family));
      this.validators.set(family, v);
    }
    return v;
  }

  /** Checks one proposal and answers; only the platform's refusal of the answer is not retried. */
  private async validate(job: ValidationJob, signal: AbortSignal): Promise<void> {
    const { client, cache } = this.deps;
    const lease = cache.lease();
    const byPath = new Map(job.files.map((f) => [f.path, f]));
    let found: CorrectionValidation;
    try {
      const validator = await this.validatorFor(job.family);
      const raw: unknown = await raceAbort(
        validator.validate({
          example: job.example,
          fields: job.fields,
          file: async (path) => {
            const f = byPath.get(path);
            return f ? cache.fetchBlob(f.sha256, signal, lease) : null;
          },
        }),
        signal,
      );
      found = checkValidation(raw, job.family);
    } catch (e) {
      await lease.release();
      // stopping: the lease runs out and the check goes to another runner
      if (signal.aborted) return;
      const message = clip(e instanceof Error ? e.message : String(e));
      await this.answer(job, 'failed', message, () => client.validationFail(job.id, { attempt: job.attempt, message }));
      return;
    }
    await lease.release();
    const message = found.message === undefined ? undefined : clip(found.message);
    await this.answer(job, found.ok ? 'valid' : 'invalid', message, () =>
      client.validationResult(job.id, { attempt: job.attempt, ok: found.ok, message, details: found.details }),
    );
  }

  private async answer(
    job: ValidationJob,
    outcome: 'valid' | 'invalid' | 'failed',
    message: string | undefined,
    send: () => Promise<unknown>,
  ): Promise<void> {
    try {
      await send();
      this.deps.emit({ type: 'validation-finished', id: job.id, outcome, ...(message ? { message } : {}) });
    } catch (e) {
      // refused: another runner holds it now (or it was answered); anything else: its lease runs out
      const why = e instanceof Error ? e.message : String(e);
      this.deps.emit({
        type: 'validation-finished',
        id: job.id,
        outcome: refusesRun(e) ? 'lease-lost' : 'failed',
        message: why,
      });
    }
  }
}

/** What a validator returned, checked: a malformed answer is the validator's bug, so a failed attempt. */
function checkValidation(raw: unknown, family: Family): CorrectionValidation {
  const issues: { path: string[]; message: string }[] = [];
  if (!isRecord(raw)) throw new Error(`the ${family} correction validator returned no object`);
  if (typeof raw.ok !== 'boolean') issues.push({ path: ['ok'], message: 'expected a boolean' });
  if (raw.message !== undefined && typeof raw.message !== 'string')
    issues.push({ path: ['message'], message: 'expected a string' });
  if (raw.details !== undefined && !isRecord(raw.details))
    issues.push({ path: ['details'], message: 'expected an object' });
  if (issues.length)
    throw new Error(`the ${family} correction validator returned an invalid answer: ${describeIssues(issues)}`);
  return {
    ok: raw.ok as boolean,
    ...(typeof raw.message === 'string' ? { message: raw.message } : {}),
    details: isRecord(raw.details) ? raw.details : {},
  };
}
