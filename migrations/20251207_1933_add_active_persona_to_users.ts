import type { Kysely } from 'kysely';

/** Adds the user's selected persona, a `persona_configs.name`; existing users get `standard`. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('active_persona', 'text', (col) => col.notNull().defaultTo('standard'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('active_persona').execute();
}
