import { Family } from '@trueboard/contracts';
import { families } from '@trueboard/families';
import { describe, expect, it } from 'vitest';
import { familyArtifactMaxBytes, familyModule, loadConfig, noFamilies, primarySemanticsOf } from '../src/index';

const MiB = 1024 * 1024;
const installed = { families, config: loadConfig({}) };
const none = { families: noFamilies(), config: loadConfig({}) };
// core's tests stay generic: they use whichever family is installed, through its module
const withModule = Family.options.find((f) => familyModule(installed, f) !== null);

describe("core's view of the families", () => {
  it('finds installed modules only, by a family name', () => {
    expect(withModule).toBeDefined();
    for (const f of Family.options) expect(familyModule(none, f)).toBeNull();
    expect(familyModule(installed, 'no-such-family')).toBeNull();
  });

  it("takes an upload limit from the environment, else the family's artifact spec", () => {
    if (!withModule) throw new Error('no installed family');
    const spec = familyModule(installed, withModule)?.artifact.maxBytes;
    expect(familyArtifactMaxBytes(installed, withModule)).toBe(spec);
    const env = { [`TRUEBOARD_MAX_${withModule.toUpperCase()}_BYTES`]: String(3 * MiB) };
    expect(familyArtifactMaxBytes({ families, config: loadConfig(env) }, withModule)).toBe(3 * MiB);
    expect(familyArtifactMaxBytes(none, withModule)).toBe(20 * MiB);
    expect(() => loadConfig({ [`TRUEBOARD_MAX_${withModule.toUpperCase()}_BYTES`]: '-1' })).toThrow(
      `bad input: environment: TRUEBOARD_MAX_${withModule.toUpperCase()}_BYTES: Too small: expected number to be >0`,
    );
  });

  it("heads a board with the manifest's semantics, else the family's for its headline metric", () => {
    if (!withModule) throw new Error('no installed family');
    const primary = familyModule(installed, withModule)?.primary;
    if (!primary) throw new Error('no primary');
    const b = (
      manifest: { primarySemantics?: string; evaluator?: Record<string, unknown> },
      metric = primary.metric,
    ) => ({
      family: withModule,
      primaryMetric: metric,
      manifest,
    });
    expect(primarySemanticsOf(installed, b({ primarySemantics: 'mine' }))).toBe('mine');
    expect(primarySemanticsOf(installed, b({ evaluator: {} }))).toBe(primary.semantics({}));
    expect(primarySemanticsOf(installed, b({ evaluator: {} }, 'another-metric'))).toBeUndefined();
    expect(primarySemanticsOf(none, b({ evaluator: {} }))).toBeUndefined();
  });
});
