import type { Command } from 'commander';
import { askServer } from '../eval-server/client';
import { serverPlace } from '../eval-server/place';
import { errorMessage, fail } from '../output';

/**
 * `trueboard eval-server status|stop|run`: the resident evaluator of this build and environment
 * (see eval-server/server.ts). `run` is what `trueboard eval` starts in the background; it can be
 * run by hand too (in the foreground, logging to stdout).
 */
export function registerEvalServerCommand(program: Command): void {
  const command = program
    .command('eval-server')
    .description('the resident evaluator that keeps `trueboard eval` warm between calls (this build and environment)');
  command
    .command('status')
    .description('whether one runs, what it keeps warm and its memory')
    .action(async () => {
      const place = here();
      const status = await askServer(place, { t: 'status' });
      if (!status || status === 'stopped') {
        process.stdout.write(`no resident evaluator runs for this build and environment (${place.socket})\n`);
        return;
      }
      process.stdout.write(
        [
          `pid ${status.pid}, up since ${status.startedAt}, ${status.requests} call(s), ${status.rssMiB} MiB resident`,
          `exits after ${status.idleExitS} s unused; socket ${place.socket}; log ${place.log}`,
          `warm: ${status.datasets.length > 0 ? status.datasets.join('; ') : 'no dataset yet'}`,
        ].join('\n') + '\n',
      );
    });
  command
    .command('stop')
    .description('stop it (a call it runs is cancelled)')
    .action(async () => {
      const place = here();
      const stopped = await askServer(place, { t: 'stop' });
      process.stdout.write(stopped ? 'stopped\n' : `none was running (${place.socket})\n`);
    });
  command
    .command('run')
    .description('run it in the foreground (what `trueboard eval` starts in the background)')
    .action(async () => {
      const { runEvalServer } = await import('../eval-server/server');
      await runEvalServer(here()).catch((err: unknown) => fail(errorMessage(err)));
    });
}

function here() {
  const place = serverPlace(import.meta.dirname);
  if (place.off !== undefined) fail(`no resident evaluator here: ${place.off}`);
  return place;
}
