import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { parseJson } from '../../../src/db/values.js';
import { loadSeedData } from '../../../src/seed/load-seed-data.js';
import { buildSeedRows } from '../../../src/seed/rows.js';
import { SEED_NATURAL_KEYS, seedDatabase, type SeedTable } from '../../../src/seed/seed-database.js';
import { createTempDatabase, type TempDatabase } from '../../support/temp-db.js';

const logger = pino({ level: 'silent' });
const data = loadSeedData();
const FIRST_SEED = new Date('2026-01-02T03:04:05.000Z');
const SECOND_SEED = new Date('2026-02-03T04:05:06.000Z');
const SEED_TABLES = Object.keys(SEED_NATURAL_KEYS) as SeedTable[];

let temp: TempDatabase;

beforeEach(async () => {
  temp = await createTempDatabase();
});

afterEach(async () => {
  await temp.cleanup();
});

async function countRows(table: SeedTable): Promise<number> {
  const row = await temp.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

async function countAllTables(): Promise<Record<SeedTable, number>> {
  const counts = {} as Record<SeedTable, number>;
  for (const table of SEED_TABLES) counts[table] = await countRows(table);
  return counts;
}

describe('seedDatabase', () => {
  it('fills a fresh database', async () => {
    const expected = buildSeedRows(data, FIRST_SEED);

    const report = await seedDatabase(temp.db, data, logger, FIRST_SEED);

    for (const table of SEED_TABLES) {
      expect(report.inserted[table], table).toBe(expected[table].length);
      expect(report.inserted[table], table).toBeGreaterThan(0);
    }
    expect(await countAllTables()).toEqual(report.inserted);
    expect(report.total).toBe(Object.values(report.inserted).reduce((a, b) => a + b, 0));
  });

  it('inserts one ui text per key and locale', async () => {
    await seedDatabase(temp.db, data, logger, FIRST_SEED);

    const rows = await temp.db
      .selectFrom('ui_text_configs')
      .selectAll()
      .where('key', 'in', ['welcome', 'persona.coder.title'])
      .orderBy('key')
      .orderBy('locale')
      .execute();
    expect(rows.map((row) => `${row.key}/${row.locale}`)).toEqual([
      'persona.coder.title/en',
      'persona.coder.title/tr',
      'welcome/en',
      'welcome/tr',
    ]);
    expect(rows[0]!.value).toBe('Coder');
    expect(rows[1]!.value).toBe('Yazılımcı');
    expect(rows[0]!.category).toBe('persona');
    expect(rows[2]!.updated_at).toBe(FIRST_SEED.toISOString());
  });

  it('stores settings as typed text', async () => {
    await seedDatabase(temp.db, data, logger, FIRST_SEED);

    const rows = await temp.db.selectFrom('system_configs').selectAll().execute();
    const byKey = new Map(rows.map((row) => [row.key, row]));

    expect(byKey.get('access.mode')).toMatchObject({
      value: 'open',
      value_type: 'string',
      category: 'access',
      default_value: 'open',
      is_secret: 0,
      is_editable: 1,
      updated_by: null,
      created_at: FIRST_SEED.toISOString(),
      updated_at: FIRST_SEED.toISOString(),
    });
    expect(byKey.get('limits.vip.per_minute')).toMatchObject({
      value: '30',
      value_type: 'integer',
      category: 'limits',
    });
    expect(byKey.get('preferences.infer')).toMatchObject({ value: 'false', value_type: 'boolean' });
    expect(byKey.get('webhook.secret')).toMatchObject({ value: '', is_secret: 1 });
  });

  it('stores json columns and flags', async () => {
    await seedDatabase(temp.db, data, logger, FIRST_SEED);

    const persona = await temp.db
      .selectFrom('persona_configs')
      .selectAll()
      .where('name', '=', 'romantic')
      .executeTakeFirstOrThrow();
    expect(persona.requires_uncensored).toBe(1);
    expect(persona.is_default).toBe(0);
    expect(persona.preferred_model_purpose).toBe('uncensored');
    expect(persona.description).toBe(data.personas.find((p) => p.name === 'romantic')!.description.en);
    expect(parseJson(persona.behavior_rules, {})).toMatchObject({ allow_nsfw: true });
    expect(parseJson(persona.allowed_providers, null)).toEqual([]);

    const api = await temp.db
      .selectFrom('api_configs')
      .selectAll()
      .where('name', '=', 'ollama')
      .executeTakeFirstOrThrow();
    expect(parseJson(api.settings, {})).toEqual({
      engine: 'local',
      api_key_env: 'LOCAL_LLM_API_KEY',
      requires_api_key: false,
      default_api_key: 'ollama',
    });

    const identity = await temp.db
      .selectFrom('ai_identity_config')
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(identity).toMatchObject({ id: 1, display_name: 'Nova', forbid_provider_mention: 1 });

    const summary = await temp.db
      .selectFrom('conversation_summary_settings')
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(summary).toMatchObject({ id: 1, summary_enabled: 1, summary_first_threshold: 12 });
  });

  it('inserts nothing the second time', async () => {
    await seedDatabase(temp.db, data, logger, FIRST_SEED);
    const countsAfterFirst = await countAllTables();

    const second = await seedDatabase(temp.db, data, logger, SECOND_SEED);

    expect(second.total).toBe(0);
    for (const table of SEED_TABLES) expect(second.inserted[table], table).toBe(0);
    expect(await countAllTables()).toEqual(countsAfterFirst);
  });

  it('keeps values an admin changed', async () => {
    await seedDatabase(temp.db, data, logger, FIRST_SEED);
    await temp.db
      .updateTable('system_configs')
      .set({ value: 'invite', updated_by: 'telegram:1' })
      .where('key', '=', 'access.mode')
      .execute();
    await temp.db
      .updateTable('ui_text_configs')
      .set({ value: 'Selam {name}, ben {assistant}.' })
      .where('key', '=', 'welcome')
      .where('locale', '=', 'tr')
      .execute();
    await temp.db
      .updateTable('ai_identity_config')
      .set({ display_name: 'Vega' })
      .where('id', '=', 1)
      .execute();

    await seedDatabase(temp.db, data, logger, SECOND_SEED);

    const mode = await temp.db
      .selectFrom('system_configs')
      .selectAll()
      .where('key', '=', 'access.mode')
      .executeTakeFirstOrThrow();
    expect(mode.value).toBe('invite');
    expect(mode.updated_by).toBe('telegram:1');
    expect(mode.updated_at).toBe(FIRST_SEED.toISOString());

    const welcome = await temp.db
      .selectFrom('ui_text_configs')
      .select('value')
      .where('key', '=', 'welcome')
      .where('locale', '=', 'tr')
      .executeTakeFirstOrThrow();
    expect(welcome.value).toBe('Selam {name}, ben {assistant}.');

    const identity = await temp.db
      .selectFrom('ai_identity_config')
      .select('display_name')
      .executeTakeFirstOrThrow();
    expect(identity.display_name).toBe('Vega');
  });

  it('restores a deleted row only', async () => {
    await seedDatabase(temp.db, data, logger, FIRST_SEED);
    await temp.db
      .deleteFrom('ui_text_configs')
      .where('key', '=', 'error.internal')
      .where('locale', '=', 'en')
      .execute();
    await temp.db.deleteFrom('model_configs').where('name', '=', 'bela').execute();

    const report = await seedDatabase(temp.db, data, logger, SECOND_SEED);

    expect(report.total).toBe(2);
    expect(report.inserted.ui_text_configs).toBe(1);
    expect(report.inserted.model_configs).toBe(1);
    const restored = await temp.db
      .selectFrom('ui_text_configs')
      .select(['value', 'updated_at'])
      .where('key', '=', 'error.internal')
      .where('locale', '=', 'en')
      .executeTakeFirstOrThrow();
    expect(restored.value).toBe(data.uiTexts['error.internal']!.en);
    expect(restored.updated_at).toBe(SECOND_SEED.toISOString());
  });

  it('rolls back everything on failure', async () => {
    // A null system_prompt violates its NOT NULL constraint, so the persona insert fails after
    // the settings, API and model rows were written inside the same transaction.
    const broken = structuredClone(data);
    broken.personas[3]!.system_prompt = null as unknown as string;

    await expect(seedDatabase(temp.db, broken, logger, FIRST_SEED)).rejects.toThrow();

    for (const table of SEED_TABLES) expect(await countRows(table), table).toBe(0);
  });
});
