import type { FamilyModule } from '@trueboard/contracts';
import { text2sqlCodecs } from './annotations/index';
import { text2sqlArtifact } from './artifact';
import { text2sqlRows } from './rows';

/**
 * Text-to-SQL as the platform sees it. The evaluator and the correction validator are loaded on
 * first use: they bring SQLite and the worker pool, which a process that only reads rows never needs.
 * The web app's bundler is told not to follow those imports (`turbopackIgnore`), so the web server
 * holds no SQL execution code at all; the CLI's bundle and Node follow them as usual.
 */
export const text2sqlFamily: FamilyModule<'text2sql'> = {
  family: 'text2sql',
  evaluator: async () => (await import(/* turbopackIgnore: true */ './evaluator')).text2sqlEvaluator,
  artifact: text2sqlArtifact,
  annotations: text2sqlCodecs,
  correctionValidator: async () =>
    (await import(/* turbopackIgnore: true */ './validate-correction')).text2sqlCorrectionValidator(),
  rows: text2sqlRows,
  primary: {
    metric: 'ex',
    // the semantics of each row's verdict (evaluator.ts picks it the same way)
    semantics: (settings) =>
      settings.primarySemantics === 'spider' || settings.primarySemantics === 'bird'
        ? settings.primarySemantics
        : settings.format === 'bird'
          ? 'bird'
          : 'spider',
  },
  columns: [],
};
