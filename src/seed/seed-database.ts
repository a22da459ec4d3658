import type { Kysely, Transaction } from 'kysely';
import type pino from 'pino';

import type { Database } from '../db/schema.js';
import type { SeedData } from './load-seed-data.js';
import { buildSeedRows, type SeedRows } from './rows.js';

/** A table that `seedDatabase` fills. */
export type SeedTable = keyof SeedRows;

/**
 * Natural key of each seeded table: a seed row is inserted only when no row with the same
 * values in these columns exists. Each list matches a primary key or unique constraint of the
 * migrations, which `ON CONFLICT` requires.
 */
export const SEED_NATURAL_KEYS = {
  system_configs: ['key'],
  api_configs: ['name'],
  model_configs: ['name'],
  persona_configs: ['name'],
  ai_identity_config: ['id'],
  conversation_summary_settings: ['id'],
  image_gen_configs: ['name'],
  theme_configs: ['name'],
  ui_text_configs: ['key', 'locale'],
} as const satisfies { [T in SeedTable]: readonly (keyof Database[T] & string)[] };

/** Tables in the order they are seeded. */
const SEED_TABLES = Object.keys(SEED_NATURAL_KEYS) as SeedTable[];

/** Rows inserted per table by one `seedDatabase` call; 0 where every row already existed. */
export interface SeedReport {
  inserted: Record<SeedTable, number>;
  /** Sum of `inserted`. */
  total: number;
}

/**
 * Inserts every seed row whose natural key (see `SEED_NATURAL_KEYS`) is not in the database
 * yet, in one transaction, so a failure leaves the tables as they were.
 *
 * Existing rows are never updated: a value an admin changed at run time survives restarts,
 * and a seed file edited after the first start only adds what is new. To apply a changed
 * default to an existing row, change the row itself.
 *
 * `now` sets `created_at` and `updated_at` of the inserted rows.
 */
export async function seedDatabase(
  db: Kysely<Database>,
  data: SeedData,
  logger: pino.Logger,
  now: Date = new Date(),
): Promise<SeedReport> {
  const rows = buildSeedRows(data, now);

  const inserted = await db.transaction().execute(async (trx) => {
    const counts = {} as Record<SeedTable, number>;
    for (const table of SEED_TABLES) {
      counts[table] = await insertMissingRows(trx, table, rows);
    }
    return counts;
  });

  const total = Object.values(inserted).reduce((sum, count) => sum + count, 0);
  logger.info({ inserted, total }, total > 0 ? 'seed rows inserted' : 'seed rows already present');
  return { inserted, total };
}

/** Inserts the rows of `table` one by one, skipping those whose natural key exists. */
async function insertMissingRows(
  trx: Transaction<Database>,
  table: SeedTable,
  rows: SeedRows,
): Promise<number> {
  const conflictColumns = [...SEED_NATURAL_KEYS[table]];
  let count = 0;

  for (const row of rows[table]) {
    // Kysely cannot relate a row type to a table chosen at run time, so the row is checked
    // against the table's type where `SeedRows` is built instead of here.
    const result = await trx
      .insertInto(table)
      .values(row as never)
      .onConflict((conflict) => conflict.columns(conflictColumns as never).doNothing())
      .executeTakeFirst();
    count += Number(result.numInsertedOrUpdatedRows ?? 0n);
  }

  return count;
}
