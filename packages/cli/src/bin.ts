import { Command } from 'commander';
import { registerBenchmarkCommand } from './commands/benchmark';
import { registerCorrectionCommands } from './commands/corrections';
import { registerEvalCommand } from './commands/eval';
import { registerMigrateCommand } from './commands/migrate';
import { registerRunnerCommand } from './commands/runner';
import { registerStartCommand } from './commands/start';
import { registerSubmitCommand } from './commands/submit';
import { registerTokenCommand } from './commands/token';

const program = new Command('trueboard')
  .description('Trueboard: benchmarks and leaderboards with audited gold annotations')
  // -V only: `--version <n>` is a dataset version in subcommands (export annotations)
  .version('0.1.0', '-V', 'print the trueboard version')
  .showHelpAfterError('(run with --help for usage)');

registerStartCommand(program);
registerMigrateCommand(program);
registerRunnerCommand(program);
registerTokenCommand(program);
registerSubmitCommand(program);
registerBenchmarkCommand(program);
registerEvalCommand(program);
registerCorrectionCommands(program);

await program.parseAsync(process.argv);
