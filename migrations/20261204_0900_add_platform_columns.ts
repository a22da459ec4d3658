import type { Kysely } from 'kysely';

/**
 * Adds what the chat platforms need: the platform and chat a conversation lives in with its
 * active flag, the user's platform names and reachability, a daily image count, and the
 * reply a vote belongs to (one vote per user per reply).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('conversations').addColumn('platform', 'text').execute();
  await db.schema.alterTable('conversations').addColumn('chat_id', 'text').execute();
  await db.schema
    .alterTable('conversations')
    .addColumn('is_active', 'integer', (col) => col.notNull().defaultTo(1))
    .execute();
  // Finds the user's active conversation in a chat on every incoming message.
  await db.schema
    .createIndex('conversations_user_platform_chat_active_idx')
    .on('conversations')
    .columns(['user_id', 'platform', 'chat_id', 'is_active'])
    .execute();

  await db.schema.alterTable('users').addColumn('display_name', 'text').execute();
  await db.schema.alterTable('users').addColumn('platform_username', 'text').execute();
  await db.schema.alterTable('users').addColumn('blocked_at', 'text').execute();
  await db.schema.alterTable('users').addColumn('last_seen_at', 'text').execute();
  // Admin commands name users by their @username.
  await db.schema
    .createIndex('users_platform_username_idx')
    .on('users')
    .column('platform_username')
    .execute();

  await db.schema
    .alterTable('usage_counters')
    .addColumn('image_count', 'integer', (col) => col.notNull().defaultTo(0))
    .execute();

  // SQLite allows adding a column with REFERENCES only when its default is NULL, as here.
  // Votes stored before this migration keep NULL, and NULLs never collide in a unique index.
  await db.schema
    .alterTable('feedback')
    .addColumn('message_id', 'integer', (col) => col.references('messages.id').onDelete('cascade'))
    .execute();
  await db.schema
    .createIndex('feedback_user_message_unique')
    .on('feedback')
    .columns(['user_id', 'message_id'])
    .unique()
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  // SQLite refuses to drop an indexed column, so each index goes first.
  await db.schema.dropIndex('feedback_user_message_unique').execute();
  await db.schema.alterTable('feedback').dropColumn('message_id').execute();

  await db.schema.alterTable('usage_counters').dropColumn('image_count').execute();

  await db.schema.dropIndex('users_platform_username_idx').execute();
  for (const column of ['last_seen_at', 'blocked_at', 'platform_username', 'display_name']) {
    await db.schema.alterTable('users').dropColumn(column).execute();
  }

  await db.schema.dropIndex('conversations_user_platform_chat_active_idx').execute();
  for (const column of ['is_active', 'chat_id', 'platform']) {
    await db.schema.alterTable('conversations').dropColumn(column).execute();
  }
}
