import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  type Actor,
  asUnavailable,
  benchmarkSettled,
  bootstrapAdmin,
  createPlatform,
  importBenchmarkDir,
  loadConfig,
  localRunnerToken,
  seedBaselines,
  seedCorrections,
  sweepExpiredLeases,
} from '@trueboard/core';
import { users } from '@trueboard/db';
import { migrate } from '@trueboard/db/migrate';
import type { Command } from 'commander';
import { eq } from 'drizzle-orm';
import { openDatabase } from '../database';
import { builtinFamilies, loadEvaluators } from '../evaluators';
import { errorMessage, fail } from '../output';
import { surviveStrayRejections } from '../stray-rejections';
import { startHttpServer } from '../web-server';

/**
 * How to start this same CLI again (the local runners): the bundle, when that is what runs (it
 * sits next to this code, see build.mjs), else the TypeScript through tsx.
 */
function cliEntry(): string[] {
  const bundle = join(import.meta.dirname, 'trueboard.js');
  if (existsSync(bundle)) return [bundle];
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return ['--import', tsx, fileURLToPath(new URL('../bin.ts', import.meta.url))];
}
export const BENCHMARKS_DIR = fileURLToPath(new URL('../../../../benchmarks', import.meta.url));

const log = (m: string) => process.stdout.write(`trueboard: ${m}\n`);

export function registerStartCommand(program: Command) {
  program
    .command('start')
    .description(
      'run the platform: database (embedded unless DATABASE_URL), migrations, web app, API and local runners',
    )
    .option('--port <port>', 'HTTP port (or PORT)', (v) => Number.parseInt(v, 10))
    .option('--host <host>', 'interface to listen on (0.0.0.0 lets runners on other machines connect)', '127.0.0.1')
    .option('--runners <n>', 'local runner processes to start', (v) => Number.parseInt(v, 10), 1)
    .option('--data-dir <dir>', 'data directory (or TRUEBOARD_DATA_DIR; default .trueboard)')
    .option('--no-web', 'serve the API only, without the Next.js app')
    .option('--no-import', 'do not register the bundled benchmarks')
    .option('--evaluators <module...>', 'extra evaluator modules for the local runners (development)')
    .action(async (o) => {
      // a driver's stray rejection during a database outage must not take the platform down
      surviveStrayRejections(log);
      const env = {
        ...process.env,
        ...(o.dataDir ? { TRUEBOARD_DATA_DIR: o.dataDir } : {}),
        ...(o.port ? { PORT: String(o.port) } : {}),
      };
      let config: ReturnType<typeof loadConfig>;
      try {
        config = loadConfig(env);
      } catch (err) {
        fail(errorMessage(err));
      }
      // a crashed embedded server is restarted; its crashes and restarts go to this log
      const db = await openDatabase(config.databaseUrl, config.dataDir, { supervise: log }).catch((err) =>
        fail(errorMessage(err)),
      );
      log(
        db.embedded
          ? `embedded PostgreSQL ${db.embedded.created ? 'created' : 'started'} in ${config.dataDir}/pg`
          : 'using DATABASE_URL',
      );
      const children: ChildProcess[] = [];
      let sweeper: NodeJS.Timeout | undefined;
      let server: Server | undefined;
      let shuttingDown = false;
      let cleanup: () => Promise<void> = async () => {
        await db.stop();
      };
      const shutdown = async (sig: string) => {
        if (shuttingDown) return;
        shuttingDown = true;
        log(`${sig}: shutting down`);
        await cleanup().catch((err) => process.stderr.write(`trueboard: shutdown: ${errorMessage(err)}\n`));
        process.exit(0);
      };
      process.on('SIGINT', () => void shutdown('SIGINT'));
      process.on('SIGTERM', () => void shutdown('SIGTERM'));
      try {
        await migrate(db.url);
        log('migrations applied');
        process.env.DATABASE_URL = db.url; // for the web app's server components in this process
        const platform = await createPlatform(
          { ...config, databaseUrl: db.url },
          {
            // no correction validators here: the local runners check proposals, this process never executes a gold
            families: await builtinFamilies(),
            reservedBenchmarkIds: bundledIds(),
          },
        );
        cleanup = async () => {
          for (const c of children) c.kill('SIGTERM');
          await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
          clearInterval(sweeper);
          server?.closeAllConnections();
          await new Promise((r) => (server ? server.close(r) : r(null)));
          await platform.close();
          await db.stop();
        };
        const creds = await bootstrapAdmin(platform);
        if (creds) {
          // secrets never go to stdout, where process managers and CI capture them
          log(`created the admin account ${creds.email}; its password and API token are in ${creds.file} (mode 0600):`);
          log(`  read them with: cat ${shellQuote(creds.file)}`);
        }
        const bundled = o.import ? await importBundled(platform) : [];
        // the sweeper's query doubles as a watch on the database: an outage and its end are logged once
        let reachable = true;
        sweeper = setInterval(
          () =>
            void sweepExpiredLeases(platform).then(
              () => {
                if (!reachable) log('the database is reachable again');
                reachable = true;
              },
              (err) => {
                if (reachable && asUnavailable(err)) log(`the database is unavailable: ${errorMessage(err)}`);
                reachable = !asUnavailable(err);
              },
            ),
          5000,
        );
        server = await startHttpServer(platform, { port: config.port, host: o.host, web: o.web });
        const url = `http://${o.host === '0.0.0.0' ? 'localhost' : o.host}:${config.port}`;
        log(`serving ${o.web ? 'the web app and ' : ''}the API at ${url}`);
        const extra: string[] = o.evaluators ?? [];
        const families = Object.keys(await loadEvaluators(extra));
        if (o.runners > 0 && families.length > 0) {
          const token = await localRunnerToken(platform);
          for (let i = 0; i < o.runners; i++) children.push(startRunner(url, token, i, extra));
          log(`started ${o.runners} local runner${o.runners > 1 ? 's' : ''} (${families.join(', ')})`);
        } else if (o.runners > 0) {
          log('no family evaluators are installed, so no local runner was started');
        }
        // the bundled correction history is released once version 1 has been scored
        for (const b of bundled) void releaseBundledCorrections(platform, b, () => shuttingDown);
      } catch (err) {
        process.stderr.write(`trueboard: ${errorMessage(err)}\n`);
        await cleanup().catch(() => {});
        process.exit(1);
      }
    });
}

