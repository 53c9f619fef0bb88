import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{packages,runners,apps}/*/test/**/*.test.ts'],
    globalSetup: ['packages/testkit/src/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
