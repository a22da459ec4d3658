/**
 * Runs the same Kysely work on two in-memory databases, one with better-sqlite3 as Kysely
 * uses it by default and one through `StatementCache`, and compares what each returns or
 * throws. Reusing a statement must not change a result: after an error, after a stream that
 * was left early or threw, inside a rolled-back transaction, or for RETURNING.
 *
 * Kysely 0.28 runs no other query while a stream is open, not even inside a transaction,
 * because the query waits for the connection the stream keeps. So through Kysely a cached
 * statement is never requested while it is busy. tests/unit/db/statement-cache.test.ts
 * covers that case on better-sqlite3 directly.
 */

import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql, type Generated } from 'kysely';
import { describe, expect, it } from 'vitest';

import { StatementCache } from '../../../src/db/statement-cache.js';

interface NotesSchema {
  notes: { id: Generated<number>; slug: string; body: string };
}

/** One step's result: returned rows or values, or the message of the error thrown. */
type Transcript = unknown[];

type Scenario = (db: Kysely<NotesSchema>, transcript: Transcript) => Promise<void>;

function openNotes(withCache: boolean): { db: Kysely<NotesSchema>; cache: StatementCache | undefined } {
  const sqlite = new Database(':memory:');
  sqlite.exec(`create table notes (id integer primary key, slug text not null unique, body text not null);
    insert into notes (slug, body) values ('a', '{"n":1}'), ('b', '{"n":2}'), ('c', '{"n":3}')`);
  const cache = withCache ? new StatementCache(sqlite) : undefined;
  return { db: new Kysely<NotesSchema>({ dialect: new SqliteDialect({ database: cache ?? sqlite }) }), cache };
}

/** Runs `step` and records its result, or the message of what it threw. */
async function record(transcript: Transcript, step: () => Promise<unknown>): Promise<void> {
  try {
    transcript.push(await step());
  } catch (error) {
    transcript.push(`error: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Returns the transcripts of `scenario` run without and with the statement cache. */
async function runBoth(scenario: Scenario): Promise<{ plain: Transcript; cached: Transcript }> {
  const results: Transcript[] = [];
  for (const withCache of [false, true]) {
    const { db } = openNotes(withCache);
    const transcript: Transcript = [];
    try {
      await scenario(db, transcript);
    } finally {
      await db.destroy();
    }
    results.push(transcript);
  }
  return { plain: results[0]!, cached: results[1]! };
}

const selectSlugs = (db: Kysely<NotesSchema>) => db.selectFrom('notes').select(['id', 'slug']).orderBy('id');

const scenarios: Record<string, Scenario> = {
  'stream left early': async (db, transcript) => {
    for await (const row of selectSlugs(db).stream()) {
      transcript.push(row);
      break;
    }
    await record(transcript, () => selectSlugs(db).execute());
  },

  'stream that throws midway': async (db, transcript) => {
    const values = (kysely: Kysely<NotesSchema>) =>
      kysely.selectFrom('notes').select(['slug', sql<number>`json_extract(body, '$.n')`.as('n')]).orderBy('id');
    await db.updateTable('notes').set({ body: '{broken' }).where('slug', '=', 'b').execute();
    await record(transcript, async () => {
      const rows: unknown[] = [];
      for await (const row of values(db).stream()) rows.push(row);
      return rows;
    });
    await db.updateTable('notes').set({ body: '{"n":2}' }).where('slug', '=', 'b').execute();
    await record(transcript, () => values(db).execute());
  },

  'insert returning after a constraint error': async (db, transcript) => {
    const insert = (slug: string) => db.insertInto('notes').values({ slug, body: '{}' }).returning(['id', 'slug']).execute();
    await record(transcript, () => insert('a'));
    await record(transcript, () => insert('d'));
    await record(transcript, () => insert('d'));
    await record(transcript, () => insert('e'));
  },

  'insert on conflict do nothing returning': async (db, transcript) => {
    const insert = (slug: string) =>
      db
        .insertInto('notes')
        .values({ slug, body: '{}' })
        .onConflict((conflict) => conflict.column('slug').doNothing())
        .returning('id')
        .execute();
    await record(transcript, () => insert('a'));
    await record(transcript, () => insert('f'));
    await record(transcript, () => insert('f'));
  },

  'transaction rolled back, then repeated': async (db, transcript) => {
    const attempt = (slugs: string[]) =>
      db.transaction().execute(async (trx) => {
        for (const slug of slugs) await trx.insertInto('notes').values({ slug, body: '{}' }).execute();
        return slugs.length;
      });
    await record(transcript, () => attempt(['g', 'a']));
    await record(transcript, () => attempt(['g', 'h']));
    await record(transcript, () => selectSlugs(db).execute());
  },
};

describe('StatementCache against plain better-sqlite3', () => {
  for (const [name, scenario] of Object.entries(scenarios)) {
    it(`matches for ${name}`, async () => {
      const { plain, cached } = await runBoth(scenario);

      expect(cached).toEqual(plain);
    });
  }

  it('keeps no statement busy after the scenarios', async () => {
    const { db, cache } = openNotes(true);
    try {
      for (const scenario of Object.values(scenarios)) await scenario(db, []).catch(() => undefined);
      const sqlText = selectSlugs(db).compile().sql;

      const statement = cache!.prepare(sqlText) as unknown as Database.Statement;

      expect(statement.busy).toBe(false);
      expect(cache!.prepare(sqlText)).toBe(statement);
    } finally {
      await db.destroy();
    }
  });
});