function startRunner(server: string, token: string, i: number, evaluators: string[]): ChildProcess {
  const args = [...cliEntry(), 'runner', '--server', server, '--quiet'];
  if (evaluators.length) args.push('--evaluators', ...evaluators);
  const child = spawn(process.execPath, args, {
    env: { ...process.env, TRUEBOARD_RUNNER_TOKEN: token },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM')
      process.stderr.write(`trueboard: runner ${i + 1} exited (${code ?? signal})\n`);
  });
  return child;
}

interface Bundled {
  id: string;
  dir: string;
  actor: Actor;
}

/**
 * Runs the bundled corrections of a benchmark (benchmarks/<id>/corrections/corrections.json)
 * through the workflow once its baselines have results on version 1, so the release re-scores them.
 */
async function releaseBundledCorrections(
  platform: Awaited<ReturnType<typeof createPlatform>>,
  b: Bundled,
  stopped: () => boolean,
) {
  if (!existsSync(join(b.dir, 'corrections', 'corrections.json'))) return;
  try {
    // a database outage meanwhile is waited out, like any other wait here
    const settled = () =>
      benchmarkSettled(platform, b.id).catch((err) => (asUnavailable(err) ? false : Promise.reject(err)));
    while (!stopped() && !(await settled())) {
      await new Promise((r) => setTimeout(r, 2000));
    }
    if (stopped()) return;
    const r = await seedCorrections(platform, b.actor, b.id, b.dir);
    if (r)
      log(
        `benchmark ${b.id}: released v${r.version} with ${r.corrections} audited corrections; re-scoring ${r.rescoring} submissions`,
      );
  } catch (err) {
    if (!stopped()) log(`benchmark ${b.id}: bundled corrections not released: ${errorMessage(err)}`);
  }
}

/** Registers every benchmarks/<id>/manifest.json (idempotent: unchanged data is a no-op). */
async function importBundled(platform: Awaited<ReturnType<typeof createPlatform>>): Promise<Bundled[]> {
  const out: Bundled[] = [];
  if (!existsSync(BENCHMARKS_DIR)) return out;
  const [admin] = await platform.db.select({ id: users.id }).from(users).where(eq(users.isAdmin, true)).limit(1);
  if (!admin) return out;
  const actor: Actor = { kind: 'user', userId: admin.id, isAdmin: true, via: 'token' };
  for (const d of bundledDirs()) {
    const dir = join(BENCHMARKS_DIR, d);
    // one bad or conflicting benchmark is reported and skipped; the platform still starts
    try {
      const r = await importBenchmarkDir(platform, actor, dir, undefined, { bundled: true });
      log(`benchmark ${r.benchmark}: ${r.created ? `registered version 1 (${r.files} files)` : 'up to date'}`);
      const seeded = await seedBaselines(platform, actor, r.benchmark, dir);
      if (seeded.length) log(`benchmark ${r.benchmark}: submitted baselines ${seeded.map((s) => s.method).join(', ')}`);
      out.push({ id: r.benchmark, dir, actor });
    } catch (err) {
      process.stderr.write(`trueboard: benchmarks/${d}: skipped: ${errorMessage(err)}\n`);
    }
  }
  return out;
}

/** The directories under benchmarks/ that hold a manifest. */
function bundledDirs(): string[] {
  if (!existsSync(BENCHMARKS_DIR)) return [];
  return readdirSync(BENCHMARKS_DIR)
    .sort()
    .filter((d) => existsSync(join(BENCHMARKS_DIR, d, 'manifest.json')));
}

/** The ids the bundled benchmarks claim (their manifests' `id`), reserved for the bundled import. */
function bundledIds(): string[] {
  const ids: string[] = [];
  for (const d of bundledDirs()) {
    try {
      const m = JSON.parse(readFileSync(join(BENCHMARKS_DIR, d, 'manifest.json'), 'utf8')) as { id?: unknown };
      if (typeof m.id === 'string') ids.push(m.id);
    } catch {
      // a broken manifest is reported by the import
    }
  }
  return ids;
}

const shellQuote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`);
