/** One text-to-SQL question with its gold annotation, in any source format. */
export interface Text2SqlExample {
  /** stable id: the position in dev.json for Spider ("0", "1", …), question_id for BIRD */
  id: string;
  dbId: string;
  question: string;
  goldSql: string;
  evidence?: string;
  difficulty?: string;
}

export interface Text2SqlDataset {
  format: 'spider' | 'bird';
  examples: Text2SqlExample[];
  /** absolute path of a database file; it may not exist (Spider ships wta_1 without rows) */
  dbPath(dbId: string): string;
}

/** A problem in the dataset or the predictions that names the file and line or field. */
export class FormatError extends Error {
  override name = 'FormatError';
}
