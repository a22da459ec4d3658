import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { sql } from 'kysely';
import type { Kysely, Selectable } from 'kysely';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';

import { openDatabase } from '../../../src/db/connection.js';
import {
  MigrationError,
  NO_MIGRATIONS,
  migrateDown,
  migrateTo,
  migrateToLatest,
  migrationNames,
} from '../../../src/db/migrate.js';
import type { Database } from '../../../src/db/schema.js';
import { insertConversation, insertLocalePreference, insertMessage, insertUser } from '../../support/db-fixtures.js';
import { createTempDatabase } from '../../support/temp-db.js';

const NOW = '2026-12-04T19:37:03.000Z';
const silent = pino({ level: 'silent' });

// --- Expected schema -------------------------------------------------------------------------

/**
 * Expectation for one column. `notNull` is typed from the column's select type in
 * `Database`, so `tsc` rejects this table when it disagrees with `src/db/schema.ts`.
 */
interface ColumnExpectation<Value> {
  notNull: null extends Value ? false : true;
  /** Default as `PRAGMA table_info` prints it; `null` means no default. Unchecked if absent. */
  default?: string | null;
}

type SchemaExpectation = {
  [Table in keyof Database]: {
    [Column in keyof Selectable<Database[Table]>]-?: ColumnExpectation<
      Selectable<Database[Table]>[Column]
    >;
  };
};

const NOT_NULL = { notNull: true } as const;
const NULLABLE = { notNull: false, default: null } as const;
const FALSE = { notNull: true, default: '0' } as const;
const TRUE = { notNull: true, default: '1' } as const;
const ZERO = { notNull: true, default: '0' } as const;
const EMPTY_OBJECT = { notNull: true, default: "'{}'" } as const;
const EMPTY_ARRAY = { notNull: true, default: "'[]'" } as const;
/** Timestamps have no SQL default because the application writes them as ISO-8601 text. */
const TIMESTAMP = { notNull: true, default: null } as const;

