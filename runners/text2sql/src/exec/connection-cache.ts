import Database from 'better-sqlite3';

/**
 * Open read-only connections of one worker, least recently used evicted first. A connection is
 * never opened in a way that could create or write the file: `readonly` + `fileMustExist`.
 */
export class ConnectionCache {
  private readonly open = new Map<string, Database.Database>();

  constructor(private readonly capacity = 4) {}

  has(path: string): boolean {
    return this.open.has(path);
  }

  /** Throws better-sqlite3's SQLITE_CANTOPEN error when the file does not exist. */
  get(path: string): Database.Database {
    const found = this.open.get(path);
    if (found) {
      // re-insert to mark as most recently used
      this.open.delete(path);
      this.open.set(path, found);
      return found;
    }
    const db = new Database(path, { readonly: true, fileMustExist: true });
    this.open.set(path, db);
    for (const [oldPath, old] of this.open) {
      if (this.open.size <= this.capacity) break;
      this.open.delete(oldPath);
      old.close();
    }
    return db;
  }

  get size(): number {
    return this.open.size;
  }

  closeAll(): void {
    for (const db of this.open.values()) db.close();
    this.open.clear();
  }
}
