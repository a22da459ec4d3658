import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * Detects commits that other connections made to the SQLite file: another bot process, the
 * migration CLI or an operator's sqlite3 shell. It reads `PRAGMA data_version`, which SQLite
 * changes only for commits made by other connections, so this process's own writes, which
 * its in-memory caches already follow, do not count.
 *
 * NOTE: SQLite only. On another database this needs a replacement, such as LISTEN/NOTIFY.
 */
export class OutsideWriteWatch {
  readonly #db: Kysely<Database>;
  #version: number | undefined;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /**
   * Returns whether another connection committed since the previous call. The first call
   * returns true, because nothing is known about the writes before it.
   */
  async changed(): Promise<boolean> {
    const result = await sql<{ data_version: number }>`PRAGMA data_version`.execute(this.#db);
    const version = Number(result.rows[0]?.data_version);
    const changed = version !== this.#version;
    this.#version = version;
    return changed;
  }
}
