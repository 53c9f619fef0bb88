import { readFile, stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { rest, type ServerOptions, trpcClient } from '../http';
import { errorMessage, fail, progressBar, table } from '../output';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
    .option('--server <url>', 'platform URL', process.env.TRUEBOARD_SERVER ?? 'http://localhost:3000')
    .option('--token <token>', 'API token (or TRUEBOARD_TOKEN)', process.env.TRUEBOARD_TOKEN)
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
          headers: { 'content-type': 'application/octet-stream' },
          body: await readFile(o.file),
        });
        process.stdout.write(`${created.id}\n`);
        process.stderr.write(`submitted: ${o.server.replace(/\/$/, '')}/s/${created.id} (${created.state})\n`);
        if (!o.wait) return;
        const bar = progressBar('evaluating', 100);
        for (;;) {
          const s = await client.submissions.get.query({ id: created.id });
          const run = s.runs.at(-1);
          bar.update(
            Math.round(100 * (run?.progress ?? 0)),
            s.state === 'queued' ? `queued (#${s.queuePosition ?? '?'})` : (run?.progressMessage ?? s.state),
          );
          if (s.state === 'finished' || s.state === 'failed' || s.state === 'cancelled') {
            bar.stop();
            if (s.state !== 'finished')
              fail(
                `submission ${s.state}${s.failureCategory ? ` (${s.failureCategory})` : ''}: ${s.failureMessage ?? ''}`,
              );
            const r = await client.submissions.result.query({ id: created.id });
            process.stderr.write(
              `${table(
                (r?.metrics ?? []).map((m) => ({
                  metric: m.name,
                  semantics: m.semantics,
                  value: m.value.toFixed(2),
                  ci95: m.ciLow !== null && m.ciHigh !== null ? `[${m.ciLow.toFixed(2)}, ${m.ciHigh.toFixed(2)}]` : '',
                  n: m.n,
                })),
              )}\n`,
            );
            return;
          }
          await sleep(1000);
        }
      } catch (err) {
        fail(errorMessage(err));
      }
    });
}
