// Runs the resident evaluator (from source, through tsx) at the place given as JSON in argv[2]:
// eval-server-build.test.ts points it at a build file of its own, which it may replace.
import { runEvalServer } from '../src/eval-server/server';

await runEvalServer(JSON.parse(process.argv[2] ?? '{}'));
