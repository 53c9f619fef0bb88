import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { processAlive, waitFor } from '@trueboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTestModel } from '../../../runners/rerank/scripts/build-test-model';
import {
  BIN,
  CODES,
  evalArgs,
  runawayCall,
  running,
  SPIDER,
  scratch,
  serverEnv,
  servers,
  startServer,
  status,
  trueboard,
  withoutTiming,
} from './eval-server-harness';
import { REPO } from './helpers';

/*
 * The resident evaluator (packages/cli/src/eval-server): `trueboard eval` as users start it (the
 * bundle), with a server directory of each test's own (eval-server-harness.ts). It runs only from
 * the bundle, so this file builds it first, as bundle.test.ts does.
 */

beforeAll(() => {
  const build = spawnSync(process.execPath, [join(REPO, 'packages', 'cli', 'build.mjs')], { encoding: 'utf8' });
  expect(build.status, build.stderr).toBe(0);
});

afterAll(async () => {
  for (const { env } of servers) await trueboard(['eval-server', 'stop'], env);
  rmSync(scratch, { recursive: true, force: true });
});

describe('trueboard eval through the resident evaluator', () => {
  it('starts one after a call of its own; the next calls are served and report exactly what a call of its own reports', async () => {
    const env = serverEnv();
    const dir = mkdtempSync(join(scratch, 'r-'));
    expect(await status(env)).toBeNull();

    const own = await trueboard(evalArgs(CODES, join(dir, 'own.json')), env);
    expect(own.code, own.stderr).toBe(0);
    const server = await running(env);
    expect(server.calls).toBe(0);

    const served = await trueboard(evalArgs(CODES, join(dir, 'served.json')), env);
    expect(served.code, served.stderr).toBe(0);
    expect((await status(env))?.calls).toBe(1);
    expect(served.stdout).toBe(own.stdout);
    expect(served.stderr).toBe(own.stderr.replace(/own\.json/g, 'served.json'));
    expect(served.stdout).toMatch(/^ex\s+bird\s+76\.44\s/m);
    expect(withoutTiming(join(dir, 'served.json'))).toEqual(withoutTiming(join(dir, 'own.json')));

    // paths are the caller's: relative to its working directory
    const cwd = mkdtempSync(join(scratch, 'cwd-'));
    cpSync(CODES, join(cwd, 'mine.sql'));
    const relative = await trueboard(evalArgs('mine.sql', 'report.json'), env, cwd);
    expect(relative.code, relative.stderr).toBe(0);
    expect(relative.stderr).toContain('report written to report.json');
    expect(withoutTiming(join(cwd, 'report.json'))).toMatchObject({ metrics: expect.any(Array) });
    expect((await status(env))?.calls).toBe(2);
    expect(JSON.parse(readFileSync(join(cwd, 'report.json'), 'utf8')).provenance.artifactHash).toBe(
      JSON.parse(readFileSync(join(dir, 'own.json'), 'utf8')).provenance.artifactHash,
    );
  });

  it("a served call's caller loads neither Node's ES module loader nor the CLI bundle", async () => {
    // a preload in every process of this environment (NODE_OPTIONS is part of the server's key)
    // notes, as each exits, its command line and whether the ES module loader was ever loaded
    const log = join(mkdtempSync(join(scratch, 'esm-')), 'loaded.log');
    const preload = join(scratch, 'esm-probe.cjs');
    writeFileSync(
      preload,
      `process.on('exit', () => require('node:fs').appendFileSync(${JSON.stringify(log)}, process.argv.slice(1).join(' ') + ' esm=' + process.moduleLoadList.includes('NativeModule internal/modules/esm/loader') + '\\n'));`,
    );
    const env = serverEnv({ NODE_OPTIONS: `--require ${preload}` });
    await startServer(env);
    const dir = mkdtempSync(join(scratch, 'esm-r-'));
    const served = await trueboard(evalArgs(CODES, join(dir, 'served.json')), env);
    expect(served.code, served.stderr).toBe(0);
    expect(served.stdout).toMatch(/^ex\s+bird\s+76\.44\s/m);
    expect((await status(env))?.calls).toBe(1);
    // the help never goes to the server: that caller loads the bundle, an ES module
    const help = await trueboard(['eval', '--help'], env);
    expect(help.code).toBe(0);
    const callers = readFileSync(log, 'utf8')
      .split('\n')
      .filter((l) => /trueboard\.cjs eval /.test(l));
    expect(callers).toEqual([
      expect.stringMatching(/ text2sql .* esm=false$/),
      expect.stringMatching(/ --help esm=true$/),
    ]);
  });

  it('answers bad input with the message and exit code of a call of its own, and goes on serving', async () => {
    const env = serverEnv();
    const child = await startServer(env);
    const dir = mkdtempSync(join(scratch, 'bad-'));

    const missing = await trueboard(evalArgs(join(dir, 'nope.sql'), join(dir, 'x.json')), env);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toBe(`trueboard: ${join(dir, 'nope.sql')}: no such file or directory\n`);

    const usage = await trueboard(['eval', 'text2sql', '--predictions', CODES], env);
    expect(usage.code).toBe(1);
    expect(usage.stderr).toContain("required option '--dataset <dir>' not specified");

    const short = join(dir, 'short.sql');
    writeFileSync(short, 'SELECT 1\n');
    const refused = await trueboard(evalArgs(short, join(dir, 'short.json')), env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^trueboard: bad predictions: .*1 line/m);
    expect(existsSync(join(dir, 'short.json'))).toBe(false);

    const help = await trueboard(['eval', '--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--predictions <file...>');

    const good = await trueboard(evalArgs(CODES, join(dir, 'good.json')), env);
    expect(good.code, good.stderr).toBe(0);
    // all but --help (which never goes to the server) were its calls, and it is the same process
    expect(await status(env)).toMatchObject({ pid: child.pid, calls: 4 });
  });

  it("runs a family's own modes too, printing what a call of its own prints", async () => {
    const env = serverEnv();
    await startServer(env);
    const scifact = join(REPO, 'benchmarks', 'scifact');
    const args = ['eval', 'rerank', '--qrels', join(scifact, 'qrels', 'test.tsv')];
    const run = [...args, '--run', join(scifact, 'candidates.bm25.trec'), '--complete', '--metrics', 'ndcg_cut.10,map'];
    const own = await trueboard(run, { ...env, TRUEBOARD_EVAL_SERVER: 'off' });
    const served = await trueboard(run, env);
    expect(own.code, own.stderr).toBe(0);
    expect(served).toEqual(own);
    expect(served.stdout).toMatch(/^ndcg_cut_10\s+all\s+0\.6789$/m);
    const missing = await trueboard([...args, '--run', join(scifact, 'nope.trec')], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^trueboard: .*nope\.trec/m);

    // an output of megabytes, written at once
    const big = mkdtempSync(join(scratch, 'big-'));
    const ids = Array.from({ length: 60_000 }, (_, i) => `q${i}`);
    writeFileSync(join(big, 'qrels.txt'), ids.map((q) => `${q} 0 d${q} 1\n`).join(''));
    writeFileSync(join(big, 'run.trec'), ids.map((q) => `${q} Q0 d${q} 1 1.0 t\n`).join(''));
    const perQuery = ['eval', 'rerank', '--qrels', join(big, 'qrels.txt'), '--run', join(big, 'run.trec')];
    const perQueryArgs = [...perQuery, '--metrics', 'recip_rank', '--per-query'];
    const ownBig = await trueboard(perQueryArgs, { ...env, TRUEBOARD_EVAL_SERVER: 'off' });
    expect(ownBig.stdout.length).toBeGreaterThan(1024 * 1024);
    expect(await trueboard(perQueryArgs, env)).toEqual(ownBig);

    // a cross-encoder (its ONNX worker started by the server), with the run it writes and says it wrote
    const dir = mkdtempSync(join(scratch, 'model-'));
    await writeTestModel(join(dir, 'model'));
    const model = (name: string) => [
      'eval',
      'rerank',
      '--dataset',
      scifact,
      '--model',
      join(dir, 'model'),
      '--write-run',
      join(dir, `${name}.trec`),
    ];
    const ownModel = await trueboard(model('own'), { ...env, TRUEBOARD_EVAL_SERVER: 'off' });
    const servedModel = await trueboard(model('served'), env);
    expect(ownModel.code, ownModel.stderr).toBe(0);
    expect(servedModel.code, servedModel.stderr).toBe(0);
    expect(servedModel.stdout).toBe(ownModel.stdout);
    expect(servedModel.stderr).toBe(ownModel.stderr.replaceAll('own.trec', 'served.trec'));
    expect(servedModel.stderr).toContain(`written to ${join(dir, 'served.trec')}`);
    expect(readFileSync(join(dir, 'served.trec'), 'utf8')).toBe(readFileSync(join(dir, 'own.trec'), 'utf8'));
    expect((await status(env))?.calls).toBe(4);
  });

  it('prepares a dataset again when one of its files changed', async () => {
    const env = serverEnv();
    await startServer(env);
    const dataset = join(mkdtempSync(join(scratch, 'ds-')), 'spider-dev');
    cpSync(SPIDER, dataset, { recursive: true });
    const dir = mkdtempSync(join(scratch, 'edit-'));
    const before = await trueboard(evalArgs(CODES, join(dir, 'before.json'), dataset), env);
    expect(before.code, before.stderr).toBe(0);
    const first = (file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8')).examples[0];
    // CodeS-1B's first query is the gold one: right
    expect(first('before.json').verdict).toBe(1);

    const gold = join(dataset, 'dev_gold.sql');
    const lines = readFileSync(gold, 'utf8').split('\n');
    expect(lines[0]).toBe('SELECT count(*) FROM singer\tconcert_singer');
    lines[0] = 'SELECT count(*) + 1 FROM singer\tconcert_singer';
    writeFileSync(gold, lines.join('\n'));
    const after = await trueboard(evalArgs(CODES, join(dir, 'after.json'), dataset), env);
    expect(after.code, after.stderr).toBe(0);
    expect(first('after.json').verdict).toBe(0);
    expect((await status(env))?.calls).toBe(2);
  });

  it('gives another environment a server of its own', async () => {
    const env = serverEnv();
    await startServer(env);
    // npm, npx and pyenv put their own directories first on the PATH: the same server
    const npx = { ...env, PATH: `${join(REPO, 'node_modules', '.bin')}:${process.env.PATH}` };
    expect(await status(npx)).not.toBeNull();
    // another umask: the reports would be written with other permissions
    const private077 = spawnSync(
      'sh',
      ['-c', 'umask 077 && exec "$0" "$@"', process.execPath, BIN, 'eval-server', 'status'],
      {
        env: { ...process.env, ...env },
        encoding: 'utf8',
      },
    );
    expect(private077.stdout).toMatch(/^no resident evaluator runs/);
    const other = { ...env, TRUEBOARD_SQL_TEST_SETTING: 'another value' };
    servers.push({ env: other });
    expect(await status(other)).toBeNull();
    const dir = mkdtempSync(join(scratch, 'env-'));
    const r = await trueboard(evalArgs(CODES, join(dir, 'r.json')), other);
    expect(r.code, r.stderr).toBe(0);
    // that call ran in its own process, and started the other environment's server
    expect((await status(env))?.calls).toBe(0);
    const second = await running(other);
    expect(second.pid).not.toBe((await status(env))?.pid);
    expect(readdirSync(env.TRUEBOARD_EVAL_SERVER_DIR as string).filter((f) => f.endsWith('.sock'))).toHaveLength(2);
  });

  it('runs a call that comes while it is busy in the caller, cancels a call on Ctrl-C, stopping its runaway query, and serves the next call', async () => {
    const env = serverEnv();
    const child = await startServer(env);
    const dir = mkdtempSync(join(scratch, 'cancel-'));
    const { caller, ended } = runawayCall(env, dir);
    // the call is on the server once the server counts it
    await waitFor('the call to arrive', async () => (await status(env))?.calls === 1);
    // meanwhile, another call is not queued behind it: it runs in its own process
    const parallel = await trueboard(evalArgs(CODES, join(dir, 'parallel.json')), env);
    expect(parallel.code, parallel.stderr).toBe(0);
    expect(parallel.stdout).toMatch(/^ex\s+bird\s+76\.44\s/m);
    expect((await status(env))?.calls).toBe(1);
    caller.kill('SIGINT');
    expect(await ended).toBe(130);
    // with the runaway still running (600 s), this call would wait for it past the test's timeout
    const next = await trueboard(evalArgs(CODES, join(dir, 'next.json')), env);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stdout).toMatch(/^ex\s+bird\s+76\.44\s/m);
    expect(await status(env)).toMatchObject({ pid: child.pid, calls: 2 });
  });

  it('a server killed in the middle: the caller says so; the next call evaluates in its own process and starts a new server', async () => {
    const env = serverEnv();
    const child = await startServer(env);
    const dir = mkdtempSync(join(scratch, 'killed-'));
    const { ended, stderr } = runawayCall(env, dir);
    // killed once the call printed its first progress (every example but the runaway gets scored)
    await waitFor('progress of the call', async () => stderr().includes('%'));
    child.kill('SIGKILL');
    expect(await ended).toBe(1);
    expect(stderr()).toContain('trueboard: the resident evaluator stopped in the middle of this evaluation');
    expect(stderr()).toContain('TRUEBOARD_EVAL_SERVER=off');
    // its socket file is left behind: the next call finds nobody there, evaluates itself, and the
    // server it starts replaces the stale file
    const next = await trueboard(evalArgs(CODES, join(dir, 'next.json')), env);
    expect(next.code, next.stderr).toBe(0);
    const fresh = await running(env);
    expect(fresh.pid).not.toBe(child.pid);
    expect(processAlive(child.pid)).toBe(false);
  });

  it('stopped with a call running: cancels it, saying why, and exits', async () => {
    const env = serverEnv();
    const child = await startServer(env);
    const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    const { ended, stderr } = runawayCall(env, mkdtempSync(join(scratch, 'stop-')));
    await waitFor('progress of the call', async () => stderr().includes('%'));
    const stop = await trueboard(['eval-server', 'stop'], env);
    expect(stop.stdout).toBe('stopped\n');
    expect(await ended).toBe(130);
    expect(stderr()).toContain(
      'trueboard: the resident evaluator stopped (asked to by trueboard eval-server stop); run the command again',
    );
    expect(await exited).toBe(0);
  });

  it('exits when unused, removing its socket', async () => {
    const env = serverEnv({ TRUEBOARD_EVAL_SERVER_IDLE_S: '1' });
    const child = await startServer(env);
    const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    expect(await exited).toBe(0);
    expect(readdirSync(env.TRUEBOARD_EVAL_SERVER_DIR as string).filter((f) => f.endsWith('.sock'))).toEqual([]);
  });

  it('never starts in, nor talks to a server in, a directory other users may enter', async () => {
    const env = serverEnv();
    const dir = env.TRUEBOARD_EVAL_SERVER_DIR as string;
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o755);
    // someone else's server where ours would listen: it must get nothing
    const none = await trueboard(['eval-server', 'status'], env);
    const socket = /\((\/.*\.sock)\)/.exec(none.stdout)?.[1] as string;
    expect(socket.startsWith(dir)).toBe(true);
    let connections = 0;
    const impostor = createServer((s) => {
      connections++;
      s.end(`${JSON.stringify({ t: 'out', d: 'ex bird 100.00\n' })}\n${JSON.stringify({ t: 'exit', code: 0 })}\n`);
    });
    await new Promise<void>((resolve) => impostor.listen(socket, resolve));
    const out = mkdtempSync(join(scratch, 'open-'));
    const r = await trueboard(evalArgs(CODES, join(out, 'r.json')), env);
    impostor.close();
    expect(connections).toBe(0);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ex\s+bird\s+76\.44\s/m);
    expect(r.stderr).toContain(`trueboard: no resident evaluator: ${dir} may be entered by other users (mode 755)`);
    const manual = await trueboard(['eval-server', 'run'], env);
    expect(manual.code).toBe(1);
    expect(manual.stderr).toContain('may be entered by other users');
    expect(readdirSync(dir).filter((f) => f.endsWith('.log'))).toEqual([]);
  });
});
