import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

const config: NextConfig = {
  // workspace packages ship TypeScript sources
  transpilePackages: ['@trueboard/api', '@trueboard/contracts', '@trueboard/core', '@trueboard/metrics'],
  // native or process-managing packages stay plain Node requires
  serverExternalPackages: [
    '@node-rs/argon2',
    'pg-boss',
    'postgres',
    'drizzle-orm',
    'onnxruntime-node',
    'better-sqlite3',
  ],
  outputFileTracingRoot: repoRoot,
  turbopack: { root: repoRoot },
  poweredByHeader: false,
  typedRoutes: false,
};

export default config;
