import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JobQueue } from '@trueboard/core';
import { startEmbeddedPostgres, withDatabase } from '@trueboard/db/embedded';
import { migrate } from '@trueboard/db/migrate';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import './provided';

export const TEMPLATE_DB = 'tb_template';

/**
 * One real PostgreSQL for the whole test run: an embedded server in a temp dir, with a template
 * database holding every migration and the pg-boss schema. Test files clone it (CREATE DATABASE
 * … TEMPLATE), so they run in parallel without seeing each other.
 */
export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'trueboard-test-'));
  const server = await startEmbeddedPostgres({ dataDir: dir });
  const admin = postgres(server.url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${TEMPLATE_DB}`);
  await admin.end();
  const templateUrl = withDatabase(server.url, TEMPLATE_DB);
  await migrate(templateUrl);
  const queue = await JobQueue.start(templateUrl); // installs the pg-boss schema and queues once
  await queue.stop();
  project.provide('pgUrl', server.url);
  return async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
