import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@trueboard/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { askServer } from '../src/eval-server/client';
import { buildId } from '../src/eval-server/place';

/*
 * A resident evaluator whose build is replaced (`npm run build`, an upgrade) goes: new calls get a
 * server of the new build anyway (the build is part of its key), and the old one's chunks may be
 * gone. Run from source with a build file of the test's own, so the real dist/ is never touched.
 */

const scratch = mkdtempSync(join(tmpdir(), 'tb-eval-server-build-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('a resident evaluator', () => {
  it('goes when its build is replaced, and not before', async () => {
    const dir = join(scratch, 'server');
    const build = join(scratch, 'inputs.json');
    writeFileSync(build, '{"inputs":{}}\n');
    const place = {
      dir,
      socket: join(dir, 'eval-test.sock'),
      log: join(dir, 'eval-test.log'),
      key: 'test',
      idleMs: 600_000,
      build: { file: build, id: buildId(statSync(build)) },
    };
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'eval-server-at.ts'), JSON.stringify(place)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const pid = async () => {
        const s = await askServer(place, { t: 'status' });
        return s && s !== 'stopped' ? s.pid : undefined;
      };
      const first = await waitFor('the server to answer', pid, 30_000);
      // several checks of an unchanged build later, it still serves
      await new Promise((resolve) => setTimeout(resolve, 4500));
      expect(await pid()).toBe(first);
      writeFileSync(build, '{"inputs":{"src/bin.ts":"changed"}}\n');
      expect(
        await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 15_000))]),
      ).toBe(0);
      expect(out).toMatch(/stopping: its build was replaced/);
      expect(existsSync(place.socket)).toBe(false);
    } finally {
      child.kill();
    }
  }, 60_000);
});
