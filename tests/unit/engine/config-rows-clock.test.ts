/**
 * `ConfigRowCache` promises that an edit made straight in the database is seen within
 * `CONFIG_ROWS_MAX_AGE_MS`. These tests move the injected clock the way a wall clock can
 * move (backwards after a time sync) and check what `get()` returns after an edit.
 */

import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { CONFIG_ROWS_MAX_AGE_MS, ConfigRowCache } from '../../../src/engine/config-rows.js';
import { loadSeedData } from '../../../src/seed/load-seed-data.js';
import { seedDatabase } from '../../../src/seed/seed-database.js';
import { createTempDatabase, type TempDatabase } from '../../support/temp-db.js';

/** One hour in milliseconds, a typical step when a clock is corrected. */
const ONE_HOUR_MS = 3_600_000;

let temp: TempDatabase;
/** Milliseconds returned by the clock injected into the cache. */
let clock: number;

beforeEach(async () => {
  temp = await createTempDatabase();
  await seedDatabase(temp.db, loadSeedData(), pino({ level: 'silent' }));
  clock = 10 * ONE_HOUR_MS;
});

afterEach(async () => {
  await temp.cleanup();
});

async function setDisplayName(displayName: string): Promise<void> {
  await temp.db.updateTable('ai_identity_config').set({ display_name: displayName }).where('id', '=', 1).execute();
}

describe('ConfigRowCache clock', () => {
  it('rereads after max age without clock steps', async () => {
    const cache = new ConfigRowCache(temp.db, { now: () => clock });
    await cache.get();
    await setDisplayName('Orion');

    clock += CONFIG_ROWS_MAX_AGE_MS;
    const rows = await cache.get();

    expect(rows.identity?.display_name).toBe('Orion');
  });

  it('rereads once the clock stepped back', async () => {
    const cache = new ConfigRowCache(temp.db, { now: () => clock });
    await cache.get();
    await setDisplayName('Orion');

    // The wall clock is set back one hour. now - loadedAt is then negative, which counts as
    // expired, so the edit is read at once rather than an hour later.
    clock -= ONE_HOUR_MS;
    const rows = await cache.get();

    expect(rows.identity?.display_name).toBe('Orion');
  });
});
