import SqliteDatabase from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { OutsideWriteWatch } from '../../../src/db/outside-writes.js';
import { insertUser } from '../../support/db-fixtures.js';
import { createTempDatabase, type TempDatabase } from '../../support/temp-db.js';

const CREATED_AT = '2026-12-04T00:00:00.000Z';

describe('OutsideWriteWatch', () => {
  let temp: TempDatabase;
  let other: SqliteDatabase.Database;
  let watch: OutsideWriteWatch;

  beforeEach(async () => {
    temp = await createTempDatabase();
    other = new SqliteDatabase(temp.path);
    watch = new OutsideWriteWatch(temp.db);
  });

  afterEach(async () => {
    other.close();
    await temp.cleanup();
  });

  function insertFromOtherConnection(username: string): void {
    other.prepare('INSERT INTO users (username, created_at) VALUES (?, ?)').run(username, CREATED_AT);
  }

  it('reports a change on the first call', async () => {
    expect(await watch.changed()).toBe(true);
    expect(await watch.changed()).toBe(false);
  });

  it('ignores writes on its own connection', async () => {
    await watch.changed();

    await insertUser(temp.db, { username: 'telegram:1', created_at: CREATED_AT });

    expect(await watch.changed()).toBe(false);
  });

  it('reports a commit from another connection once', async () => {
    await watch.changed();

    insertFromOtherConnection('telegram:2');

    expect(await watch.changed()).toBe(true);
    expect(await watch.changed()).toBe(false);
  });

  it('ignores reads from another connection', async () => {
    await watch.changed();

    other.prepare('SELECT count(*) FROM users').get();

    expect(await watch.changed()).toBe(false);
  });
});
