import { join } from 'node:path';
import { FormatError, type Text2SqlDataset } from '../dataset';
import { readJson } from './read-json';

interface BirdEntry {
  question_id?: unknown;
  db_id?: unknown;
  question?: unknown;
  evidence?: unknown;
  SQL?: unknown;
  difficulty?: unknown;
}

/** BIRD layout: `dev.json` array of {question_id, db_id, question, evidence, SQL, difficulty}, `dev_databases/<db>/<db>.sqlite`. */
export function loadBird(root: string, file = 'dev.json'): Text2SqlDataset {
  const path = join(root, file);
  const raw = readJson(path);
  if (!Array.isArray(raw)) throw new FormatError(`${path}: expected a JSON array of examples`);
  const seen = new Set<string>();
  const examples = raw.map((e: BirdEntry, i: number) => {
    const where = `${path}: example ${i}`;
    if (typeof e?.question_id !== 'number' && typeof e?.question_id !== 'string')
      throw new FormatError(`${where}: missing "question_id"`);
    const id = String(e.question_id);
    if (seen.has(id)) throw new FormatError(`${where}: duplicate question_id ${id}`);
    seen.add(id);
    if (typeof e.db_id !== 'string') throw new FormatError(`${where}: missing "db_id"`);
    if (typeof e.SQL !== 'string' || !e.SQL.trim()) throw new FormatError(`${where}: missing "SQL"`);
    return {
      id,
      dbId: e.db_id,
      question: typeof e.question === 'string' ? e.question : '',
      goldSql: e.SQL.trim(),
      evidence: typeof e.evidence === 'string' ? e.evidence : undefined,
      difficulty: typeof e.difficulty === 'string' ? e.difficulty : undefined,
    };
  });
  return { format: 'bird', examples, dbPath: (dbId) => join(root, 'dev_databases', dbId, `${dbId}.sqlite`) };
}
