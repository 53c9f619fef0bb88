import { Family } from '@trueboard/contracts';
import { Runner, type RunnerEvent } from '@trueboard/kit';
import type { Command } from 'commander';
import { parseByteSize } from '../byte-size';
import { builtinValidators, loadEvaluators } from '../evaluators';
import { serverOption, tokenOption } from '../options';
import { errorMessage, fail } from '../output';
import { surviveStrayRejections } from '../stray-rejections';

function describe(e: RunnerEvent): string | null {
  switch (e.type) {
    case 'registered':
      return `registered as ${e.runnerId} on ${e.device} (${e.hardware})`;
    case 'job-started':
      return `job ${e.job.runId}: ${e.job.dataset.benchmark} v${e.job.dataset.version}, attempt ${e.job.attempt}`;
    case 'job-finished':
      return `job ${e.runId}: ${e.outcome}${e.message ? ` (${e.message})` : ''}`;
    case 'validation-finished':
      return `correction ${e.id}: ${e.outcome}${e.message ? ` (${e.message})` : ''}`;
    case 'warning':
      return `warning: ${e.message}`;
    case 'stopped':
      return 'stopped';
    default:
      return null;
  }
}

export function registerRunnerCommand(program: Command) {
  program
    .command('runner')
    .description('run evaluation jobs for a Trueboard server (talks to it over HTTP with a runner token)')
    .addOption(serverOption())
    .addOption(tokenOption('runner token (tbr_…)', 'TRUEBOARD_RUNNER_TOKEN'))
    .option('--families <list>', 'comma-separated families to claim (default: every installed evaluator)')
    .option('--device <device>', 'auto | cpu | cuda', 'auto')
    .option('--cache-dir <dir>', 'artifact and dataset cache (default TRUEBOARD_CACHE_DIR or ~/.cache/trueboard)')
    .option(
      '--cache-max-bytes <size>',
      'bytes the cache may hold before it evicts least recently used entries: bytes, or e.g. 500M, 20G (default TRUEBOARD_CACHE_MAX_BYTES or 50G)',
    )
    .option('--evaluators <module...>', 'extra modules exporting `evaluators` (development)')
    .option('--once <n>', 'exit after n jobs', (v) => Number.parseInt(v, 10))
    .option('--quiet', 'print only warnings')
    .action(async (o) => {
      // a runner lives for days: a stray rejection (a lost connection nobody waits on) is reported, not fatal
      surviveStrayRejections((m) => process.stderr.write(`runner: warning: ${m}\n`));
      if (!o.token) fail('a runner token is required: --token tbr_… or TRUEBOARD_RUNNER_TOKEN');
      if (!['auto', 'cpu', 'cuda'].includes(o.device)) fail(`--device must be auto, cpu or cuda (got "${o.device}")`);
      let families: Family[] | undefined;
      if (o.families) {
        const parsed = Family.array().safeParse(
          String(o.families)
            .split(',')
            .map((s) => s.trim()),
        );
        if (!parsed.success) fail(`--families: expected a list of ${Family.options.join(', ')}`);
        families = parsed.data;
      }
      let cacheMaxBytes: number | undefined;
      try {
        // the option beats TRUEBOARD_CACHE_MAX_BYTES, which the kit reads when it is not given
        if (o.cacheMaxBytes !== undefined) cacheMaxBytes = parseByteSize(String(o.cacheMaxBytes), '--cache-max-bytes');
      } catch (err) {
        fail(errorMessage(err));
      }
      const evaluators = await loadEvaluators(o.evaluators ?? []).catch((err) => fail(errorMessage(err)));
      let runner: Runner;
      try {
        runner = new Runner({
          server: o.server,
          token: o.token,
          families,
          device: o.device,
          evaluators,
          validators: await builtinValidators(),
          cacheDir: o.cacheDir,
          cacheMaxBytes,
          once: o.once,
          onEvent: (e) => {
            const line = describe(e);
            if (line && (!o.quiet || e.type === 'warning')) process.stderr.write(`runner: ${line}\n`);
          },
        });
      } catch (err) {
        fail(errorMessage(err));
      }
      let signals = 0;
      const onSignal = (sig: string) => {
        signals++;
        process.stderr.write(
          `runner: ${sig}: ${signals === 1 ? 'finishing or releasing the current job' : 'aborting now'}\n`,
        );
        void runner.stop({ graceful: signals === 1 });
      };
      process.on('SIGTERM', () => onSignal('SIGTERM'));
      process.on('SIGINT', () => onSignal('SIGINT'));
      try {
        await runner.start();
      } catch (err) {
        fail(errorMessage(err));
      }
      process.exit(0);
    });
}