const expectedSchema: SchemaExpectation = {
  system_configs: {
    id: NOT_NULL,
    key: NOT_NULL,
    value: NOT_NULL,
    value_type: NOT_NULL,
    category: NOT_NULL,
    description: NULLABLE,
    is_secret: FALSE,
    is_editable: TRUE,
    default_value: NULLABLE,
    created_at: TIMESTAMP,
    updated_at: TIMESTAMP,
    updated_by: NULLABLE,
  },
  model_configs: {
    id: NOT_NULL,
    name: NOT_NULL,
    display_name: NOT_NULL,
    provider: NOT_NULL,
    model_id: NOT_NULL,
    purpose: NOT_NULL,
    is_active: TRUE,
    is_default: FALSE,
    priority: ZERO,
    parameters: EMPTY_OBJECT,
    capabilities: EMPTY_OBJECT,
    description: NULLABLE,
    created_at: TIMESTAMP,
    updated_at: TIMESTAMP,
  },
  api_configs: {
    id: NOT_NULL,
    name: NOT_NULL,
    display_name: NOT_NULL,
    base_url: NOT_NULL,
    is_active: TRUE,
    timeout: NOT_NULL,
    rate_limit: ZERO,
    retry_count: NOT_NULL,
    settings: EMPTY_OBJECT,
    description: NULLABLE,
    created_at: TIMESTAMP,
    updated_at: TIMESTAMP,
  },
  theme_configs: {
    id: NOT_NULL,
    name: NOT_NULL,
    display_name: NOT_NULL,
    is_active: FALSE,
    is_default: FALSE,
    sort_order: ZERO,
    colors: EMPTY_OBJECT,
    fonts: EMPTY_OBJECT,
    custom_css: NULLABLE,
    created_at: TIMESTAMP,
    updated_at: TIMESTAMP,
  },
  persona_configs: {
    id: NOT_NULL,
    name: NOT_NULL,
    display_name: NOT_NULL,
    mode_type: NOT_NULL,
    description: NULLABLE,
    icon: NULLABLE,
    is_active: TRUE,
    is_default: FALSE,
    sort_order: ZERO,
    system_prompt: NOT_NULL,
    personality_traits: EMPTY_OBJECT,
    behavior_rules: EMPTY_OBJECT,
    allowed_providers: EMPTY_ARRAY,
    requires_uncensored: FALSE,
    preferred_model_purpose: NULLABLE,
    preference_override_mode: NOT_NULL,
    example_dialogues: EMPTY_ARRAY,
    created_at: TIMESTAMP,
    updated_at: TIMESTAMP,
  },
  image_gen_configs: {
    id: NOT_NULL,
    name: NOT_NULL,
    display_name: NOT_NULL,
    is_active: TRUE,
    is_default: FALSE,
    checkpoint: NOT_NULL,
    vae: NULLABLE,
    loras: EMPTY_ARRAY,
    default_params: EMPTY_OBJECT,
    negative_prompt_template: NOT_NULL,
    description: NULLABLE,
    created_at: TIMESTAMP,
    updated_at: TIMESTAMP,
  },
  ui_text_configs: {
    id: NOT_NULL,
    key: NOT_NULL,
    value: NOT_NULL,
    locale: NOT_NULL,
    category: NOT_NULL,
    description: NULLABLE,
    updated_at: TIMESTAMP,
  },
  users: {
    id: NOT_NULL,
    username: NOT_NULL,
    password_hash: { notNull: true, default: "''" },
    role: { notNull: true, default: "'user'" },
    is_banned: FALSE,
    selected_model: { notNull: true, default: "'auto'" },
    bela_unlocked: FALSE,
    active_persona: { notNull: true, default: "'standard'" },
    limits: EMPTY_OBJECT,
    permissions: EMPTY_OBJECT,
    created_at: TIMESTAMP,
    display_name: NULLABLE,
    platform_username: NULLABLE,
    blocked_at: NULLABLE,
    last_seen_at: NULLABLE,
  },
  user_preferences: {
    id: NOT_NULL,
    user_id: NOT_NULL,
    key: NOT_NULL,
    value: NOT_NULL,
    category: NOT_NULL,
    source: NOT_NULL,
    is_active: TRUE,
    updated_at: TIMESTAMP,
  },
  model_presets: {
    id: NOT_NULL,
    name: NOT_NULL,
    description: NULLABLE,
    system_prompt_template: NOT_NULL,
    temperature: NOT_NULL,
    max_tokens: NULLABLE,
    model_name: NULLABLE,
    is_global: FALSE,
    owner_id: NULLABLE,
  },
  conversations: {
    id: NOT_NULL,
    user_id: NOT_NULL,
    title: NULLABLE,
    preset_id: NULLABLE,
    created_at: TIMESTAMP,
    updated_at: TIMESTAMP,
    platform: NULLABLE,
    chat_id: NULLABLE,
    is_active: TRUE,
  },
  messages: {
    id: NOT_NULL,
    conversation_id: NOT_NULL,
    role: NOT_NULL,
    content: NOT_NULL,
    extra_metadata: EMPTY_OBJECT,
    created_at: TIMESTAMP,
  },
  conversation_summaries: {
    conversation_id: NOT_NULL,
    summary: NOT_NULL,
    updated_at: TIMESTAMP,
    message_count_at_update: ZERO,
    last_message_id: NULLABLE,
  },
  answer_cache: {
    id: NOT_NULL,
    user_id: NOT_NULL,
    cache_key: NOT_NULL,
    question: NOT_NULL,
    answer: NOT_NULL,
    engine: NOT_NULL,
    created_at: TIMESTAMP,
    expires_at: NULLABLE,
  },
  usage_counters: {
    id: NOT_NULL,
    user_id: NOT_NULL,
    usage_date: NOT_NULL,
    groq_count: ZERO,
    local_count: ZERO,
    total_chat_count: ZERO,
    image_count: ZERO,
  },
  sessions: {
    id: NOT_NULL,
    user_id: NOT_NULL,
    type: NOT_NULL,
    expires_at: NOT_NULL,
    user_agent: NULLABLE,
    created_at: TIMESTAMP,
  },
  invites: {
    code: NOT_NULL,
    created_by: NOT_NULL,
    is_used: FALSE,
    used_by: NULLABLE,
    used_at: NULLABLE,
    created_at: TIMESTAMP,
  },
  feedback: {
    id: NOT_NULL,
    user_id: NOT_NULL,
    conversation_id: NULLABLE,
    message_content: NOT_NULL,
    feedback_type: NOT_NULL,
    created_at: TIMESTAMP,
    message_id: NULLABLE,
  },
  ai_identity_config: {
    id: NOT_NULL,
    display_name: NOT_NULL,
    developer_name: NOT_NULL,
    product_family: NOT_NULL,
    short_intro: NOT_NULL,
    forbid_provider_mention: TRUE,
    updated_at: TIMESTAMP,
  },
  conversation_summary_settings: {
    id: NOT_NULL,
    summary_enabled: TRUE,
    summary_first_threshold: { notNull: true, default: '12' },
    summary_update_step: { notNull: true, default: '10' },
    summary_max_messages: { notNull: true, default: '40' },
    updated_at: TIMESTAMP,
  },
  platform_updates: {
    id: NOT_NULL,
    platform: NOT_NULL,
    update_key: NOT_NULL,
    chat_id: NULLABLE,
    payload: EMPTY_OBJECT,
    status: { notNull: true, default: "'received'" },
    received_at: TIMESTAMP,
    handled_at: NULLABLE,
  },
};

