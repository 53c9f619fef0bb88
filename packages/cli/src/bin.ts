/**
 * The `trueboard` command line.
 *
 * Start-up is part of every command's wall time (`trueboard -V` and `--help` must stay well under
 * 0.3 s), so this file loads commander and nothing else: a command's module is loaded only when
 * that command runs (or its own `--help` is asked for). The CLI runs bundled from dist/ (see
 * build.mjs), where each command module is a chunk of its own.
 *
 * Adding a command: write `commands/<name>.ts` exporting `register…(program: Command)` (the
 * commander definition and its action, like the others), then add one entry to COMMANDS: the
 * top-level name(s) it registers, each with the one-line summary `trueboard --help` lists, and
 * the loader. Nothing else imports command modules.
 */
import type { Command } from 'commander';

type Register = (program: Command) => void;

interface LazyCommand {
  /** top-level command name → its summary in `trueboard --help` */
  names: Record<string, string>;
  load: () => Promise<Register>;
}

const COMMANDS: LazyCommand[] = [
  {
    names: { start: 'run the platform: database, migrations, web app, API and local runners' },
    load: async () => (await import('./commands/start')).registerStartCommand,
  },
  {
    names: { migrate: 'apply database migrations' },
    load: async () => (await import('./commands/migrate')).registerMigrateCommand,
  },
  {
    names: { runner: 'run evaluation jobs for a Trueboard server' },
    load: async () => (await import('./commands/runner')).registerRunnerCommand,
  },
  {
    names: { token: 'API and runner tokens' },
    load: async () => (await import('./commands/token')).registerTokenCommand,
  },
  {
    names: { submit: 'submit an artifact to a benchmark on a Trueboard server' },
    load: async () => (await import('./commands/submit')).registerSubmitCommand,
  },
  {
    names: { rerun: 'queue a fresh evaluation of a submission' },
    load: async () => (await import('./commands/rerun')).registerRerunCommand,
  },
  {
    names: { reproduce: 'evaluate a submission again locally and compare with its stored result' },
    load: async () => (await import('./commands/reproduce')).registerReproduceCommand,
  },
  {
    names: { benchmark: 'register benchmarks' },
    load: async () => (await import('./commands/benchmark')).registerBenchmarkCommand,
  },
  {
    names: { eval: 'evaluate predictions offline with the evaluator the platform runs' },
    load: async () => (await import('./commands/eval')).loadEvalCommand(),
  },
  {
    names: { 'eval-server': 'the resident evaluator that keeps `trueboard eval` warm between calls' },
    load: async () => (await import('./commands/eval-server')).registerEvalServerCommand,
  },
  {
    names: {
      export: 'download a dataset version',
      corrections: 'audited corrections of gold annotations',
      impact: 'what a release did to the ranking',
    },
    load: async () => (await import('./commands/corrections')).registerCorrectionCommands,
  },
];

// `trueboard eval …` goes to the resident evaluator when one runs for this build and environment
// (eval-server/): its output and exit code are this command's. Without one, it runs here. The
// launcher (bin/trueboard.cjs) asks first, before this bundle loads; then it is not asked again.
const args = process.argv.slice(2);
if (args[0] === 'eval') {
  const client = await import('./eval-server/client');
  if (!client.serverContact().asked) {
    const code = await client.evalThroughServer(args, import.meta.dirname);
    if (code !== undefined) await (await import('./cli-io')).exitWhenFlushed(code);
  }
}

// commander (and the child_process module it loads) only past the eval fast path: a call the
// resident evaluator serves needs neither
const { Command: Program } = await import('commander');
const program = new Program('trueboard')
  .description('Trueboard: benchmarks and leaderboards with audited gold annotations')
  // -V only: `--version <n>` is a dataset version in subcommands (export annotations)
  .version('0.1.0', '-V', 'print the trueboard version')
  .showHelpAfterError('(run with --help for usage)');

// the command asked for (`trueboard help <command>` asks for its help); the program has no
// options that take a value, so it is the first argument that is not an option
const first = args.findIndex((a) => !a.startsWith('-'));
const wanted = args[first] === 'help' ? args[first + 1] : args[first];
const chosen = COMMANDS.find((c) => wanted !== undefined && Object.hasOwn(c.names, wanted));
if (chosen) (await chosen.load())(program);
else {
  // top-level help, -V, or an unknown command: list every command without loading any
  for (const c of COMMANDS)
    for (const [name, summary] of Object.entries(c.names)) program.command(name).description(summary);
}

await program.parseAsync(process.argv);
