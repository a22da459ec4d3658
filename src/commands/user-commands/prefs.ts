import { z } from 'zod';
import { escapeMarkdown } from '../../engine/markdown-escape.js';
import { activePreferences, forgetPreference, setPreference } from '../../engine/preferences.js';
import type { CommandContext, CommandDefinition, CommandReply } from '../types.js';
import { splitArguments } from './arguments.js';

/** Keys that describe the style of replies, merged with a persona's `personality_traits`. */
export const STYLE_PREFERENCE_KEYS: readonly string[] = ['tone', 'verbosity', 'emoji_usage', 'humor', 'formality'];

/** Categories a user may name as `category.key`; `system` is kept for the bot's own keys. */
export const USER_PREFERENCE_CATEGORIES: readonly string[] = ['style', 'behavior', 'personal'];

/**
 * Maximum length of a preference value in characters. Every active preference goes into the
 * system prompt of every turn, so a long value costs tokens on each message.
 */
export const PREFERENCE_VALUE_MAX_LENGTH = 200;

/** Key stored by `/language`; `/prefs` leaves it alone so the two cannot disagree. */
const LOCALE_KEY = 'locale';

const PREFERENCE_KEY = /^(?:(style|behavior|personal)\.)?([a-z][a-z0-9_]{0,39})$/;

const keySchema = z.string().regex(PREFERENCE_KEY);
const prefsOptions = z.discriminatedUnion('action', [
  z.object({ action: z.literal('list') }),
  z.object({ action: z.literal('set'), key: keySchema, value: z.string().min(1).max(PREFERENCE_VALUE_MAX_LENGTH) }),
  z.object({ action: z.literal('forget'), key: keySchema }),
]);

/**
 * `/prefs [list | set KEY VALUE | forget KEY]`: shows or changes the user's preferences.
 * `set` stores a new explicit version through `setPreference`, in category `style` for the
 * style keys, `behavior` for any other key, or the category named as `category.key`.
 */
export const prefsCommand: CommandDefinition<typeof prefsOptions> = {
  name: 'prefs',
  nameTr: 'tercihler',
  usage: '/prefs [list | set KEY VALUE | forget KEY]',
  schema: prefsOptions,
  discordOptions: [
    {
      name: 'action',
      nameTr: 'islem',
      descriptionKey: 'option.prefs.action.description',
      type: 'string',
      required: false,
      choices: [
        { name: 'list', value: 'list' },
        { name: 'set', value: 'set' },
        { name: 'forget', value: 'forget' },
      ],
    },
    { name: 'key', nameTr: 'anahtar', descriptionKey: 'option.prefs.key.description', type: 'string', required: false },
    { name: 'value', nameTr: 'deger', descriptionKey: 'option.prefs.value.description', type: 'string', required: false },
  ],
  parse(argumentText) {
    const [action, key, value] = splitArguments(argumentText, 3);
    return { action: action?.toLowerCase() ?? 'list', key: key?.toLowerCase(), value };
  },
  async handle(context) {
    const { options } = context;
    if (options.action === 'list') return listPreferences(context);

    const { category, key } = splitPreferenceKey(options.key);
    if (key === LOCALE_KEY) return { text: context.t('prefs.locale_reserved'), isError: true };

    const userId = context.actor.user.id;
    if (options.action === 'forget') {
      const forgotten = await forgetPreference(context.services.db, userId, key);
      return forgotten
        ? { text: context.t('prefs.forgotten', { key: escapeMarkdown(key) }) }
        : { text: context.t('prefs.not_set', { key: escapeMarkdown(key) }), isError: true };
    }

    await setPreference(context.services.db, userId, { key, value: options.value, category, source: 'explicit' });
    context.services.logger.info({ userId, key, category }, 'preference set');
    return {
      text: context.t('prefs.saved', { key: escapeMarkdown(key), value: escapeMarkdown(options.value), category: categoryLabel(context, category) }),
    };
  },
};

/** Splits `category.key`; a bare key gets `style` for the style keys and `behavior` otherwise. */
export function splitPreferenceKey(input: string): { category: string; key: string } {
  const match = PREFERENCE_KEY.exec(input);
  const key = match?.[2] ?? input;
  const named = match?.[1];
  if (named !== undefined && USER_PREFERENCE_CATEGORIES.includes(named)) return { category: named, key };
  return { category: STYLE_PREFERENCE_KEYS.includes(key) ? 'style' : 'behavior', key };
}

async function listPreferences(context: CommandContext<unknown>): Promise<CommandReply> {
  // `system` keys such as the locale belong to other commands and are not the user's to edit here.
  const preferences = (await activePreferences(context.services.db, context.actor.user.id)).filter(
    (preference) => preference.category !== 'system',
  );
  if (preferences.length === 0) return { text: context.t('prefs.empty') };

  const inferred = context.t('prefs.inferred_label');
  const lines = preferences.map((preference) => {
    const source = preference.source === 'inferred' ? ` – ${inferred}` : '';
    return `• **${escapeMarkdown(preference.key)}** (${categoryLabel(context, preference.category)}): ${escapeMarkdown(preference.value)}${source}`;
  });
  return {
    title: context.t('command.prefs.description'),
    text: [context.t('prefs.list'), '', ...lines, '', context.t('prefs.hint')].join('\n'),
  };
}

/** Returns the category name in the user's locale, or the stored name when it has no text. */
function categoryLabel(context: CommandContext<unknown>, category: string): string {
  const key = `prefs.category.${category}`;
  return context.services.texts.has(context.locale, key) || context.services.texts.has('en', key) ? context.t(key) : escapeMarkdown(category);
}
