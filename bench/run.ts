/**
 * `npm run bench -- <name>`: speed benchmarks that print a ratio against a baseline measured in
 * the same run. Tests never assert timings; these scripts do the measuring.
 */
const benches: Record<string, () => Promise<void>> = {
  text2sql: async () => (await import('./text2sql')).main(),
  web: async () => (await import('./web')).main(),
  flood: async () => (await import('./flood')).main(),
  rerank: async () => (await import('./rerank')).main(),
};

const name = process.argv[2];
const bench = name ? benches[name] : undefined;
if (!bench) {
  process.stderr.write(`usage: npm run bench -- <${Object.keys(benches).join('|')}>\n`);
  process.exit(2);
}
await bench();
