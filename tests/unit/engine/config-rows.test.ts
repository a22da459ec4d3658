import { sql } from 'kysely';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { CONFIG_ROWS_MAX_AGE_MS, ConfigRowCache } from '../../../src/engine/config-rows.js';
import { loadSummarySettings } from '../../../src/engine/history.js';
import { loadSeedData } from '../../../src/seed/load-seed-data.js';
import { seedDatabase } from '../../../src/seed/seed-database.js';
import { createTempDatabase, type TempDatabase } from '../../support/temp-db.js';

const logger = pino({ level: 'silent' });
const seedData = loadSeedData();

let temp: TempDatabase;
/** Milliseconds returned by the clock injected into each cache. */
let clock: number;

function createCache(maxAgeMs?: number): ConfigRowCache {
  return new ConfigRowCache(temp.db, { now: () => clock, ...(maxAgeMs === undefined ? {} : { maxAgeMs }) });
}

async function setDisplayName(displayName: string): Promise<void> {
  await temp.db.updateTable('ai_identity_config').set({ display_name: displayName }).where('id', '=', 1).execute();
}

async function setSummaryMaxMessages(maxMessages: number): Promise<void> {
  await temp.db.updateTable('conversation_summary_settings').set({ summary_max_messages: maxMessages }).where('id', '=', 1).execute();
}

async function activePersonaNamesInDatabase(): Promise<string[]> {
  const rows = await temp.db.selectFrom('persona_configs').select('name').where('is_active', '=', 1).execute();
  return rows.map((row) => row.name);
}

beforeEach(async () => {
  temp = await createTempDatabase();
  await seedDatabase(temp.db, seedData, logger);
  clock = 1_000_000;
});

afterEach(async () => {
  await temp.cleanup();
});

describe('ConfigRowCache.get', () => {
  it('returns personas, identity and summary settings', async () => {
    const rows = await createCache().get();

    expect(rows.personas.length).toBeGreaterThan(1);
    expect(rows.personas.map((persona) => persona.name).toSorted()).toEqual((await activePersonaNamesInDatabase()).toSorted());
    expect(rows.identity?.id).toBe(1);
    expect(rows.identity?.display_name).toBe('Nova');
    expect(rows.summary).toEqual(await loadSummarySettings(temp.db));
  });

  it('returns undefined identity when the row is missing', async () => {
    await temp.db.deleteFrom('ai_identity_config').execute();

    const rows = await createCache().get();

    expect(rows.identity).toBeUndefined();
  });

  it('serves a second call from memory', async () => {
    const cache = createCache();
    const first = await cache.get();
    const maxMessagesBefore = first.summary.maxMessages;

    await setDisplayName('Orion');
    await setSummaryMaxMessages(maxMessagesBefore + 7);
    clock += CONFIG_ROWS_MAX_AGE_MS - 1;
    const second = await cache.get();

    expect(second).toBe(first);
    expect(second.identity?.display_name).toBe('Nova');
    expect(second.summary.maxMessages).toBe(maxMessagesBefore);
  });

  it('reads again after invalidate', async () => {
    const cache = createCache();
    const first = await cache.get();
    const maxMessages = first.summary.maxMessages + 7;

    await setDisplayName('Orion');
    await setSummaryMaxMessages(maxMessages);
    cache.invalidate();
    const rows = await cache.get();

    expect(rows.identity?.display_name).toBe('Orion');
    expect(rows.summary.maxMessages).toBe(maxMessages);
  });

  it('reads again once the max age has passed', async () => {
    const cache = createCache(5_000);
    await cache.get();

    await setDisplayName('Orion');
    clock += 4_999;
    const beforeExpiry = await cache.get();
    clock += 1;
    const afterExpiry = await cache.get();

    expect(beforeExpiry.identity?.display_name).toBe('Nova');
    expect(afterExpiry.identity?.display_name).toBe('Orion');
  });

  it('keeps the rows read after expiry', async () => {
    const cache = createCache(5_000);
    await cache.get();

    clock += 5_000;
    const reread = await cache.get();
    await setDisplayName('Orion');
    const cached = await cache.get();

    expect(cached).toBe(reread);
    expect(cached.identity?.display_name).toBe('Nova');
  });

  it('shares one read between concurrent calls', async () => {
    const cache = createCache();

    const [first, second] = await Promise.all([cache.get(), cache.get()]);

    expect(second).toBe(first);
    expect(await cache.get()).toBe(first);
  });

  it('drops a read that started before invalidate', async () => {
    const cache = createCache();

    const started = cache.get();
    cache.invalidate();
    const stale = await started;
    await setDisplayName('Orion');
    const next = await cache.get();

    expect(next).not.toBe(stale);
    expect(next.identity?.display_name).toBe('Orion');
  });

  it('starts a new read after invalidate', async () => {
    const cache = createCache();

    const started = cache.get();
    cache.invalidate();
    const restarted = cache.get();
    const [stale, fresh] = await Promise.all([started, restarted]);

    expect(fresh).not.toBe(stale);
    expect(await cache.get()).toBe(fresh);
  });

  it('reads again after a failed read', async () => {
    const cache = createCache();
    await sql`ALTER TABLE persona_configs RENAME TO persona_configs_away`.execute(temp.db);

    await expect(cache.get()).rejects.toThrow(/persona_configs/);
    await sql`ALTER TABLE persona_configs_away RENAME TO persona_configs`.execute(temp.db);
    const rows = await cache.get();

    expect(rows.personas.map((persona) => persona.name).sort()).toEqual((await activePersonaNamesInDatabase()).sort());
  });
});

describe('ConfigRowCache personas', () => {
  it('leaves out an inactive persona', async () => {
    await temp.db.updateTable('persona_configs').set({ is_active: 0 }).where('name', '=', 'researcher').execute();

    const names = (await createCache().get()).personas.map((persona) => persona.name);

    expect(names).not.toContain('researcher');
    expect(names).toContain('friend');
  });

  it('puts the default first, then sorts by sort_order', async () => {
    await temp.db.updateTable('persona_configs').set({ is_default: 0 }).execute();
    await temp.db.updateTable('persona_configs').set({ is_default: 1 }).where('name', '=', 'coder').execute();
    await temp.db.updateTable('persona_configs').set({ sort_order: 0 }).where('name', '=', 'friend').execute();

    const personas = (await createCache().get()).personas;
    const [first, second] = personas;
    const rest = personas.slice(1).map((persona) => persona.sort_order);

    expect(first?.name).toBe('coder');
    expect(second?.name).toBe('friend');
    expect(rest).toEqual(rest.toSorted((a, b) => a - b));
  });
});