/** Indexed column lists that queries rely on; each must lead some index of its table. */
const expectedIndexes: Array<[table: keyof Database, columns: string[]]> = [
  ['messages', ['conversation_id', 'id']],
  ['conversations', ['user_id', 'updated_at']],
  ['conversations', ['user_id', 'platform', 'chat_id', 'is_active']],
  ['user_preferences', ['user_id', 'key', 'is_active']],
  ['answer_cache', ['expires_at']],
  ['answer_cache', ['user_id', 'cache_key']],
  ['sessions', ['expires_at']],
  ['sessions', ['user_id']],
  ['feedback', ['user_id']],
  ['users', ['platform_username']],
  ['platform_updates', ['platform', 'status', 'id']],
];

// --- Helpers ---------------------------------------------------------------------------------

interface ColumnInfo {
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
}

const openedFolders: string[] = [];
const openedDatabases: Kysely<any>[] = [];

afterEach(async () => {
  for (const db of openedDatabases.splice(0)) await db.destroy();
  for (const folder of openedFolders.splice(0)) await rm(folder, { recursive: true, force: true });
});

async function createTempFolder(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'bot-migrations-'));
  openedFolders.push(folder);
  return folder;
}

/** Opens a new, unmigrated SQLite file that the test's cleanup removes. */
async function openEmptyDatabase(): Promise<Kysely<Database>> {
  const folder = await createTempFolder();
  const db = openDatabase(join(folder, 'test.sqlite'));
  openedDatabases.push(db);
  return db;
}

async function openMigratedDatabase(): Promise<Kysely<Database>> {
  const db = await openEmptyDatabase();
  await migrateToLatest(db, silent);
  return db;
}

async function tableInfo(db: Kysely<any>, table: string): Promise<ColumnInfo[]> {
  const result = await sql<ColumnInfo>`PRAGMA table_info(${sql.raw(table)})`.execute(db);
  return result.rows;
}

async function columnNames(db: Kysely<any>, table: string): Promise<string[]> {
  return (await tableInfo(db, table)).map((column) => column.name);
}

/** Tables and indexes of the application, leaving out SQLite's and the migrator's own. */
async function applicationObjects(db: Kysely<any>): Promise<string[]> {
  const result = await sql<{ name: string }>`
    SELECT name FROM sqlite_master
    WHERE name NOT LIKE 'sqlite_%' AND name NOT LIKE 'kysely_%'
    ORDER BY name`.execute(db);
  return result.rows.map((row) => row.name);
}

/** Column lists of every index on `table`, in index order. */
async function indexColumnLists(db: Kysely<any>, table: string): Promise<string[][]> {
  const indexes = await sql<{ name: string }>`PRAGMA index_list(${sql.raw(table)})`.execute(db);
  const lists: string[][] = [];
  for (const index of indexes.rows) {
    const columns = await sql<{ seqno: number; name: string }>`
      PRAGMA index_info(${sql.raw(`"${index.name}"`)})`.execute(db);
    lists.push(columns.rows.sort((a, b) => a.seqno - b.seqno).map((column) => column.name));
  }
  return lists;
}

