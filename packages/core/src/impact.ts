import type { StoredExample, TriageSignals } from '@trueboard/contracts';
import { benchmarks, datasetVersions, exampleResults, methods, results, submissions, teams } from '@trueboard/db';
import { correlationTest, kendallTauB, spearman } from '@trueboard/metrics';
import { and, eq, inArray } from 'drizzle-orm';
import { notFound } from './errors';
import { familyModule } from './families';
import { leaderboard } from './leaderboard';
import type { Platform } from './platform';

/**
 * What a release did to a benchmark's ranking: each system's primary score and rank on both
 * versions, the rank correlation between the two rankings (Spearman ρ and Kendall τ-b with
 * permutation p-values), and the examples whose verdict flipped for each system.
 */
export async function impact(p: Platform, input: { benchmark: string; from: number; to: number }) {
  const [a, b] = await Promise.all([
    leaderboard(p, { benchmark: input.benchmark, version: input.from, limit: 100_000 }),
    leaderboard(p, { benchmark: input.benchmark, version: input.to, limit: 100_000 }),
  ]);
  const key = a.columns[0]?.key;
  const after = new Map(b.rows.map((r) => [r.submissionId, r]));
  const systems = a.rows.flatMap((r) => {
    const s = after.get(r.submissionId);
    const from = key ? r.metrics[key]?.value : undefined;
    const to = key ? s?.metrics[key]?.value : undefined;
    if (!s || from === undefined || to === undefined) return [];
    return [
      {
        submissionId: r.submissionId,
        method: r.method,
        team: r.team,
        scoreFrom: from,
        scoreTo: to,
        change: to - from,
        relativeChange: from === 0 ? null : (to - from) / from,
        rankFrom: r.rank,
        rankTo: s.rank,
        /** positive = moved up */
        rankChange: r.rank - s.rank,
        resultFrom: r.resultId,
        resultTo: s.resultId,
      },
    ];
  });
  // the verdicts that changed, per system: one query over both results' rows
  const ids = systems.flatMap((s) => [s.resultFrom, s.resultTo]);
  const rows = ids.length
    ? await p.db
        .select({
          resultId: exampleResults.resultId,
          exampleId: exampleResults.exampleId,
          verdict: exampleResults.verdict,
        })
        .from(exampleResults)
        .where(inArray(exampleResults.resultId, ids))
    : [];
  const verdicts = new Map<string, Map<string, number | null>>();
  for (const r of rows) {
    const m = verdicts.get(r.resultId) ?? new Map();
    m.set(r.exampleId, r.verdict);
    verdicts.set(r.resultId, m);
  }
  const flips = systems.map((s) => {
    const before = verdicts.get(s.resultFrom) ?? new Map();
    const now = verdicts.get(s.resultTo) ?? new Map();
    const flipped: { exampleId: string; from: number | null; to: number | null }[] = [];
    for (const id of new Set([...before.keys(), ...now.keys()])) {
      const x = before.get(id) ?? null;
      const y = now.get(id) ?? null;
      if (x !== y) flipped.push({ exampleId: id, from: x, to: y });
    }
    flipped.sort((u, v) => u.exampleId.length - v.exampleId.length || u.exampleId.localeCompare(v.exampleId));
    return { submissionId: s.submissionId, flipped };
  });
  const x = systems.map((s) => s.scoreFrom);
  const y = systems.map((s) => s.scoreTo);
  return {
    benchmark: input.benchmark,
    from: input.from,
    to: input.to,
    metric: a.columns[0] ?? null,
    systems: systems.map(({ resultFrom: _, resultTo: __, ...s }) => s),
    spearman: systems.length >= 2 ? correlationTest(spearman, x, y) : null,
    kendallTauB: systems.length >= 2 ? correlationTest(kendallTauB, x, y) : null,
    flips,
  };
}

export type Impact = Awaited<ReturnType<typeof impact>>;

/**
 * Annotation triage: the examples of a version whose gold looks most suspicious given every
 * system's current result there — the gold fails (unscorable because of the gold), the gold's
 * answer is empty, or most systems agree with each other (same answer) while all of them disagree
 * with the gold. The family reads those signals off its rows (`rows.triage`). Highest score first;
 * each example carries the `data` fields its family lists for summaries.
 */
export async function triage(p: Platform, input: { benchmark: string; version: number; limit?: number }) {
  const [v] = await p.db
    .select({ id: datasetVersions.id, family: benchmarks.family })
    .from(datasetVersions)
    .innerJoin(benchmarks, eq(benchmarks.id, datasetVersions.benchmarkId))
    .where(and(eq(datasetVersions.benchmarkId, input.benchmark), eq(datasetVersions.number, input.version)));
  if (!v) throw notFound(`version ${input.version} of "${input.benchmark}"`);
  const rowsOf = familyModule(p, v.family)?.rows;
  const signalsOf = (r: StoredExample): TriageSignals => rowsOf?.triage(r) ?? {};
  const rows = await p.db
    .select({
      exampleId: exampleResults.exampleId,
      verdict: exampleResults.verdict,
      reason: exampleResults.reason,
      data: exampleResults.data,
      method: methods.name,
      team: teams.slug,
    })
    .from(exampleResults)
    .innerJoin(results, eq(results.id, exampleResults.resultId))
    .innerJoin(submissions, eq(submissions.id, results.submissionId))
    .innerJoin(methods, eq(methods.id, submissions.methodId))
    .innerJoin(teams, eq(teams.id, submissions.teamId))
    .where(and(eq(results.datasetVersionId, v.id), eq(results.isCurrent, true), eq(submissions.isPublic, true)));
  const byExample = new Map<string, typeof rows>();
  for (const r of rows) byExample.set(r.exampleId, [...(byExample.get(r.exampleId) ?? []), r]);
  const out = [...byExample].map(([exampleId, rs]) => {
    const signals: string[] = [];
    let score = 0;
    const n = rs.length;
    const read = rs.map((r) => ({ r, s: signalsOf(r) }));
    const goldFails = read.find((x) => x.s.goldFails)?.s.goldFails;
    if (goldFails) {
      score += 3;
      signals.push(goldFails);
    }
    const goldEmpty = read.find((x) => x.s.goldEmpty)?.s.goldEmpty;
    if (goldEmpty) {
      score += 1;
      signals.push(goldEmpty);
    }
    const wrong = read.filter((x) => x.r.verdict !== null && x.r.verdict < 1);
    if (n > 0 && wrong.length === n) {
      // systems that agree with each other on an answer the gold does not give
      const sigs = new Map<string, number>();
      for (const { s } of wrong) if (s.answer) sigs.set(s.answer, (sigs.get(s.answer) ?? 0) + 1);
      const agree = Math.max(0, ...sigs.values());
      score += 1 + (agree >= 2 ? agree / n + 1 : 0);
      signals.push(
        agree >= 2
          ? `every system is wrong, and ${agree} of ${n} return the same result`
          : `every system (${n}) is wrong`,
      );
    }
    const d = rs[0]?.data ?? {};
    return {
      exampleId,
      score,
      signals,
      systems: n,
      wrong: wrong.length,
      /** the family's summary fields of the example's data (e.g. its question and gold) */
      data: Object.fromEntries((rowsOf?.summary ?? []).filter((k) => k in d).map((k) => [k, d[k]])),
    };
  });
  return out
    .filter((e) => e.score > 0)
    .sort(
      (a, b) => b.score - a.score || a.exampleId.length - b.exampleId.length || a.exampleId.localeCompare(b.exampleId),
    )
    .slice(0, input.limit ?? 100);
}
