import { Family } from '@trueboard/contracts';
import PgBoss from 'pg-boss';

export interface QueueDb {
  executeSql(text: string, values: unknown[]): Promise<{ rows: unknown[] }>;
}

export const queueName = (family: Family) => `eval-${family}`;

export interface EvalJobData {
  runId: string;
}

/**
 * pg-boss on the platform's own Postgres. Jobs carry only a run id; the evaluation_runs row is
 * the source of truth. Every call takes the caller's transaction so the queue and our tables
 * change together.
 */
export class JobQueue {
  private constructor(private readonly boss: PgBoss) {}

  static async start(databaseUrl: string): Promise<JobQueue> {
    const boss = new PgBoss({
      connectionString: databaseUrl,
      schema: 'pgboss',
      max: 3,
      application_name: 'trueboard-queue',
      schedule: false,
    });
    boss.on('error', (err) => console.error(`queue: ${err.message}`));
    await boss.start();
    for (const f of Family.options) {
      if (!(await boss.getQueue(queueName(f)))) {
        await boss.createQueue(queueName(f)).catch(async (err) => {
          // another process created it between the check and the call
          if (!(await boss.getQueue(queueName(f)))) throw err;
        });
      }
    }
    return new JobQueue(boss);
  }

  async send(db: QueueDb, family: Family, data: EvalJobData): Promise<void> {
    // pg-boss retries are off: lease expiry and re-delivery are handled by our run attempts
    await this.boss.send(queueName(family), data, { db, retryLimit: 0, expireInHours: 23, retentionDays: 30 });
  }

  async fetch(db: QueueDb, family: Family): Promise<{ id: string; data: EvalJobData } | null> {
    const jobs = await this.boss.fetch<EvalJobData>(queueName(family), { batchSize: 1, db });
    const job = jobs[0];
    return job ? { id: job.id, data: job.data } : null;
  }

  async complete(db: QueueDb, family: Family, jobId: string): Promise<void> {
    await this.boss.complete(queueName(family), jobId, { db });
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: false, wait: true });
  }
}
