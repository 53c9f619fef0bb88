/**
 * Preloaded with `--import` (through NODE_OPTIONS, so the SQL workers load it too): appends the
 * path or URL of every module the process resolves to the file TB_MODULE_LOG names, one per line.
 * ES modules are seen by a resolve hook, CommonJS ones (require, createRequire) by
 * Module._resolveFilename. bundle.test.ts reads the log to check what `trueboard eval` loads. With
 * TB_MODULE_LOG_PID set, each line starts with the pid of the process that loaded it.
 */
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';

const log = process.env.TB_MODULE_LOG;
const prefix = process.env.TB_MODULE_LOG_PID ? `${process.pid} ` : '';
if (log) {
  const hooks = `
    import { appendFileSync } from 'node:fs';
    let log;
    let prefix;
    export function initialize(data) { log = data.log; prefix = data.prefix; }
    export async function resolve(specifier, context, next) {
      const resolved = await next(specifier, context);
      appendFileSync(log, prefix + resolved.url + '\\n');
      return resolved;
    }`;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`, { data: { log, prefix } });
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function (...args) {
    const resolved = resolveFilename.apply(this, args);
    appendFileSync(log, `${prefix}${resolved}\n`);
    return resolved;
  };
}
