import { CorrectionCategory, describeValidation } from '@trueboard/contracts';
import type { Command } from 'commander';
import { type ServerOptions, trpcClient } from '../http';
import { serverOption, tokenOption } from '../options';
import { errorMessage, fail } from '../output';

/** `--set field=value`, repeated: the changed gold fields. */
function fieldsOf(pairs: string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new Error(`--set: expected field=value, got "${pair}"`);
    fields[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return fields;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `trueboard corrections propose`: one proposal, printed with its validation status. A runner of the
 * benchmark's family checks it after it is stored; `--wait` follows the check until a runner answers
 * (valid or invalid) or none did in time (unvalidated). An invalid proposal exits with status 1.
 */
export function registerProposeCommand(corrections: Command) {
  corrections
    .command('propose')
    .description("propose a change to one example's gold fields; a runner of the family then validates it")
    .addOption(serverOption())
    .addOption(tokenOption('API token'))
    .requiredOption('--benchmark <id>', 'benchmark id')
    .requiredOption('--example <id>', 'example id')
    .requiredOption('--set <field=value...>', 'a gold field and its new value (repeat for more)')
    .requiredOption('--rationale <text>', 'why the gold is wrong')
    .option('--category <category>', `one of ${CorrectionCategory.options.join(', ')}`, 'wrong_gold')
    .option('--evidence <text>', 'supporting evidence')
    .option('--version <n>', 'dataset version to propose against (default: the latest)', (v) => Number(v))
    .option('--wait', 'follow the validation until a runner answers or none did in time')
    .action(async (o) => {
      if (!o.token) fail('authenticate with --token (or TRUEBOARD_TOKEN)');
      const category = CorrectionCategory.safeParse(o.category);
      if (!category.success) fail(`--category: expected one of ${CorrectionCategory.options.join(', ')}`);
      try {
        const client = trpcClient({ server: o.server, token: o.token } satisfies ServerOptions);
        const c = await client.corrections.propose.mutate({
          benchmark: o.benchmark,
          exampleId: o.example,
          fields: fieldsOf(o.set),
          category: category.data,
          rationale: o.rationale,
          ...(o.evidence ? { evidence: o.evidence } : {}),
          ...(o.version !== undefined ? { version: o.version } : {}),
        });
        process.stdout.write(`proposed ${c.id}: example ${c.exampleId} (${Object.keys(c.fields).join(', ')})\n`);
        let check = c.validationStatus;
        process.stdout.write(`validation: ${describeValidation(check)}\n`);
        if (o.wait && check.status === 'validating') {
          // the server turns a check no runner answered in time into `unvalidated`, so this ends
          while (check.status === 'validating') {
            await sleep(1000);
            check = (await client.corrections.get.query({ id: c.id })).validationStatus;
          }
          process.stdout.write(`validation: ${describeValidation(check)}\n`);
        }
        if (check.status === 'invalid') process.exit(1);
      } catch (err) {
        fail(errorMessage(err));
      }
    });
}
