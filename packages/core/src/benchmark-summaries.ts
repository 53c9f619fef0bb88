import { benchmarks } from '@trueboard/db';
import { sql } from 'drizzle-orm';
import { primarySemanticsOf } from './families';
import type { Platform } from './platform';

/**
 * The home page: every benchmark with its latest released version, public submission count, last
 * update and current leader on the primary column (in its better direction). Two queries: the
 * primary columns' semantics (the manifest's or the family's), then everything else.
 */
export async function benchmarkSummaries(p: Platform) {
  const heads = await p.db
    .select({
      id: benchmarks.id,
      family: benchmarks.family,
      primaryMetric: benchmarks.primaryMetric,
      // only what the semantics depend on, not the manifest's (long) file list
      manifest: sql<{
        primarySemantics?: string;
        evaluator?: Record<string, unknown>;
      }>`jsonb_strip_nulls(jsonb_build_object(
        'primarySemantics', ${benchmarks.manifest} -> 'primarySemantics', 'evaluator', ${benchmarks.manifest} -> 'evaluator'))`,
    })
    .from(benchmarks);
  const semantics = Object.fromEntries(
    heads.flatMap((b) => {
      const s = primarySemanticsOf(p, b);
      return s === undefined ? [] : [[b.id, s]];
    }),
  );
  const rows = await p.db.execute<{
    id: string;
    name: string;
    family: string;
    description: string;
    primary_metric: string;
    latest_version: number | null;
    submissions: number;
    updated_at: string | null;
    leader_method: string | null;
    leader_team: string | null;
    leader_submission: string | null;
    leader_value: number | null;
    leader_semantics: string | null;
  }>(sql`
    select b.id, b.name, b.family, b.description, b.primary_metric,
      v.number as latest_version,
      (select count(*)::int from submissions s where s.benchmark_id = b.id and s.is_public) as submissions,
      greatest(v.created_at, (select max(r.created_at) from results r where r.dataset_version_id = v.id)) as updated_at,
      leader.method as leader_method, leader.team as leader_team, leader.submission_id as leader_submission,
      leader.value as leader_value, leader.semantics as leader_semantics
    from benchmarks b
    left join lateral (
      select dv.id, dv.number, dv.created_at from dataset_versions dv
      where dv.benchmark_id = b.id and dv.status = 'released' order by dv.number desc limit 1
    ) v on true
    left join lateral (
      select m.name as method, t.slug as team, s.id as submission_id, rm.value, rm.semantics
      from results r
      join submissions s on s.id = r.submission_id and s.is_public
      join methods m on m.id = s.method_id
      join teams t on t.id = s.team_id
      join result_metrics rm on rm.result_id = r.id and rm.name = b.primary_metric
        and rm.semantics = coalesce(${JSON.stringify(semantics)}::jsonb ->> b.id, rm.semantics)
      where r.dataset_version_id = v.id and r.is_current
      order by case when coalesce((select (d ->> 'higherIsBetter')::boolean from jsonb_array_elements(b.metrics) d
                                   where d ->> 'name' = b.primary_metric limit 1), true)
                    then -rm.value else rm.value end, s.created_at
      limit 1
    ) leader on true
    order by b.family, b.id`);
  return [...rows].map((r) => ({
    id: r.id,
    name: r.name,
    family: r.family,
    description: r.description,
    primaryMetric: r.primary_metric,
    latestVersion: r.latest_version,
    submissions: r.submissions,
    updatedAt: r.updated_at ? new Date(r.updated_at) : null,
    leader:
      r.leader_method && r.leader_team && r.leader_submission && r.leader_value !== null
        ? {
            method: r.leader_method,
            team: r.leader_team,
            submissionId: r.leader_submission,
            value: Number(r.leader_value),
            semantics: r.leader_semantics ?? '',
          }
        : null,
  }));
}
