import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database, UserRow } from '../db/schema.js';
import { resolveLocale, toSupportedLocale } from '../i18n/locale.js';
import type { TextCatalog } from '../i18n/texts.js';
import type { PreferenceEntry } from './prompt-builder.js';
import { activePreferences, setPreference } from './preferences.js';
import type { SystemSettings } from './settings.js';
import type { Locale, PlatformUser, RefusalReason } from './types.js';
import { createUser, findUser, touchUser, usernameFor } from './users.js';

/** The user behind an event once access is settled, with the locale to answer in. */
export interface Actor {
  user: UserRow;
  locale: Locale;
  isNew: boolean;
  /** Active preferences, read once per event (the locale is one of them). */
  preferences: PreferenceEntry[];
}

export type ActorResolution =
  | { kind: 'ok'; actor: Actor }
  | { kind: 'refused'; reason: RefusalReason; text: string; locale: Locale };

export interface ActorServices {
  db: Kysely<Database>;
  settings: SystemSettings;
  texts: TextCatalog;
  adminIds: ReadonlySet<string>;
  logger: Logger;
}

/**
 * Finds or creates the user of an event and applies the access rules that come before any
 * command or message: `ADMIN_IDS`, invite mode and bans. In invite mode an unknown person is
 * refused before anything about them is stored, unless `allowCreate` says they just redeemed
 * a code. Banned users are refused here too, except when `allowBanned` is set (for
 * commands such as `/help` that must still answer).
 */
export async function resolveActor(
  services: ActorServices,
  platformUser: PlatformUser,
  options: { allowCreate?: boolean; allowBanned?: boolean } = {},
): Promise<ActorResolution> {
  const { db, settings, texts } = services;
  const username = usernameFor(platformUser);
  const isListedAdmin = services.adminIds.has(username);
  const systemDefault = settings.string('i18n.default_locale', 'en');

  let user = await findUser(db, username);
  let isNew = false;

  if (!user) {
    const locale = resolveLocale({ platformLanguage: platformUser.languageCode, systemDefault });
    const inviteOnly = settings.string('access.mode', 'open') === 'invite';
    if (inviteOnly && !isListedAdmin && !options.allowCreate) {
      return { kind: 'refused', reason: 'invite_required', text: texts.t(locale, 'refusal.invite_required'), locale };
    }
    user = await createUser(db, platformUser, isListedAdmin ? 'admin' : 'user');
    isNew = true;
    services.logger.info({ userId: user.id, username, role: user.role }, 'user created');
  } else {
    user = await touchUser(db, user, platformUser);
    if (isListedAdmin && user.role !== 'admin') {
      await db.updateTable('users').set({ role: 'admin' }).where('id', '=', user.id).execute();
      user = { ...user, role: 'admin' };
    }
  }

  const preferences = await activePreferences(db, user.id);
  const locale = await localeFor(services, user, platformUser.languageCode, preferences);

  if (user.is_banned === 1 && !isListedAdmin && !options.allowBanned) {
    return { kind: 'refused', reason: 'banned', text: texts.t(locale, 'refusal.banned'), locale };
  }
  return { kind: 'ok', actor: { user, locale, isNew, preferences } };
}

/**
 * Returns the locale to answer in, from a user's stored preferences and the platform's
 * language for this event, without writing anything. `localeFor` uses it too.
 */
export function chooseLocale(
  settings: Pick<SystemSettings, 'string'>,
  platformLanguage: string | undefined,
  preferences: ReadonlyArray<Pick<PreferenceEntry, 'key' | 'value' | 'source'>>,
): Locale {
  const stored = preferences.find((preference) => preference.key === 'locale');
  return resolveLocale({
    explicitPreference: stored?.source === 'explicit' ? stored.value : undefined,
    platformLanguage,
    inferredPreference: stored?.source === 'inferred' ? stored.value : undefined,
    systemDefault: settings.string('i18n.default_locale', 'en'),
  });
}

/**
 * The user's locale: an explicit `/language` choice, then the platform's language for this
 * event, then the last language seen, then the system default. A platform language is kept
 * as the inferred `locale` preference because Discord DMs carry none.
 */
async function localeFor(
  services: ActorServices,
  user: UserRow,
  platformLanguage: string | undefined,
  preferences: PreferenceEntry[],
): Promise<Locale> {
  const stored = preferences.find((preference) => preference.key === 'locale');
  const explicit = stored?.source === 'explicit' ? stored.value : undefined;
  const inferred = stored?.source === 'inferred' ? stored.value : undefined;
  const locale = chooseLocale(services.settings, platformLanguage, preferences);

  const fromPlatform = toSupportedLocale(platformLanguage);
  if (!explicit && fromPlatform !== undefined && fromPlatform !== inferred) {
    await setPreference(services.db, user.id, { key: 'locale', value: locale, category: 'system', source: 'inferred' });
  }
  return locale;
}
