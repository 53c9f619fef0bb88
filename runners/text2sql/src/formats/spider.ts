import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FormatError, type Text2SqlDataset, type Text2SqlExample } from '../dataset';
import { readJson } from './read-json';

interface SpiderEntry {
  db_id?: unknown;
  question?: unknown;
  query?: unknown;
}

/**
 * Spider layout: `dev.json` (db_id, question, query), `dev_gold.sql` (`SQL<TAB>db_id` per line, in
 * dev.json order; when present it is the gold, as the official evaluator reads it), and
 * `database/<db>/<db>.sqlite`. Example ids are positions in dev.json.
 */
export function loadSpider(root: string, files = { questions: 'dev.json', gold: 'dev_gold.sql' }): Text2SqlDataset {
  const questionsPath = join(root, files.questions);
  const raw = readJson(questionsPath);
  if (!Array.isArray(raw)) throw new FormatError(`${questionsPath}: expected a JSON array of examples`);
  const goldPath = join(root, files.gold);
  const goldLines = existsSync(goldPath) ? readFileSync(goldPath, 'utf8').split('\n') : null;
  if (goldLines && goldLines.at(-1) === '') goldLines.pop();
  if (goldLines && goldLines.length !== raw.length) {
    throw new FormatError(`${goldPath}: ${goldLines.length} lines but ${questionsPath} has ${raw.length} examples`);
  }
  const examples: Text2SqlExample[] = raw.map((e: SpiderEntry, i: number) => {
    const where = `${questionsPath}: example ${i}`;
    if (typeof e?.db_id !== 'string') throw new FormatError(`${where}: missing "db_id"`);
    if (typeof e.question !== 'string') throw new FormatError(`${where}: missing "question"`);
    let goldSql = typeof e.query === 'string' ? e.query : undefined;
    const line = goldLines?.[i];
    if (line !== undefined) {
      const [sql, dbId] = line.split('\t');
      if (dbId !== undefined && dbId.trim() !== e.db_id) {
        throw new FormatError(
          `${goldPath}: line ${i + 1}: db_id "${dbId.trim()}" but ${questionsPath} says "${e.db_id}"`,
        );
      }
      goldSql = sql?.trim();
    }
    if (!goldSql) throw new FormatError(`${where}: missing "query" (and no ${files.gold} line)`);
    return { id: String(i), dbId: e.db_id, question: e.question, goldSql };
  });
  return {
    format: 'spider',
    examples,
    dbPath: (dbId) => join(root, 'database', dbId, `${dbId}.sqlite`),
  };
}
