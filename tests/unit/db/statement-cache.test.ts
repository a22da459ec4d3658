import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql, type Generated } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { openDatabase } from '../../../src/db/connection.js';
import { StatementCache } from '../../../src/db/statement-cache.js';

const SELECT_ITEMS = 'select id, name from items order by id';

let sqlite: Database.Database;

beforeEach(() => {
  sqlite = new Database(':memory:');
  sqlite.exec("create table items (id integer primary key, name text not null); insert into items (name) values ('a'), ('b'), ('c')");
});

afterEach(() => {
  if (sqlite.open) sqlite.close();
});

/** better-sqlite3's statement type, which adds `busy` to what Kysely's interface declares. */
function asBetterSqlite(statement: unknown): Database.Statement {
  return statement as Database.Statement;
}

describe('StatementCache.prepare', () => {
  it('reuses the statement for the same SQL', () => {
    const cache = new StatementCache(sqlite);

    const first = cache.prepare(SELECT_ITEMS);
    const second = cache.prepare(SELECT_ITEMS);

    expect(second).toBe(first);
    expect(cache.size).toBe(1);
  });

  it('prepares another statement for different SQL', () => {
    const cache = new StatementCache(sqlite);

    const byId = cache.prepare(SELECT_ITEMS);
    const byName = cache.prepare('select id, name from items order by name');

    expect(byName).not.toBe(byId);
    expect(cache.size).toBe(2);
  });

  it('runs a reused statement with new parameters', () => {
    const cache = new StatementCache(sqlite);
    const query = 'select name from items where id = ?';

    const first = cache.prepare(query).all([1]);
    const second = cache.prepare(query).all([3]);

    expect(first).toEqual([{ name: 'a' }]);
    expect(second).toEqual([{ name: 'c' }]);
  });

  it('drops the oldest statement at capacity', () => {
    const cache = new StatementCache(sqlite, 2);

    const oldest = cache.prepare('select 1');
    const middle = cache.prepare('select 2');
    const newest = cache.prepare('select 3');

    expect(cache.size).toBe(2);
    expect(cache.prepare('select 2')).toBe(middle);
    expect(cache.prepare('select 3')).toBe(newest);

    const prepared = cache.prepare('select 1');

    expect(prepared).not.toBe(oldest);
    expect(prepared.all([])).toEqual([{ '1': 1 }]);
    expect(cache.size).toBe(2);
  });

  it('prepares a fresh statement while the cached one is busy', () => {
    const cache = new StatementCache(sqlite);
    const cached = cache.prepare(SELECT_ITEMS);
    const iterator = cached.iterate([]);
    const firstRow = iterator.next();

    expect(firstRow.value).toEqual({ id: 1, name: 'a' });
    expect(asBetterSqlite(cached).busy).toBe(true);

    const fresh = cache.prepare(SELECT_ITEMS);

    expect(fresh).not.toBe(cached);
    expect(fresh.all([])).toEqual([
      { id: 1, name: 'a' },
      { id: 2, name: 'b' },
      { id: 3, name: 'c' },
    ]);

    const remaining = [...iterator];

    expect(remaining).toEqual([
      { id: 2, name: 'b' },
      { id: 3, name: 'c' },
    ]);
    expect(asBetterSqlite(cached).busy).toBe(false);
    expect(cache.prepare(SELECT_ITEMS)).toBe(cached);
    expect(cache.size).toBe(1);
  });
});

describe('StatementCache.close', () => {
  it('drops the statements and closes the database', () => {
    const cache = new StatementCache(sqlite);
    cache.prepare(SELECT_ITEMS);

    cache.close();

    expect(cache.size).toBe(0);
    expect(sqlite.open).toBe(false);
  });
});

interface ItemsSchema {
  items: { id: Generated<number>; name: string };
}

describe('StatementCache under Kysely', () => {
  it('returns the new column after a schema change', async () => {
    const cache = new StatementCache(sqlite);
    const db = new Kysely<ItemsSchema>({ dialect: new SqliteDialect({ database: cache }) });
    const selectAll = db.selectFrom('items').selectAll().where('id', '=', 1);

    try {
      const before = await selectAll.execute();
      const cachedSelect = cache.prepare(selectAll.compile().sql);

      expect(before).toEqual([{ id: 1, name: 'a' }]);

      await db.schema.alterTable('items').addColumn('note', 'text', (column) => column.notNull().defaultTo('none')).execute();
      const after = await selectAll.execute();

      expect(after).toEqual([{ id: 1, name: 'a', note: 'none' }]);
      expect(cache.prepare(selectAll.compile().sql)).toBe(cachedSelect);
    } finally {
      await db.destroy();
    }

    expect(sqlite.open).toBe(false);
  });

  it('runs a schema change through openDatabase', async () => {
    const db = openDatabase(':memory:');
    const selectText = sql<Record<string, unknown>>`select * from notes order by id`;

    try {
      await sql`create table notes (id integer primary key, body text not null)`.execute(db);
      await sql`insert into notes (body) values (${'first'})`.execute(db);

      const before = await selectText.execute(db);

      expect(before.rows).toEqual([{ id: 1, body: 'first' }]);

      await sql`alter table notes add column author text`.execute(db);
      await sql`insert into notes (body, author) values (${'second'}, ${'ada'})`.execute(db);
      const after = await selectText.execute(db);

      expect(after.rows).toEqual([
        { id: 1, body: 'first', author: null },
        { id: 2, body: 'second', author: 'ada' },
      ]);
    } finally {
      await db.destroy();
    }
  });

  it('returns insert ids on reuse', async () => {
    const db = new Kysely<ItemsSchema>({ dialect: new SqliteDialect({ database: new StatementCache(sqlite) }) });

    try {
      const firstInsert = await db.insertInto('items').values({ name: 'd' }).executeTakeFirstOrThrow();
      const secondInsert = await db.insertInto('items').values({ name: 'e' }).executeTakeFirstOrThrow();
      const deleted = await db.deleteFrom('items').where('name', 'in', ['d', 'e']).executeTakeFirstOrThrow();

      expect(firstInsert.insertId).toBe(4n);
      expect(secondInsert.insertId).toBe(5n);
      expect(deleted.numDeletedRows).toBe(2n);
    } finally {
      await db.destroy();
    }
  });
});
