import { loadConfig } from '@trueboard/core';
import { migrate } from '@trueboard/db/migrate';
import type { Command } from 'commander';
import { openDatabase } from '../database';
import { errorMessage, fail } from '../output';

export function registerMigrateCommand(program: Command) {
  program
    .command('migrate')
    .description('apply database migrations (DATABASE_URL, or the embedded server in the data dir)')
    .option('--data-dir <dir>', 'data directory for the embedded server (default .trueboard)')
    .action(async (o) => {
      try {
        const config = loadConfig({ ...process.env, ...(o.dataDir ? { TRUEBOARD_DATA_DIR: o.dataDir } : {}) });
        const db = await openDatabase(config.databaseUrl, config.dataDir);
        try {
          await migrate(db.url);
          process.stdout.write('trueboard: migrations applied\n');
        } finally {
          await db.stop();
        }
      } catch (err) {
        fail(errorMessage(err));
      }
    });
}
