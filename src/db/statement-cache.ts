import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** Maximum number of distinct SQL texts kept prepared. */
const DEFAULT_CAPACITY = 256;

/**
 * The better-sqlite3 connection in the shape Kysely's SQLite dialect expects, with prepared statements
 * reused by their SQL text. Kysely prepares every query it runs, and SQLite parsing and
 * planning the same text again on every call was about a tenth of the bot's CPU time per
 * chat turn in a CPU profile of the throughput benchmark (BENCHMARKS.md, part 1b). Kysely
 * binds values as parameters, so the set of texts stays small. When it reaches `capacity`,
 * the statement prepared first is dropped.
 *
 * A statement still being iterated (`busy`) cannot run a second query, so a fresh one is
 * prepared for that call. SQLite prepares a cached statement again by itself when a migration
 * changes the schema.
 */
export class StatementCache implements SqliteDatabase {
  readonly #db: BetterSqlite3.Database;
  readonly #capacity: number;
  readonly #statements = new Map<string, BetterSqlite3.Statement>();

  constructor(db: BetterSqlite3.Database, capacity = DEFAULT_CAPACITY) {
    this.#db = db;
    this.#capacity = capacity;
  }

  /** Number of statements cached, read by tests. */
  get size(): number {
    return this.#statements.size;
  }

  prepare(sql: string): SqliteStatement {
    const cached = this.#statements.get(sql);
    if (cached !== undefined) return cached.busy ? this.#db.prepare(sql) : cached;
    const statement = this.#db.prepare(sql);
    // A Map iterates in insertion order, so its first key is the oldest statement.
    if (this.#statements.size >= this.#capacity) this.#statements.delete(this.#statements.keys().next().value!);
    this.#statements.set(sql, statement);
    return statement;
  }

  close(): void {
    this.#statements.clear();
    this.#db.close();
  }
}
