import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { packDirectory } from '@trueboard/core/pack-directory';
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
    .requiredOption(
      '--file <path>',
      'the artifact to upload: a file, or a directory (an adapter, a model), which is packed into a tar',
    )
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
        const info = await stat(o.file).catch(() => fail(`${o.file}: no such file or directory`));
        if (!info.isFile() && !info.isDirectory()) fail(`${o.file}: not a file or directory`);
        const q = new URLSearchParams({
          benchmark: o.benchmark,
          method: methodId ?? '',
          note: o.note,
          public: o.private ? 'false' : 'true',
        });
        const created = await withArtifact(o.file, info.isDirectory(), async (body) =>
          rest<{ id: string; state: string }>(auth, `/api/submissions?${q}`, {
            method: 'POST',
            // one key per invocation: a retry after a 503 or a lost answer is the same submission
            headers: { 'content-type': 'application/octet-stream', 'idempotency-key': randomUUID() },
            body,
          }),
        );
        process.stdout.write(`${created.id}\n`);
        process.stderr.write(`submitted: ${o.server.replace(/\/$/, '')}/s/${created.id} (${created.state})\n`);
        if (!o.wait) return;
        await followSubmission(client, created.id);
      } catch (err) {
        fail(errorMessage(err));
      }
    });
}

/**
 * The bytes to upload: the file, or the directory packed into a tar in a temporary directory that
 * is removed once the upload is done.
 */
async function withArtifact<T>(file: string, isDirectory: boolean, upload: (body: Buffer) => Promise<T>): Promise<T> {
  if (!isDirectory) return upload(await readFile(file));
  const dir = await mkdtemp(join(tmpdir(), 'trueboard-pack-'));
  try {
    const tar = join(dir, `${basename(resolve(file))}.tar`);
    const packed = await packDirectory(file, tar);
    process.stderr.write(
      `packed ${file}: ${packed.files} file(s), ${packed.size} bytes as a tar (sha256 ${packed.sha256})\n`,
    );
    return await upload(await readFile(tar));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
