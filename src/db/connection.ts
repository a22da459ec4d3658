import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type pino from 'pino';

import type { Database } from './schema.js';
import { StatementCache } from './statement-cache.js';

/** Path that better-sqlite3 treats as a private in-memory database. */
export const IN_MEMORY_PATH = ':memory:';

/**
 * Milliseconds a statement waits for another connection's write lock before failing with
 * `SQLITE_BUSY`. The migration CLI or an operator's sqlite3 shell may hold the lock briefly.
 */
const BUSY_TIMEOUT_MS = 5000;

/**
 * Opens the SQLite file at `path` (creating it and its parent folder if missing) and wraps it
 * in a typed Kysely instance. The schema is not migrated here: call `migrateToLatest` next.
 *
 * The connection uses WAL journaling, so readers never block the single writer. Foreign keys
 * are enforced because the cascades in the schema depend on them. SQLite's default is off, and
 * better-sqlite3 12 builds with them on, but the pragma is set rather than relying on that.
 * `synchronous=NORMAL` in WAL mode may lose the last commits on power loss but keeps the file
 * consistent. `:memory:` is accepted, and its journal mode stays `memory` because WAL needs a
 * file. Prepared statements are reused by their SQL text (see `StatementCache`).
 */
/** Attempts at switching a file to WAL, and the pause between them, in milliseconds. */
const WAL_ATTEMPTS = 20;
const WAL_RETRY_DELAY_MS = 50;

/**
 * Switches the connection to WAL journaling, which needs an exclusive lock. When waiting for
 * that lock could deadlock with another connection, SQLite reports SQLITE_BUSY at once instead
 * of waiting for the busy timeout. That happened when two processes opened and migrated one
 * new file together, so the switch is tried again for about a second.
 */
export function setJournalModeWal(sqlite: Pick<SqliteDatabase.Database, 'pragma'>): void {
  for (let attempt = 1; ; attempt += 1) {
    try {
      sqlite.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      const busy = (error as { code?: unknown }).code === 'SQLITE_BUSY';
      if (!busy || attempt >= WAL_ATTEMPTS) throw error;
      // Start-up only: a short synchronous pause keeps `openDatabase` synchronous.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, WAL_RETRY_DELAY_MS);
    }
  }
}

export function openDatabase(path: string, logger?: pino.Logger): Kysely<Database> {
  if (path !== IN_MEMORY_PATH) {
    mkdirSync(dirname(path), { recursive: true });
  }

  const sqlite = new SqliteDatabase(path);
  try {
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    setJournalModeWal(sqlite);
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('synchronous = NORMAL');
  } catch (error) {
    sqlite.close();
    throw new Error(`Failed to configure SQLite database "${path}": ${String(error)}`, {
      cause: error,
    });
  }

  logger?.info(
    { path, journalMode: sqlite.pragma('journal_mode', { simple: true }) },
    'database opened',
  );

  return new Kysely<Database>({ dialect: new SqliteDialect({ database: new StatementCache(sqlite) }) });
}
