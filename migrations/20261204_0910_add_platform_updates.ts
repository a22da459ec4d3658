import type { Kysely } from 'kysely';

/**
 * Adds the store of received platform updates. An update is written when it arrives and
 * marked when handled, so that one confirmed to the platform before a crash is handled on
 * the next start, and the unique key stops a redelivered update from being handled twice.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('platform_updates')
    .addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement())
    .addColumn('platform', 'text', (col) => col.notNull())
    .addColumn('update_key', 'text', (col) => col.notNull())
    .addColumn('chat_id', 'text')
    .addColumn('payload', 'text', (col) => col.notNull().defaultTo('{}'))
    .addColumn('status', 'text', (col) => col.notNull().defaultTo('received'))
    .addColumn('received_at', 'text', (col) => col.notNull())
    .addColumn('handled_at', 'text')
    .addUniqueConstraint('platform_updates_platform_key_unique', ['platform', 'update_key'])
    .execute();

  // Replay on start reads the unhandled updates of one platform in arrival order.
  await db.schema
    .createIndex('platform_updates_platform_status_idx')
    .on('platform_updates')
    .columns(['platform', 'status', 'id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('platform_updates').execute();
}
