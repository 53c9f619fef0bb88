import { sql } from 'drizzle-orm';
import type { RunnerActor } from './actor';
import { runnerMayReadValidationBlob } from './correction-validation-jobs';
import type { Platform } from './platform';

/**
 * Whether a runner may read a blob: only the artifact, the dataset-version files and the benchmark's
 * manifest `assets` of a run whose lease its token holds right now. A runner token is a machine
 * credential, so it must not open private artifacts (or anything else in the store) beyond the job
 * in hand. A correction check it holds opens the files of its dataset version the same way.
 */
export async function runnerMayReadBlob(p: Platform, r: RunnerActor, sha256: string): Promise<boolean> {
  const rows = await p.db.execute<{ ok: number }>(sql`
    select 1 as ok
    from evaluation_runs er
    join runners ru on ru.id = er.runner_id
    join submissions s on s.id = er.submission_id
    join dataset_versions dv on dv.id = er.dataset_version_id
    where ru.token_id = ${r.tokenId}
      and er.state = 'running'
      and er.lease_expires_at > now()
      and (s.artifact_sha256 = ${sha256}
        or dv.files @> jsonb_build_array(jsonb_build_object('sha256', ${sha256}::text))
        or exists (
          select 1 from benchmarks b
          where b.id = s.benchmark_id
            and jsonb_path_exists(b.manifest, '$.assets.* ? (@.sha256 == $h)', jsonb_build_object('h', ${sha256}::text))))
    limit 1`);
  return rows.length > 0 || runnerMayReadValidationBlob(p, r, sha256);
}
