import type { Kysely } from 'kysely';
import pino from 'pino';

import { dispatchCommand } from '../../../src/commands/dispatcher.js';
import { findCommand } from '../../../src/commands/registry.js';
import type { CommandInvocation, CommandReply, CommandServices } from '../../../src/commands/types.js';
import type { Database, UserRow } from '../../../src/db/schema.js';
import { ConversationEngine } from '../../../src/engine/conversation-engine.js';
import type { Role } from '../../../src/engine/permissions.js';
import { SystemSettings } from '../../../src/engine/settings.js';
import type { Locale, Platform, PlatformUser } from '../../../src/engine/types.js';
import { createUser, findUser, usernameFor } from '../../../src/engine/users.js';
import { TextCatalog } from '../../../src/i18n/texts.js';
import type { ModelRouter } from '../../../src/router/types.js';
import { loadSeedData } from '../../../src/seed/load-seed-data.js';
import { seedDatabase } from '../../../src/seed/seed-database.js';
import { createTempDatabase, type TempDatabase } from '../../support/temp-db.js';

/** Accounts the fixture lists in `ADMIN_IDS`. */
export const LISTED_ADMINS: Record<Platform, PlatformUser> = {
  telegram: { platform: 'telegram', id: '1', displayName: 'Listed Admin', username: 'listed_admin', languageCode: 'en' },
  discord: { platform: 'discord', id: '1', displayName: 'Listed Admin', username: 'listed_admin', languageCode: 'en' },
};

/** Telegram bot @username used for invite links. */
export const BOT_USERNAME = 'test_helper_bot';

/** Commands never call a model; a call means a command went wrong. */
const throwingRouter: ModelRouter = {
  complete() {
    throw new Error('commands must not call the model router');
  },
};

export interface CommandFixture {
  temp: TempDatabase;
  services: CommandServices;
  /** JSON log lines written at level info and above, for checks on what is logged. */
  logs: string[];
  /** Runs a command line such as `/ban @name` as `user`, through `dispatchCommand`. */
  run(user: PlatformUser, line: string): Promise<CommandReply>;
  /** Creates a user row as the first event of `user` would, then applies `changes`. */
  addUser(user: PlatformUser, changes?: Partial<Pick<UserRow, 'role' | 'bela_unlocked' | 'is_banned' | 'permissions' | 'limits'>>): Promise<UserRow>;
  /** The stored row of `user`, read again. */
  reload(user: PlatformUser): Promise<UserRow | undefined>;
  cleanup(): Promise<void>;
}

/** Builds a seeded temporary database with the real settings, texts, engine and commands. */
export async function createCommandFixture(): Promise<CommandFixture> {
  const temp = await createTempDatabase();
  const { db } = temp;
  const logs: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => logs.push(line) });
  await seedDatabase(db, loadSeedData(), logger);

  const settings = new SystemSettings(db);
  await settings.load();
  const texts = new TextCatalog(db);
  await texts.load();

  const adminIds = new Set(Object.values(LISTED_ADMINS).map((user) => usernameFor(user)));
  const engine = new ConversationEngine({ db, router: throwingRouter, settings, texts, logger, adminIds });
  const services: CommandServices = { db, engine, settings, texts, logger, telegramBotUsername: BOT_USERNAME };

  return {
    temp,
    services,
    logs,
    async run(user, line) {
      const match = /^\/(\w+)(?:\s+([\s\S]*))?$/.exec(line.trim());
      if (!match) throw new Error(`not a command line: ${line}`);
      const definition = findCommand(match[1] ?? '');
      if (!definition) throw new Error(`unknown command: ${line}`);
      const invocation: CommandInvocation = {
        platform: user.platform,
        chatId: `chat-${user.id}`,
        isPrivate: true,
        user,
        argumentText: (match[2] ?? '').trim(),
      };
      return dispatchCommand(definition, invocation, services);
    },
    async addUser(user, changes = {}) {
      const created = await createUser(db, user, 'user');
      if (Object.keys(changes).length > 0) {
        await db.updateTable('users').set(changes).where('id', '=', created.id).execute();
      }
      const row = await findUser(db, usernameFor(user));
      if (!row) throw new Error(`user ${usernameFor(user)} was not created`);
      return row;
    },
    reload: (user) => findUser(db, usernameFor(user)),
    cleanup: () => temp.cleanup(),
  };
}

/** Returns a platform account for tests, with the @username `user<id>`. */
export function person(platform: Platform, id: string, languageCode: Locale = 'en'): PlatformUser {
  return { platform, id, displayName: `Person ${id}`, username: `user${id}`, languageCode };
}

/** Creates an account with `role` and returns it. */
export async function addPerson(
  fixture: CommandFixture,
  platform: Platform,
  id: string,
  role: Role,
  languageCode: Locale = 'en',
): Promise<PlatformUser> {
  const user = person(platform, id, languageCode);
  await fixture.addUser(user, { role });
  return user;
}

/**
 * Makes prompts easy to compare and summaries quick to come: no persona has example
 * dialogue, and a summary is due at 4 messages and folds all but the newest 2.
 */
export async function useShortContexts(db: Kysely<Database>): Promise<void> {
  await db.updateTable('persona_configs').set({ example_dialogues: '[]' }).execute();
  await db
    .updateTable('conversation_summary_settings')
    .set({ summary_enabled: 1, summary_first_threshold: 4, summary_update_step: 2 })
    .where('id', '=', 1)
    .execute();
}
