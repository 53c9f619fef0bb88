import { Family, type FamilyEvalCli } from '@trueboard/contracts';
import type { Command } from 'commander';
import { familyEvalCli } from './evaluators';

/**
 * The family `trueboard eval` is asked for, read from the command line before commander parses it
 * (a family's own options must be declared first): the first argument after `eval` that is neither
 * an option nor the value of one, as `probe`'s option definitions say. Undefined when it names no
 * family (`trueboard eval --help`): the generic command is declared alone.
 */
export function familyArgument(argv: readonly string[], probe: Command): Family | undefined {
  const args = argv.slice(2);
  let at = args.findIndex((a) => !a.startsWith('-'));
  if (args[at] === 'help') at = args.indexOf('eval', at);
  if (args[at] !== 'eval') return undefined;
  for (let i = at + 1; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--') return known(args[i + 1]);
    if (!arg.startsWith('-') || arg === '-') return known(arg);
    if (arg.includes('=')) continue;
    const option = probe.options.find((o) => o.long === arg || o.short === arg);
    if (!option || !(option.required || option.optional)) continue;
    if (!option.variadic) i++;
    else while (i + 1 < args.length && !(args[i + 1] ?? '').startsWith('-')) i++;
  }
  return undefined;
}

function known(arg: string | undefined): Family | undefined {
  const parsed = Family.safeParse(arg);
  return parsed.success ? parsed.data : undefined;
}

/** The family's own `eval` options and handler, when it has any (loaded only here, for `eval`). */
export async function evalCliFor(argv: readonly string[], probe: Command): Promise<FamilyEvalCli | undefined> {
  const family = familyArgument(argv, probe);
  return family ? familyEvalCli(family) : undefined;
}

/** Declares the family's options and help on the eval command. */
export function declareFamilyOptions(command: Command, cli: FamilyEvalCli): void {
  for (const o of cli.options) command.option(o.flags, o.description, o.defaultValue);
  if (cli.help) command.addHelpText('after', `\n${cli.help.trimEnd()}`);
}
