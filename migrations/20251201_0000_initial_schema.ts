import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * Creates every table of the product as the earlier web application defined it, without
 * `users.active_persona`, which the next migration adds.
 *
 * Conventions: booleans are `integer` 0/1 with a default, JSON columns are `text` with an empty
 * object or array as default, and timestamps are ISO-8601 `text` without a default because
 * SQLite's `CURRENT_TIMESTAMP` would store a different format than the application writes.
 * Rows owned by a user are deleted with the user.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await createConfigTables(db);
  await createUserTables(db);
  await createConversationTables(db);
  await createSingleRowSettings(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  // Children before parents, so that no foreign key points at a dropped table.
  const tables = [
    'feedback',
    'sessions',
    'usage_counters',
    'answer_cache',
    'conversation_summaries',
    'messages',
    'conversations',
    'model_presets',
    'user_preferences',
    'users',
    'invites',
    'conversation_summary_settings',
    'ai_identity_config',
    'ui_text_configs',
    'image_gen_configs',
    'persona_configs',
    'theme_configs',
    'api_configs',
    'model_configs',
    'system_configs',
  ];
  for (const table of tables) {
    await db.schema.dropTable(table).execute();
  }
}

async function createConfigTables(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('system_configs')
    .addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement())
    .addColumn('key', 'text', (col) => col.notNull().unique())
    .addColumn('value', 'text', (col) => col.notNull())
    .addColumn('value_type', 'text', (col) => col.notNull())
    .addColumn('category', 'text', (col) => col.notNull())
    .addColumn('description', 'text')
    .addColumn('is_secret', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('is_editable', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('default_value', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .addColumn('updated_by', 'text')
    .execute();

  await db.schema
    .createTable('model_configs')
    .addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement())
    .addColumn('name', 'text', (col) => col.notNull().unique())
    .addColumn('display_name', 'text', (col) => col.notNull())
    .addColumn('provider', 'text', (col) => col.notNull())
    .addColumn('model_id', 'text', (col) => col.notNull())
    .addColumn('purpose', 'text', (col) => col.notNull())
    .addColumn('is_active', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('is_default', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('priority', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('parameters', 'text', (col) => col.notNull().defaultTo('{}'))
    .addColumn('capabilities', 'text', (col) => col.notNull().defaultTo('{}'))
    .addColumn('description', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('api_configs')
    .addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement())
    .addColumn('name', 'text', (col) => col.notNull().unique())
    .addColumn('display_name', 'text', (col) => col.notNull())
    .addColumn('base_url', 'text', (col) => col.notNull())
    .addColumn('is_active', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('timeout', 'integer', (col) => col.notNull())
    .addColumn('rate_limit', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('retry_count', 'integer', (col) => col.notNull())
    .addColumn('settings', 'text', (col) => col.notNull().defaultTo('{}'))
    .addColumn('description', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('theme_configs')
    .addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement())
    .addColumn('name', 'text', (col) => col.notNull().unique())
    .addColumn('display_name', 'text', (col) => col.notNull())
    // One theme is active at a time, so a new theme starts inactive.
    .addColumn('is_active', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('is_default', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('sort_order', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('colors', 'text', (col) => col.notNull().defaultTo('{}'))
    .addColumn('fonts', 'text', (col) => col.notNull().defaultTo('{}'))
    .addColumn('custom_css', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('persona_configs')
    .addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement())
    .addColumn('name', 'text', (col) => col.notNull().unique())
    .addColumn('display_name', 'text', (col) => col.notNull())
    .addColumn('mode_type', 'text', (col) => col.notNull())
    .addColumn('description', 'text')
    .addColumn('icon', 'text')
    .addColumn('is_active', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('is_default', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('sort_order', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('system_prompt', 'text', (col) => col.notNull())
    .addColumn('personality_traits', 'text', (col) => col.notNull().defaultTo('{}'))
    .addColumn('behavior_rules', 'text', (col) => col.notNull().defaultTo('{}'))
    .addColumn('allowed_providers', 'text', (col) => col.notNull().defaultTo('[]'))
    .addColumn('requires_uncensored', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('preferred_model_purpose', 'text')
    .addColumn('preference_override_mode', 'text', (col) => col.notNull())
    .addColumn('example_dialogues', 'text', (col) => col.notNull().defaultTo('[]'))
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('image_gen_configs')
    .addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement())
    .addColumn('name', 'text', (col) => col.notNull().unique())
    .addColumn('display_name', 'text', (col) => col.notNull())
    .addColumn('is_active', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('is_default', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('checkpoint', 'text', (col) => col.notNull())
    .addColumn('vae', 'text')
    .addColumn('loras', 'text', (col) => col.notNull().defaultTo('[]'))
    .addColumn('default_params', 'text', (col) => col.notNull().defaultTo('{}'))
    .addColumn('negative_prompt_template', 'text', (col) => col.notNull())
    .addColumn('description', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('ui_text_configs')
    .addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement())
    .addColumn('key', 'text', (col) => col.notNull())
    .addColumn('value', 'text', (col) => col.notNull())
    .addColumn('locale', 'text', (col) => col.notNull())
    .addColumn('category', 'text', (col) => col.notNull())
    .addColumn('description', 'text')
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .addUniqueConstraint('ui_text_configs_key_locale_unique', ['key', 'locale'])
    .execute();
}

async function createUserTables(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement())
    .addColumn('username', 'text', (col) => col.notNull().unique())
    // Empty until the person sets a password for a web login.
    .addColumn('password_hash', 'text', (col) => col.notNull().defaultTo(''))
    .addColumn('role', 'text', (col) => col.notNull().defaultTo('user'))
    .addColumn('is_banned', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('selected_model', 'text', (col) => col.notNull().defaultTo('auto'))
    .addColumn('bela_unlocked', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('limits', 'text', (col) => col.notNull().defaultTo('{}'))
    .addColumn('permissions', 'text', (col) => col.notNull().defaultTo('{}'))
    .addColumn('created_at', 'text', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('user_preferences')
    .addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement())
    .addColumn('user_id', 'integer', (col) =>
      col.notNull().references('users.id').onDelete('cascade'),
    )
    .addColumn('key', 'text', (col) => col.notNull())
    .addColumn('value', 'text', (col) => col.notNull())
    .addColumn('category', 'text', (col) => col.notNull())
    .addColumn('source', 'text', (col) => col.notNull())
    .addColumn('is_active', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('user_preferences_user_key_active_idx')
    .on('user_preferences')
    .columns(['user_id', 'key', 'is_active'])
    .execute();

  await db.schema
    .createTable('model_presets')
    .addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('description', 'text')
    .addColumn('system_prompt_template', 'text', (col) => col.notNull())
    .addColumn('temperature', 'real', (col) => col.notNull())
    .addColumn('max_tokens', 'integer')
    .addColumn('model_name', 'text')
    .addColumn('is_global', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('owner_id', 'integer', (col) => col.references('users.id').onDelete('cascade'))
    .execute();
  await db.schema
    .createIndex('model_presets_owner_idx')
    .on('model_presets')
    .column('owner_id')
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (col) => col.primaryKey().notNull())
    .addColumn('user_id', 'integer', (col) =>
      col.notNull().references('users.id').onDelete('cascade'),
    )
    .addColumn('type', 'text', (col) => col.notNull())
    .addColumn('expires_at', 'text', (col) => col.notNull())
    .addColumn('user_agent', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('sessions_expires_at_idx')
    .on('sessions')
    .column('expires_at')
    .execute();
  await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute();

  // `created_by` and `used_by` hold usernames (or `system`), not user ids, so they survive
  // the deletion of the user they name.
  await db.schema
    .createTable('invites')
    .addColumn('code', 'text', (col) => col.primaryKey().notNull())
    .addColumn('created_by', 'text', (col) => col.notNull())
    .addColumn('is_used', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('used_by', 'text')
    .addColumn('used_at', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('usage_counters')
    .addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement())
    .addColumn('user_id', 'integer', (col) =>
      col.notNull().references('users.id').onDelete('cascade'),
    )
    .addColumn('usage_date', 'text', (col) => col.notNull())
    .addColumn('groq_count', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('local_count', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('total_chat_count', 'integer', (col) => col.notNull().defaultTo(0))
    .addUniqueConstraint('usage_counters_user_date_unique', ['user_id', 'usage_date'])
    .execute();
}

async function createConversationTables(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('conversations')
    .addColumn('id', 'text', (col) => col.primaryKey().notNull())
    .addColumn('user_id', 'integer', (col) =>
      col.notNull().references('users.id').onDelete('cascade'),
    )
    .addColumn('title', 'text')
    .addColumn('preset_id', 'integer', (col) =>
      col.references('model_presets.id').onDelete('set null'),
    )
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('conversations_user_updated_idx')
    .on('conversations')
    .columns(['user_id', 'updated_at'])
    .execute();
  // Deleting or nulling a preset has to find the conversations that use it.
  await db.schema
    .createIndex('conversations_preset_idx')
    .on('conversations')
    .column('preset_id')
    .execute();

  await db.schema
    .createTable('messages')
    .addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement())
    .addColumn('conversation_id', 'text', (col) =>
      col.notNull().references('conversations.id').onDelete('cascade'),
    )
    .addColumn('role', 'text', (col) => col.notNull())
    .addColumn('content', 'text', (col) => col.notNull())
    .addColumn('extra_metadata', 'text', (col) => col.notNull().defaultTo('{}'))
    .addColumn('created_at', 'text', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('messages_conversation_id_idx')
    .on('messages')
    .columns(['conversation_id', 'id'])
    .execute();

  await db.schema
    .createTable('conversation_summaries')
    .addColumn('conversation_id', 'text', (col) =>
      col.primaryKey().notNull().references('conversations.id').onDelete('cascade'),
    )
    .addColumn('summary', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .addColumn('message_count_at_update', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('last_message_id', 'integer')
    .execute();

  await db.schema
    .createTable('answer_cache')
    .addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement())
    .addColumn('user_id', 'integer', (col) =>
      col.notNull().references('users.id').onDelete('cascade'),
    )
    .addColumn('cache_key', 'text', (col) => col.notNull())
    .addColumn('question', 'text', (col) => col.notNull())
    .addColumn('answer', 'text', (col) => col.notNull())
    .addColumn('engine', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('expires_at', 'text')
    .addUniqueConstraint('answer_cache_user_key_unique', ['user_id', 'cache_key'])
    .execute();
  await db.schema
    .createIndex('answer_cache_expires_at_idx')
    .on('answer_cache')
    .column('expires_at')
    .execute();

  await db.schema
    .createTable('feedback')
    .addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement())
    .addColumn('user_id', 'integer', (col) =>
      col.notNull().references('users.id').onDelete('cascade'),
    )
    .addColumn('conversation_id', 'text', (col) =>
      col.references('conversations.id').onDelete('set null'),
    )
    .addColumn('message_content', 'text', (col) => col.notNull())
    .addColumn('feedback_type', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('feedback_user_idx').on('feedback').column('user_id').execute();
  // Deleting a conversation nulls `feedback.conversation_id`, which has to find the rows.
  await db.schema
    .createIndex('feedback_conversation_idx')
    .on('feedback')
    .column('conversation_id')
    .execute();
}

/** Tables that hold exactly one row with id 1; the check constraint rejects a second row. */
async function createSingleRowSettings(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('ai_identity_config')
    .addColumn('id', 'integer', (col) => col.primaryKey())
    .addColumn('display_name', 'text', (col) => col.notNull())
    .addColumn('developer_name', 'text', (col) => col.notNull())
    .addColumn('product_family', 'text', (col) => col.notNull())
    .addColumn('short_intro', 'text', (col) => col.notNull())
    .addColumn('forbid_provider_mention', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .addCheckConstraint('ai_identity_config_single_row', sql`id = 1`)
    .execute();

  await db.schema
    .createTable('conversation_summary_settings')
    .addColumn('id', 'integer', (col) => col.primaryKey())
    .addColumn('summary_enabled', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('summary_first_threshold', 'integer', (col) => col.notNull().defaultTo(12))
    .addColumn('summary_update_step', 'integer', (col) => col.notNull().defaultTo(10))
    .addColumn('summary_max_messages', 'integer', (col) => col.notNull().defaultTo(40))
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .addCheckConstraint('conversation_summary_settings_single_row', sql`id = 1`)
    .execute();
}
