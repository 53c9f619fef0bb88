import { Option } from 'commander';

/** `--server`, from TRUEBOARD_SERVER when not given (help shows the variable, not its value). */
export const serverOption = () =>
  new Option('--server <url>', 'platform URL').env('TRUEBOARD_SERVER').default('http://localhost:3000');

/**
 * `--token`, from an environment variable when not given. Commander's `.env()` reads it at parse
 * time, so `--help` says "(env: TRUEBOARD_TOKEN)" and never prints the secret itself.
 */
export const tokenOption = (description: string, env = 'TRUEBOARD_TOKEN') =>
  new Option('--token <token>', description).env(env);
