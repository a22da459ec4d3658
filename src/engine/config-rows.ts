import { performance } from 'node:perf_hooks';
import type { Kysely } from 'kysely';
import type { Database, IdentityRow, PersonaRow } from '../db/schema.js';
import { loadSummarySettings, type SummarySettings } from './history.js';

/**
 * How long the cached rows are trusted. Changes the bot makes itself (`/identity set`) drop the
 * cache at once, and so do writes from other connections (see `OutsideWriteWatch`). The age
 * limit bounds how long any other change goes unseen.
 */
export const CONFIG_ROWS_MAX_AGE_MS = 30_000;

/** The admin-edited rows every chat turn needs, read together. */
export interface ConfigRows {
  /** Active personas, the default first, then by `sort_order`. */
  personas: readonly PersonaRow[];
  /** `ai_identity_config` row 1, or undefined when it is missing. */
  identity: IdentityRow | undefined;
  summary: Readonly<SummarySettings>;
}

/**
 * Active personas, the identity row and the summary settings, kept in memory. These rows
 * change only when an admin edits them, yet every turn needs them, and reading them from
 * SQLite on each turn cost three statements. They are read again after `maxAgeMs`, or on the
 * next `get()` after `invalidate()`.
 */
export class ConfigRowCache {
  readonly #db: Kysely<Database>;
  readonly #now: () => number;
  readonly #maxAgeMs: number;
  #rows: ConfigRows | undefined;
  #loadedAt = 0;
  #loading: Promise<ConfigRows> | undefined;
  /** Bumped by `invalidate()`, so a read that started before it is not kept. */
  #generation = 0;

  /** `now` is in milliseconds; the default, `performance.now()`, never moves backwards. */
  constructor(db: Kysely<Database>, options: { now?: () => number; maxAgeMs?: number } = {}) {
    this.#db = db;
    this.#now = options.now ?? (() => performance.now());
    this.#maxAgeMs = options.maxAgeMs ?? CONFIG_ROWS_MAX_AGE_MS;
  }

  /** Returns the cached rows, read from the database when missing or older than `maxAgeMs`. */
  get(): Promise<ConfigRows> {
    // A clock that stepped back (a wall clock after a time sync) counts as expired.
    const age = this.#now() - this.#loadedAt;
    if (this.#rows !== undefined && age >= 0 && age < this.#maxAgeMs) return Promise.resolve(this.#rows);
    // Turns that arrive while a read runs share it rather than starting their own.
    if (this.#loading === undefined) {
      const loading = this.#load();
      const settle = () => {
        if (this.#loading === loading) this.#loading = undefined;
      };
      loading.then(settle, settle);
      this.#loading = loading;
    }
    return this.#loading;
  }

  /** Drops the cached rows. The next `get()` reads them again. */
  invalidate(): void {
    this.#rows = undefined;
    this.#loading = undefined;
    this.#generation += 1;
  }

  async #load(): Promise<ConfigRows> {
    const generation = this.#generation;
    const startedAt = this.#now();
    const [personas, identity, summary] = await Promise.all([
      this.#db
        .selectFrom('persona_configs')
        .selectAll()
        .where('is_active', '=', 1)
        .orderBy('is_default', 'desc')
        .orderBy('sort_order')
        .orderBy('id')
        .execute(),
      this.#db.selectFrom('ai_identity_config').selectAll().where('id', '=', 1).executeTakeFirst(),
      loadSummarySettings(this.#db),
    ]);
    const rows: ConfigRows = { personas, identity, summary };
    if (generation === this.#generation) {
      this.#rows = rows;
      this.#loadedAt = startedAt;
    }
    return rows;
  }
}
