import { Migrator, NO_MIGRATIONS } from 'kysely';
import type {
  Kysely,
  Migration,
  MigrationProvider,
  MigrationResultSet,
  NoMigrations,
} from 'kysely';
import type pino from 'pino';

import { migrations } from '../../migrations/index.js';

export { NO_MIGRATIONS };

/** A migration failed, or the migrator could not start. Earlier steps of the run stay applied. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';

  constructor(
    message: string,
    /** Name of the migration that failed, when one did. */
    readonly migrationName: string | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Names of all known migrations, oldest first. */
export function migrationNames(): string[] {
  return Object.keys(migrations).sort();
}

/** Runs of the migrator before `migrateToLatest` gives up. */
const MIGRATION_ATTEMPTS = 3;
/** Pause before the second run; it doubles before the third. */
const MIGRATION_RETRY_DELAY_MS = 250;

/**
 * Applies every pending migration. Throws `MigrationError` naming the migration that failed.
 * Each migration runs in its own transaction, so a failed one leaves no partial change behind.
 *
 * Kysely takes no migration lock on SQLite, so two processes that start on a new file at once
 * can both try the first migration, and the later one fails ("table already exists"). A
 * failed run is therefore retried: the next run reads which migrations the other process
 * applied and applies only the rest. A migration that fails on its own fails every run.
 */
export async function migrateToLatest(db: Kysely<any>, logger?: pino.Logger): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    const resultSet = await createMigrator(db).migrateToLatest();
    try {
      reportResults(resultSet, logger);
      return;
    } catch (error) {
      if (attempt >= MIGRATION_ATTEMPTS) throw error;
      logger?.warn({ err: error, attempt }, 'migration failed; retrying in case another process is migrating the same file');
      await new Promise((resolve) => setTimeout(resolve, MIGRATION_RETRY_DELAY_MS * 2 ** (attempt - 1)));
    }
  }
}

/**
 * Migrates up or down until `target` is the last applied migration. `NO_MIGRATIONS` undoes
 * every migration. Throws `MigrationError` as `migrateToLatest` does.
 */
export async function migrateTo(
  db: Kysely<any>,
  target: string | NoMigrations,
  logger?: pino.Logger,
): Promise<void> {
  const resultSet = await createMigrator(db).migrateTo(target);
  reportResults(resultSet, logger);
}

/** Undoes the last applied migration, if any. Throws `MigrationError` on failure. */
export async function migrateDown(db: Kysely<any>, logger?: pino.Logger): Promise<void> {
  const resultSet = await createMigrator(db).migrateDown();
  reportResults(resultSet, logger);
}

function createMigrator(db: Kysely<any>): Migrator {
  return new Migrator({ db, provider: transactionalProvider });
}

/**
 * Kysely does not wrap SQLite migrations in transactions (its SQLite adapter reports no
 * transactional DDL), although SQLite supports them. Without one, a migration that fails
 * halfway leaves tables behind that make the next attempt fail too.
 */
const transactionalProvider: MigrationProvider = {
  async getMigrations(): Promise<Record<string, Migration>> {
    const wrapped: Record<string, Migration> = {};
    for (const [name, migration] of Object.entries(migrations)) {
      wrapped[name] = inTransaction(migration);
    }
    return wrapped;
  },
};

function inTransaction(migration: Migration): Migration {
  const { up, down } = migration;
  return {
    up: (db) => db.transaction().execute((trx) => up(trx)),
    down: down === undefined ? undefined : (db) => db.transaction().execute((trx) => down(trx)),
  };
}

function reportResults(resultSet: MigrationResultSet, logger: pino.Logger | undefined): void {
  const { error, results = [] } = resultSet;

  for (const result of results) {
    if (result.status === 'Success') {
      logger?.info(
        { migration: result.migrationName, direction: result.direction },
        'migration applied',
      );
    }
  }

  if (error === undefined) {
    if (results.length === 0) logger?.debug('database schema already at target');
    return;
  }

  const failed = results.find((result) => result.status === 'Error');
  const reason = error instanceof Error ? error.message : String(error);
  if (failed === undefined) {
    throw new MigrationError(`Migration could not start: ${reason}`, undefined, { cause: error });
  }
  throw new MigrationError(
    `Migration "${failed.migrationName}" failed (${failed.direction}): ${reason}`,
    failed.migrationName,
    { cause: error },
  );
}
