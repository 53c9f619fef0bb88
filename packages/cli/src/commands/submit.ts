import { randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { followSubmission } from '../follow';
import { rest, type ServerOptions, trpcClient } from '../http';
import { serverOption, tokenOption } from '../options';
import { errorMessage, fail } from '../output';

export function registerSubmitCommand(program: Command) {
  program
    .command('submit')
    .description('submit an artifact (predictions, run file, adapter) to a benchmark on a Trueboard server')
    .requiredOption('--benchmark <id>', 'benchmark id, e.g. spider-dev')
    .requiredOption('--file <path>', 'the artifact to upload')
    .option('--method <id>', 'an existing method id')
    .option('--team <slug>', 'team of the method (with --method-name)')
    .option('--method-name <name>', 'method name; created in --team when missing')
    .option('--description <text>', 'method description (new methods)')
    .option('--paper-url <url>', 'paper URL (new methods)')
    .option('--code-url <url>', 'code URL (new methods)')
    .option('--learning-rate <lr>', 'learning rate hyperparameter (new methods)', Number.parseFloat)
    .option('--note <text>', 'a note shown on the submission page', '')
    .option('--private', 'visible to your team only')
    .option('--wait', 'wait for the evaluation and print its metrics')
    .addOption(serverOption())
    .addOption(tokenOption('API token'))
    .action(async (o) => {
      if (!o.token)
        fail('an API token is required: --token tbu_… or TRUEBOARD_TOKEN (create one with `trueboard token create`)');
      const auth: ServerOptions = { server: o.server, token: o.token };
      try {
        const client = trpcClient(auth);
        let methodId: string | undefined = o.method;
        if (!methodId) {
          if (!o.team || !o.methodName)
            fail('name the method: --method <id>, or --team <slug> with --method-name <name>');
          const existing = (await client.methods.list.query({ team: o.team })).find((m) => m.name === o.methodName);
          methodId =
            existing?.id ??
            (
              await client.methods.create.mutate({
                team: o.team,
                name: o.methodName,
                description: o.description ?? '',
                paperUrl: o.paperUrl,
                codeUrl: o.codeUrl,
                hyperparameters: o.learningRate !== undefined ? { learningRate: o.learningRate } : {},
              })
            ).id;
        }
        const info = await stat(o.file).catch(() => fail(`${o.file}: no such file`));
        if (!info.isFile()) fail(`${o.file}: not a file`);
        const q = new URLSearchParams({
          benchmark: o.benchmark,
          method: methodId ?? '',
          note: o.note,
          public: o.private ? 'false' : 'true',
        });
        const created = await rest<{ id: string; state: string }>(auth, `/api/submissions?${q}`, {
          method: 'POST',
          // one key per invocation: a retry after a 503 or a lost answer is the same submission
          headers: { 'content-type': 'application/octet-stream', 'idempotency-key': randomUUID() },
          body: await readFile(o.file),
        });
        process.stdout.write(`${created.id}\n`);
        process.stderr.write(`submitted: ${o.server.replace(/\/$/, '')}/s/${created.id} (${created.state})\n`);
        if (!o.wait) return;
        await followSubmission(client, created.id);
      } catch (err) {
        fail(errorMessage(err));
      }
    });
}
