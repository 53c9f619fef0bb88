#!/usr/bin/env node
// The `trueboard` command (`npx trueboard`, `npm run trueboard --`; bin/trueboard starts it). It
// runs the bundle in ../dist (`npm run build` makes it; `npm test` and `npm start` too), which
// starts in a fraction of the time the TypeScript takes through tsx. A bundle made from sources
// that changed since is never run: then the TypeScript runs through tsx, as in development, and a
// note says so.
//
// CommonJS, so that a `trueboard eval` the resident evaluator answers (see
// src/eval-server/client.ts) never starts Node's ES module loader nor loads the CLI bundle: it
// goes through dist/eval-client.cjs alone, 30 instead of 55 ms of client per call. Every other command, and an
// eval no server answers, imports the bundle.
'use strict';
const { readFileSync, statSync } = require('node:fs');
const { join } = require('node:path');

/** packages/cli/, ending in a separator: `statSync(root + file)` of the ~300 inputs takes 3 ms */
const root = `${join(__dirname, '..')}/`;

/**
 * Whether dist/ holds a bundle of the sources as they are now (null: there is none). A file not
 * touched since the build started is unchanged; one that was (a checkout, a restored cache) is
 * compared by content.
 */
function bundleIsCurrent() {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(`${root}dist/inputs.json`, 'utf8'));
  } catch {
    return null;
  }
  try {
    return Object.entries(manifest.inputs).every(([path, sha256]) => {
      const file = root + path;
      if (statSync(file).mtimeMs < manifest.builtAt) return true;
      const { createHash } = require('node:crypto');
      return createHash('sha256').update(readFileSync(file, 'utf8')).digest('hex') === sha256;
    });
  } catch {
    return false; // a source file is gone
  }
}

async function main() {
  const current = bundleIsCurrent();
  if (current) {
    if (process.argv[2] === 'eval') {
      const client = require('../dist/eval-client.cjs');
      const code = await client.evalThroughServer(process.argv.slice(2), `${root}dist`);
      if (code !== undefined) return client.exitWhenFlushed(code);
    }
    await import('../dist/trueboard.js');
    return;
  }
  if (current === false)
    process.stderr.write(
      'trueboard: the CLI bundle is older than its sources; running them through tsx (npm run build)\n',
    );
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/bin.ts');
}

main().catch((err) => {
  // what the bundle throws it reports itself; this is the launcher's own failure
  process.stderr.write(`trueboard: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
