import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { ServerError, type ServerOptions, trpcClient } from '../http';
import { serverOption, tokenOption } from '../options';
import { errorMessage, fail } from '../output';

/** Signs in with email + password and returns the session secret (used as a bearer token). */
async function signIn(server: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${server.replace(/\/$/, '')}/api/trpc/auth.signIn`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new ServerError(
      `sign-in failed: ${body?.error?.message ?? res.statusText}`,
      res.status,
      res.headers.get('x-request-id'),
    );
  }
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('tb_session='));
  const token = cookie ? decodeURIComponent(cookie.split(';')[0]?.slice('tb_session='.length) ?? '') : '';
  if (!token) throw new Error('sign-in failed: the server returned no session');
  return token;
}

async function promptPassword(): Promise<string> {
  if (process.env.TRUEBOARD_PASSWORD) return process.env.TRUEBOARD_PASSWORD;
  if (!process.stdin.isTTY) throw new Error('set TRUEBOARD_PASSWORD or run in a terminal to type the password');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question('password: ');
  } finally {
    rl.close();
  }
}

export function registerTokenCommand(program: Command) {
  const token = program.command('token').description('API and runner tokens');
  token
    .command('create')
    .description('create a personal API token (or, for admins, a runner token); the secret is printed once')
    .requiredOption('--name <name>', 'a name to recognise the token by')
    .option('--runner', 'create a runner token (platform admins)')
    .option('--expires-in-days <n>', 'expiry for API tokens', (v) => Number.parseInt(v, 10))
    .addOption(serverOption())
    .addOption(tokenOption('an existing API token'))
    .option('--email <email>', 'sign in with email and password (TRUEBOARD_PASSWORD or a prompt) instead of a token')
    .action(async (o) => {
      try {
        const auth: ServerOptions = { server: o.server, token: o.token };
        if (o.email) auth.token = await signIn(o.server, o.email, await promptPassword());
        if (!auth.token) fail('authenticate with --token (or TRUEBOARD_TOKEN) or --email');
        const client = trpcClient(auth);
        const created = o.runner
          ? await client.runnerTokens.create.mutate({ name: o.name })
          : await client.tokens.create.mutate({ name: o.name, expiresInDays: o.expiresInDays });
        process.stderr.write(
          `created ${o.runner ? 'runner' : 'API'} token "${created.name}" (${created.id}); store it now, it is not shown again:\n`,
        );
        process.stdout.write(`${created.secret}\n`);
      } catch (err) {
        fail(errorMessage(err));
      }
    });
}
