import { defineConfig } from 'vitest/config';

export default defineConfig({
  // the web's family views (.tsx, `jsx: preserve` for Next) are rendered by some tests
  oxc: { jsx: { runtime: 'automatic' } },
  test: {
    include: ['{packages,runners,apps}/*/test/**/*.test.ts'],
    globalSetup: ['packages/testkit/src/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // no test's `trueboard eval` leaves a resident evaluator behind (eval-server.test.ts turns it on, in directories of its own)
    env: { TRUEBOARD_EVAL_SERVER: 'off' },
  },
});
