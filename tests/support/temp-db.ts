import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Kysely } from 'kysely';

import { openDatabase } from '../../src/db/connection.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import type { Database } from '../../src/db/schema.js';

export interface TempDatabase {
  db: Kysely<Database>;
  /** Path of the SQLite file, for tests that open a second connection. */
  path: string;
  /** Destroys `db` and removes the folder with the file and its WAL files. */
  cleanup(): Promise<void>;
}

/**
 * Creates a SQLite file in a fresh temporary folder and migrates it to the latest schema.
 * A real file (not `:memory:`) so that WAL mode and second connections behave as in
 * production.
 */
export async function createTempDatabase(): Promise<TempDatabase> {
  const folder = await mkdtemp(join(tmpdir(), 'bot-db-'));
  const path = join(folder, 'test.sqlite');
  const db = openDatabase(path);

  const cleanup = async (): Promise<void> => {
    await db.destroy();
    await rm(folder, { recursive: true, force: true });
  };

  try {
    await migrateToLatest(db);
  } catch (error) {
    await cleanup();
    throw error;
  }

  return { db, path, cleanup };
}
