import type { Command } from 'commander';
import { followSubmission } from '../follow';
import { trpcClient } from '../http';
import { serverOption, tokenOption } from '../options';
import { errorMessage, fail } from '../output';

export function registerRerunCommand(program: Command) {
  program
    .command('rerun <submission>')
    .description(
      'queue a fresh evaluation of a finished, failed or cancelled submission (its submitter, or maintainers of its team or of the benchmark)',
    )
    .option('--wait', 'follow the evaluation and print its metrics')
    .addOption(serverOption())
    .addOption(tokenOption('API token'))
    .action(async (id: string, o) => {
      if (!o.token)
        fail('an API token is required: --token tbu_… or TRUEBOARD_TOKEN (create one with `trueboard token create`)');
      try {
        const client = trpcClient({ server: o.server, token: o.token });
        const queued = await client.submissions.rerun.mutate({ id });
        process.stdout.write(`${queued.runId}\n`);
        process.stderr.write(`rerun queued: ${o.server.replace(/\/$/, '')}/s/${id} (run ${queued.runId})\n`);
        if (o.wait) await followSubmission(client, id);
      } catch (err) {
        fail(errorMessage(err));
      }
    });
}
