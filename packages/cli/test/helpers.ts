import { fileURLToPath } from 'node:url';

export { CLI_BIN, health, npmStart, REPO, runCli, spawnCli, waitFor } from '@trueboard/testkit';
export const TOY_EVALUATOR = fileURLToPath(new URL('../../testkit/src/toy-evaluator.ts', import.meta.url));
