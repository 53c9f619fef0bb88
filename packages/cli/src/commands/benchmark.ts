import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expandFiles, mediaTypeOf, readManifest } from '@trueboard/core';
import type { Command } from 'commander';
import { uploadAssets } from '../asset-upload';
import { sha256File } from '../hash';
import { rest, type ServerOptions, trpcClient } from '../http';
import { serverOption, tokenOption } from '../options';
import { errorMessage, fail, progressBar } from '../output';

export function registerBenchmarkCommand(program: Command) {
  const bench = program.command('benchmark').description('benchmarks');
  bench
    .command('import <dir>')
    .description(
      'register a benchmark and its dataset version 1 from <dir>/manifest.json (uploads the data files and assets)',
    )
    .addOption(serverOption())
    .addOption(tokenOption('API token of a maintainer'))
    .action(async (dir: string, o) => {
      if (!o.token) fail('an API token is required: --token tbu_… or TRUEBOARD_TOKEN');
      const auth: ServerOptions = { server: o.server, token: o.token };
      try {
        const manifest = await readManifest(dir);
        const paths = await expandFiles(dir, manifest.files);
        if (paths.length === 0) fail(`${join(dir, 'manifest.json')}: "files" matched no files`);
        const bar = progressBar('uploading', paths.length);
        const files = [];
        for (const [i, path] of paths.entries()) {
          const abs = join(dir, path);
          const expected = await sha256File(abs);
          const up = await rest<{ sha256: string; size: number }>(auth, '/api/blobs', {
            method: 'POST',
            headers: { 'content-type': mediaTypeOf(path) },
            body: await readFile(abs),
          });
          if (up.sha256 !== expected) throw new Error(`${path}: the server stored a different hash; upload corrupted`);
          files.push({ path, sha256: up.sha256, size: up.size });
          bar.update(i + 1, path);
        }
        bar.stop();
        for (const a of await uploadAssets(auth, dir, manifest, files)) {
          process.stdout.write(`asset ${a.name}: ${a.how} (${a.sha256.slice(0, 12)})\n`);
        }
        const r = await trpcClient(auth).benchmarks.register.mutate({ manifest, files });
        process.stdout.write(
          `${r.benchmark}: ${r.created ? `registered version ${r.version}` : 'already registered with identical data'} (${r.files} files, ${r.contentHash.slice(0, 12)})\n`,
        );
      } catch (err) {
        fail(errorMessage(err));
      }
    });
}
