import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const MODULE = pathToFileURL(fileURLToPath(new URL('../src/stray-rejections.ts', import.meta.url))).href;

/** A process that installs the guard (or not), lets a promise reject with nobody waiting, then says it lives. */
function run(guard: boolean) {
  const script = `
    const { surviveStrayRejections } = await import(${JSON.stringify(MODULE)});
    ${guard ? "surviveStrayRejections((m) => console.log('LOG ' + m));" : ''}
    // what a database driver did during the outage: a connection error on a promise no one awaits
    Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5'), { code: 'ECONNREFUSED', port: 5 }));
    setTimeout(() => console.log('ALIVE'), 100);
  `;
  return spawnSync(process.execPath, ['--import', TSX, '--input-type=module', '-e', script], { encoding: 'utf8' });
}

describe('surviveStrayRejections', () => {
  it('keeps the process running and prints the whole error', () => {
    const r = run(true);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('ALIVE');
    const line = r.stdout.split('\n').find((l) => l.startsWith('LOG ')) ?? '';
    expect(line).toContain('a background operation failed with nothing waiting for it; carrying on');
    expect(r.stdout).toContain('connect ECONNREFUSED 127.0.0.1:5');
    expect(r.stdout).toContain("code: 'ECONNREFUSED'");
  });

  it('without it Node stops the process (what took the server down)', () => {
    const r = run(false);
    expect(r.status).not.toBe(0);
    expect(r.stdout).not.toContain('ALIVE');
    expect(r.stderr).toContain('ECONNREFUSED');
  });
});