async function insertPreset(db: Kysely<Database>, ownerId: number | null): Promise<number> {
  const row = await db
    .insertInto('model_presets')
    .values({
      name: 'terse',
      system_prompt_template: 'Answer briefly, {{user_name}}.',
      temperature: 0.3,
      is_global: ownerId === null ? 1 : 0,
      owner_id: ownerId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function insertFeedback(
  db: Kysely<Database>,
  userId: number,
  conversationId: string | null,
  messageId: number | null,
): Promise<void> {
  await db
    .insertInto('feedback')
    .values({
      user_id: userId,
      conversation_id: conversationId,
      message_id: messageId,
      message_content: 'reply text',
      feedback_type: 'like',
      created_at: NOW,
    })
    .execute();
}

/** Inserts a settings row with every other column at its default. */
async function insertSummarySettings(db: Kysely<Database>, id: number): Promise<void> {
  await sql`
    INSERT INTO conversation_summary_settings (id, updated_at) VALUES (${id}, ${NOW})`.execute(db);
}

async function countRows(db: Kysely<Database>, table: keyof Database): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

// --- Tests -----------------------------------------------------------------------------------

describe('openDatabase', () => {
  it('sets WAL, foreign keys, busy timeout and synchronous', async () => {
    const db = await openEmptyDatabase();

    const journal = await sql<{ journal_mode: string }>`PRAGMA journal_mode`.execute(db);
    const foreignKeys = await sql<{ foreign_keys: number }>`PRAGMA foreign_keys`.execute(db);
    const busyTimeout = await sql<{ timeout: number }>`PRAGMA busy_timeout`.execute(db);
    const synchronous = await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(db);

    expect(journal.rows[0]?.journal_mode).toBe('wal');
    expect(foreignKeys.rows[0]?.foreign_keys).toBe(1);
    expect(busyTimeout.rows[0]?.timeout).toBe(5000);
    // 1 is NORMAL.
    expect(synchronous.rows[0]?.synchronous).toBe(1);
  });

  it('creates a missing parent folder', async () => {
    const folder = await createTempFolder();
    const path = join(folder, 'nested', 'deeper', 'bot.sqlite');

    const db = openDatabase(path, silent);
    openedDatabases.push(db);
    await sql`SELECT 1`.execute(db);

    expect(existsSync(path)).toBe(true);
  });

  it('opens an in-memory database', async () => {
    const db = openDatabase(':memory:', silent);
    openedDatabases.push(db);

    await migrateToLatest(db, silent);
    const foreignKeys = await sql<{ foreign_keys: number }>`PRAGMA foreign_keys`.execute(db);

    expect(foreignKeys.rows[0]?.foreign_keys).toBe(1);
    expect(await countRows(db, 'users')).toBe(0);
  });
});

describe('createTempDatabase', () => {
  it('migrates a file and removes it on cleanup', async () => {
    const temp = await createTempDatabase();

    const journal = await sql<{ journal_mode: string }>`PRAGMA journal_mode`.execute(temp.db);
    expect(journal.rows[0]?.journal_mode).toBe('wal');
    expect(await countRows(temp.db, 'platform_updates')).toBe(0);
    expect(existsSync(temp.path)).toBe(true);

    await temp.cleanup();
    expect(existsSync(dirname(temp.path))).toBe(false);
  });
});

describe('migrations', () => {
  it('creates exactly the tables of the schema', async () => {
    const db = await openMigratedDatabase();

    const tables = await sql<{ name: string }>`
      SELECT name FROM sqlite_master
      WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'kysely_%'
      ORDER BY name`.execute(db);

    expect(tables.rows.map((row) => row.name)).toEqual(Object.keys(expectedSchema).sort());
  });

  describe.each(Object.entries(expectedSchema))('table %s', (table, columns) => {
    it('has the expected columns', async () => {
      const db = await openMigratedDatabase();

      const actual = await tableInfo(db, table);

      expect(actual.map((column) => column.name).sort()).toEqual(Object.keys(columns).sort());
    });

    it('has the expected NOT NULL constraints and defaults', async () => {
      const db = await openMigratedDatabase();

      const actual = new Map((await tableInfo(db, table)).map((column) => [column.name, column]));
      for (const [name, expected] of Object.entries(columns) as Array<
        [string, ColumnExpectation<unknown>]
      >) {
        const column = actual.get(name);
        expect(column, `${table}.${name} exists`).toBeDefined();
        if (column === undefined) continue;

        // An INTEGER PRIMARY KEY is the rowid, which can never be NULL.
        const isRowid = column.pk === 1 && column.type.toUpperCase() === 'INTEGER';
        const notNull = column.notnull === 1 || isRowid;
        expect(notNull, `${table}.${name} NOT NULL`).toBe(expected.notNull);
        if (expected.default !== undefined) {
          expect(column.dflt_value, `${table}.${name} default`).toBe(expected.default);
        }
      }
    });
  });

  it('creates the indexes that queries rely on', async () => {
    const db = await openMigratedDatabase();

    for (const [table, columns] of expectedIndexes) {
      const lists = await indexColumnLists(db, table);
      const leading = lists.map((list) => list.slice(0, columns.length));
      expect(leading, `index on ${table}(${columns.join(', ')})`).toContainEqual(columns);
    }
  });

  it('uses integer and text primary keys', async () => {
    const db = await openMigratedDatabase();

    const primaryKeys: Array<[table: string, column: string, type: string]> = [
      ['users', 'id', 'INTEGER'],
      ['messages', 'id', 'INTEGER'],
      ['conversations', 'id', 'TEXT'],
      ['sessions', 'id', 'TEXT'],
      ['invites', 'code', 'TEXT'],
      ['conversation_summaries', 'conversation_id', 'TEXT'],
      ['ai_identity_config', 'id', 'INTEGER'],
      ['conversation_summary_settings', 'id', 'INTEGER'],
      ['platform_updates', 'id', 'INTEGER'],
    ];
    for (const [table, column, type] of primaryKeys) {
      const info = (await tableInfo(db, table)).find((entry) => entry.name === column);
      expect(info?.pk, `${table}.${column} is the primary key`).toBe(1);
      expect(info?.type.toUpperCase(), `${table}.${column} type`).toBe(type);
    }
  });

  it('allows a single settings row with id 1', async () => {
    const db = await openMigratedDatabase();

    await insertSummarySettings(db, 1);
    const row = await db
      .selectFrom('conversation_summary_settings')
      .selectAll()
      .executeTakeFirstOrThrow();

    expect(row).toMatchObject({
      summary_enabled: 1,
      summary_first_threshold: 12,
      summary_update_step: 10,
      summary_max_messages: 40,
    });
    await expect(
      insertSummarySettings(db, 2),
    ).rejects.toThrow(/CHECK constraint failed/);
  });
});

describe('unique constraints', () => {
  /** Rows the cases refer to: a user, and a reply in one of that user's conversations. */
  interface Fixture {
    userId: number;
    messageId: number;
  }

  /** Each case inserts one row with a fixed key; the test inserts it twice. */
  type InsertRow = (db: Kysely<Database>, fixture: Fixture) => Promise<void>;

  const cases: Array<[name: string, insert: InsertRow]> = [
    ['users.username', async (db) => void (await insertUser(db, { username: 'telegram:42' }))],
    [
      'system_configs.key',
      async (db) => {
        await db
          .insertInto('system_configs')
          .values({
            key: 'access.mode',
            value: 'open',
            value_type: 'string',
            category: 'access',
            is_secret: 0,
            is_editable: 1,
            created_at: NOW,
            updated_at: NOW,
          })
          .execute();
      },
    ],
    [
      'model_configs.name',
      async (db) => {
        await db
          .insertInto('model_configs')
          .values({
            name: 'llama-3.3-70b',
            display_name: 'Llama 3.3 70B',
            provider: 'groq',
            model_id: 'llama-3.3-70b-versatile',
            purpose: 'chat',
            is_active: 1,
            is_default: 1,
            priority: 10,
            parameters: '{}',
            capabilities: '{}',
            created_at: NOW,
            updated_at: NOW,
          })
          .execute();
      },
    ],
    [
      'api_configs.name',
      async (db) => {
        await db
          .insertInto('api_configs')
          .values({
            name: 'groq',
            display_name: 'Groq',
            base_url: 'https://api.groq.com/openai/v1',
            is_active: 1,
            timeout: 60,
            rate_limit: 0,
            retry_count: 2,
            settings: '{}',
            created_at: NOW,
            updated_at: NOW,
          })
          .execute();
      },
    ],
    [
      'theme_configs.name',
      async (db) => {
        await db
          .insertInto('theme_configs')
          .values({
            name: 'dark',
            display_name: 'Dark',
            is_active: 1,
            is_default: 1,
            sort_order: 0,
            colors: '{}',
            fonts: '{}',
            created_at: NOW,
            updated_at: NOW,
          })
          .execute();
      },
    ],
    [
      'persona_configs.name',
      async (db) => {
        await db
          .insertInto('persona_configs')
          .values({
            name: 'standard',
            display_name: 'Standard',
            mode_type: 'standard',
            is_active: 1,
            is_default: 1,
            sort_order: 0,
            system_prompt: 'You are a helpful assistant.',
            personality_traits: '{}',
            behavior_rules: '{}',
            allowed_providers: '[]',
            requires_uncensored: 0,
            preference_override_mode: 'soft',
            example_dialogues: '[]',
            created_at: NOW,
            updated_at: NOW,
          })
          .execute();
      },
    ],
    [
      'image_gen_configs.name',
      async (db) => {
        await db
          .insertInto('image_gen_configs')
          .values({
            name: 'sdxl',
            display_name: 'SDXL',
            is_active: 1,
            is_default: 1,
            checkpoint: 'sd_xl_base_1.0.safetensors',
            loras: '[]',
            default_params: '{}',
            negative_prompt_template: 'blurry',
            created_at: NOW,
            updated_at: NOW,
          })
          .execute();
      },
    ],
    [
      'ui_text_configs(key, locale)',
      async (db) => {
        await db
          .insertInto('ui_text_configs')
          .values({
            key: 'start.greeting',
            value: 'Hello',
            locale: 'en',
            category: 'start',
            updated_at: NOW,
          })
          .execute();
      },
    ],
    [
      'usage_counters(user_id, usage_date)',
      async (db, { userId }) => {
        await db
          .insertInto('usage_counters')
          .values({ user_id: userId, usage_date: '2026-12-04' })
          .execute();
      },
    ],
    [
      'answer_cache(user_id, cache_key)',
      async (db, { userId }) => {
        await db
          .insertInto('answer_cache')
          .values({
            user_id: userId,
            cache_key: 'abc123',
            question: 'What is WAL?',
            answer: 'A journal mode.',
            engine: 'cloud',
            created_at: NOW,
          })
          .execute();
      },
    ],
    [
      'platform_updates(platform, update_key)',
      async (db) => {
        await db
          .insertInto('platform_updates')
          .values({
            platform: 'telegram',
            update_key: '1001',
            payload: '{}',
            status: 'received',
            received_at: NOW,
          })
          .execute();
      },
    ],
    [
      'feedback(user_id, message_id)',
      async (db, { userId, messageId }) => {
        await insertFeedback(db, userId, null, messageId);
      },
    ],
  ];

  it.each(cases)('rejects a duplicate %s', async (_name, insert) => {
    const db = await openMigratedDatabase();
    const userId = await insertUser(db, { username: 'discord:owner' });
    await insertConversation(db, userId, { id: 'c1' });
    const fixture = { userId, messageId: await insertMessage(db, 'c1', 'assistant', 'reply') };

    await insert(db, fixture);

    await expect(insert(db, fixture)).rejects.toThrow(/UNIQUE constraint failed/);
  });

  it('allows one text key in several locales', async () => {
    const db = await openMigratedDatabase();

    for (const locale of ['en', 'tr']) {
      await db
        .insertInto('ui_text_configs')
        .values({ key: 'start.greeting', value: 'Hi', locale, category: 'start', updated_at: NOW })
        .execute();
    }

    expect(await countRows(db, 'ui_text_configs')).toBe(2);
  });

  it('allows several feedback rows without message id', async () => {
    const db = await openMigratedDatabase();
    const userId = await insertUser(db, { username: 'telegram:1' });

    await insertFeedback(db, userId, null, null);
    await insertFeedback(db, userId, null, null);

    expect(await countRows(db, 'feedback')).toBe(2);
  });
});

describe('foreign keys', () => {
  it('deletes messages and summary with their conversation', async () => {
    const db = await openMigratedDatabase();
    const userId = await insertUser(db, { username: 'telegram:1' });
    await insertConversation(db, userId, { id: 'kept' });
    await insertConversation(db, userId, { id: 'deleted' });
    await insertMessage(db, 'kept', 'assistant', 'stays');
    const messageId = await insertMessage(db, 'deleted', 'assistant', 'goes');
    await insertMessage(db, 'deleted', 'assistant', 'goes too');
    await db
      .insertInto('conversation_summaries')
      .values({
        conversation_id: 'deleted',
        summary: 'A short talk.',
        updated_at: NOW,
        message_count_at_update: 2,
        last_message_id: messageId,
      })
      .execute();

    await db.deleteFrom('conversations').where('id', '=', 'deleted').execute();

    const messages = await db.selectFrom('messages').select('content').execute();
    expect(messages).toEqual([{ content: 'stays' }]);
    expect(await countRows(db, 'conversation_summaries')).toBe(0);
  });

  it('keeps conversation-level feedback when its conversation goes', async () => {
    const db = await openMigratedDatabase();
    const userId = await insertUser(db, { username: 'telegram:1' });
    await insertConversation(db, userId, { id: 'c1' });
    await insertFeedback(db, userId, 'c1', null);

    await db.deleteFrom('conversations').where('id', '=', 'c1').execute();

    const feedback = await db.selectFrom('feedback').select('conversation_id').execute();
    expect(feedback).toEqual([{ conversation_id: null }]);
  });

  it('deletes feedback on a message with the message', async () => {
    const db = await openMigratedDatabase();
    const userId = await insertUser(db, { username: 'telegram:1' });
    await insertConversation(db, userId, { id: 'c1' });
    const messageId = await insertMessage(db, 'c1', 'assistant', 'reply');
    await insertFeedback(db, userId, 'c1', messageId);

    await db.deleteFrom('messages').where('id', '=', messageId).execute();

    expect(await countRows(db, 'feedback')).toBe(0);
  });

  it('clears the preset of conversations when the preset goes', async () => {
    const db = await openMigratedDatabase();
    const userId = await insertUser(db, { username: 'telegram:1' });
    const presetId = await insertPreset(db, null);
    await insertConversation(db, userId, { id: 'c1', preset_id: presetId });

    await db.deleteFrom('model_presets').where('id', '=', presetId).execute();

    const conversation = await db
      .selectFrom('conversations')
      .select('preset_id')
      .executeTakeFirstOrThrow();
    expect(conversation.preset_id).toBeNull();
  });

  it('deletes every row a user owns with the user', async () => {
    const db = await openMigratedDatabase();
    const userId = await insertUser(db, { username: 'telegram:1' });
    const otherId = await insertUser(db, { username: 'telegram:2' });
    await insertPreset(db, userId);
    await insertConversation(db, userId, { id: 'c1' });
    const messageId = await insertMessage(db, 'c1', 'assistant', 'reply');
    await insertFeedback(db, userId, 'c1', messageId);
    await insertLocalePreference(db, userId, 'tr');
    await db
      .insertInto('usage_counters')
      .values({ user_id: userId, usage_date: '2026-12-04' })
      .execute();
    await db
      .insertInto('answer_cache')
      .values({
        user_id: userId,
        cache_key: 'k',
        question: 'q',
        answer: 'a',
        engine: 'local',
        created_at: NOW,
      })
      .execute();
    await db
      .insertInto('sessions')
      .values({
        id: 's1',
        user_id: userId,
        type: 'active_session',
        expires_at: NOW,
        created_at: NOW,
      })
      .execute();
    await insertConversation(db, otherId, { id: 'other' });

    await db.deleteFrom('users').where('id', '=', userId).execute();

    const owned: Array<keyof Database> = [
      'model_presets',
      'messages',
      'feedback',
      'user_preferences',
      'usage_counters',
      'answer_cache',
      'sessions',
    ];
    for (const table of owned) {
      expect(await countRows(db, table), table).toBe(0);
    }
    const conversations = await db.selectFrom('conversations').select('id').execute();
    expect(conversations).toEqual([{ id: 'other' }]);
  });

  it('rejects a message for a missing conversation', async () => {
    const db = await openMigratedDatabase();

    await expect(insertMessage(db, 'missing', 'assistant', 'orphan')).rejects.toThrow(
      /FOREIGN KEY constraint failed/,
    );
  });
});

describe('migrator', () => {
  const [initialSchema, addActivePersona] = migrationNames();

  it('lists migrations in date order', () => {
    expect(migrationNames()).toEqual([
      '20251201_0000_initial_schema',
      '20251207_1933_add_active_persona_to_users',
      '20261204_0900_add_platform_columns',
      '20261204_0910_add_platform_updates',
    ]);
  });

  it('adds active_persona with default standard', async () => {
    const db = await openEmptyDatabase();
    const untyped = db as Kysely<any>;

    await migrateTo(db, initialSchema!, silent);
    expect(await columnNames(db, 'users')).not.toContain('active_persona');
    await untyped
      .insertInto('users')
      .values({ username: 'telegram:old', created_at: NOW })
      .execute();

    await migrateTo(db, addActivePersona!, silent);
    expect(await columnNames(db, 'users')).toContain('active_persona');
    await untyped
      .insertInto('users')
      .values({ username: 'telegram:new', created_at: NOW })
      .execute();

    const users = await untyped
      .selectFrom('users')
      .select(['username', 'active_persona'])
      .orderBy('id')
      .execute();
    expect(users).toEqual([
      { username: 'telegram:old', active_persona: 'standard' },
      { username: 'telegram:new', active_persona: 'standard' },
    ]);
  });

  it('migrates down to an empty schema and back up', async () => {
    const db = await openMigratedDatabase();
    const fullSchema = await applicationObjects(db);

    await migrateTo(db, NO_MIGRATIONS, silent);
    expect(await applicationObjects(db)).toEqual([]);

    await migrateToLatest(db, silent);
    expect(await applicationObjects(db)).toEqual(fullSchema);
  });

  it('steps down one migration at a time with data present', async () => {
    const db = await openMigratedDatabase();
    const userId = await insertUser(db, { username: 'telegram:1' });
    await insertConversation(db, userId, { id: 'c1' });
    const messageId = await insertMessage(db, 'c1', 'assistant', 'reply');
    await insertFeedback(db, userId, 'c1', messageId);
    await db
      .insertInto('usage_counters')
      .values({ user_id: userId, usage_date: '2026-12-04' })
      .execute();

    await migrateDown(db, silent);
    expect(await columnNames(db, 'users')).toContain('platform_username');

    await migrateDown(db, silent);
    expect(await columnNames(db, 'feedback')).not.toContain('message_id');
    expect(await columnNames(db, 'conversations')).not.toContain('is_active');
    expect(await columnNames(db, 'usage_counters')).not.toContain('image_count');
    expect(await columnNames(db, 'users')).not.toContain('platform_username');
    expect(await countRows(db, 'feedback')).toBe(1);

    await migrateDown(db, silent);
    expect(await columnNames(db, 'users')).not.toContain('active_persona');
    expect(await countRows(db, 'users')).toBe(1);

    await migrateToLatest(db, silent);
    const feedback = await db.selectFrom('feedback').select('message_id').execute();
    expect(feedback).toEqual([{ message_id: null }]);
  });

  it('logs each applied migration', async () => {
    const db = await openEmptyDatabase();
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });

    await migrateToLatest(db, logger);

    const applied = lines
      .map((line) => JSON.parse(line) as { msg: string; migration?: string })
      .filter((entry) => entry.msg === 'migration applied')
      .map((entry) => entry.migration);
    expect(applied).toEqual(migrationNames());
  });

  it('names the failed migration and rolls it back', async () => {
    const db = await openEmptyDatabase();
    await migrateTo(db, '20261204_0900_add_platform_columns', silent);
    // Index names are global in SQLite, so this makes the last migration fail on its index
    // after it has created its table.
    await sql`CREATE TABLE blocker (platform TEXT)`.execute(db);
    await sql`CREATE INDEX platform_updates_platform_status_idx ON blocker (platform)`.execute(db);

    const failure = await migrateToLatest(db, silent).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(MigrationError);
    expect((failure as MigrationError).migrationName).toBe('20261204_0910_add_platform_updates');
    expect((failure as MigrationError).message).toContain('20261204_0910_add_platform_updates');
    const tables = await applicationObjects(db);
    expect(tables).not.toContain('platform_updates');
  });

  it('rejects an unknown target migration', async () => {
    const db = await openEmptyDatabase();

    await expect(migrateTo(db, '20990101_0000_missing', silent)).rejects.toThrow(MigrationError);
  });
});
