import {
  type AnnotationCodec,
  type BoardColumn,
  Family,
  type FamilyModule,
  type FamilyRegistry,
  isInstalled,
  type PendingFamily,
} from '@trueboard/contracts';
import type { Platform } from './platform';

/**
 * Core's view of the evaluator families. Core never imports a family: the process that creates the
 * platform passes the registry (packages/families) and everything family-specific is read through
 * it, so no family's fields appear here.
 */

/** A registry in which no family is installed (a platform created without one). */
export function noFamilies(): FamilyRegistry {
  const entries: Record<string, PendingFamily> = Object.fromEntries(
    Family.options.map((family) => [family, { family, pending: 'not installed in this process' }]),
  );
  return entries as FamilyRegistry;
}

/** The module of a benchmark's family, or null when it is not installed (or not a family at all). */
export function familyModule(p: Pick<Platform, 'families'>, family: string): FamilyModule | null {
  const parsed = Family.safeParse(family);
  if (!parsed.success) return null;
  const entry: FamilyRegistry[Family] = p.families[parsed.data];
  return isInstalled(entry) ? entry : null;
}

/**
 * The columns a family's boards show: its module's, or those a family whose module has not landed
 * already declares (its benchmarks can be registered and submitted to meanwhile).
 */
export function familyColumns(p: Pick<Platform, 'families'>, family: string): readonly BoardColumn[] {
  const parsed = Family.safeParse(family);
  return parsed.success ? (p.families[parsed.data].columns ?? []) : [];
}

/** The codec of a dataset version's layout and the files it reads, or null when the layout has none. */
export function codecFor(
  p: Pick<Platform, 'families'>,
  family: string,
  paths: readonly string[],
): { codec: AnnotationCodec; files: string[] } | null {
  for (const codec of familyModule(p, family)?.annotations ?? []) {
    const files = codec.files(paths);
    if (files) return { codec, files };
  }
  return null;
}

/** Uploads to a family not installed here are held to this limit unless the environment sets one. */
const UNINSTALLED_MAX_BYTES = 20 * 1024 * 1024;

/** The upload limit of a family's artifacts: TRUEBOARD_MAX_<FAMILY>_BYTES, else the family's own. */
export function familyArtifactMaxBytes(p: Pick<Platform, 'families' | 'config'>, family: Family): number {
  return p.config.maxArtifactBytes[family] ?? familyModule(p, family)?.artifact.maxBytes ?? UNINSTALLED_MAX_BYTES;
}

/** The semantics of a benchmark's headline column: the manifest's, else its family's default for its metric. */
export function primarySemanticsOf(
  p: Pick<Platform, 'families'>,
  b: {
    family: string;
    primaryMetric: string;
    manifest: { primarySemantics?: string; evaluator?: Record<string, unknown> };
  },
): string | undefined {
  if (b.manifest.primarySemantics) return b.manifest.primarySemantics;
  const primary = familyModule(p, b.family)?.primary;
  return primary && primary.metric === b.primaryMetric ? primary.semantics(b.manifest.evaluator ?? {}) : undefined;
}
