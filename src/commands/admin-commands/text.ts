import { z } from 'zod';
import { inlineCode } from '../../engine/markdown-escape.js';
import { SUPPORTED_LOCALES, type Locale } from '../../engine/types.js';
import { extractPlaceholders } from '../../seed/schemas.js';
import type { CommandDefinition } from '../types.js';
import { splitArguments } from '../user-commands/arguments.js';

/**
 * Maximum length of a text in characters. Telegram allows 4096 per message, and the rendered
 * text may also carry placeholder values and the rest of the reply.
 */
export const UI_TEXT_MAX_LENGTH = 3500;

const textOptions = z.object({
  action: z.literal('set'),
  key: z.string().min(1).max(200),
  locale: z.enum(SUPPORTED_LOCALES as [Locale, ...Locale[]]),
  value: z.string().trim().min(1).max(UI_TEXT_MAX_LENGTH),
});

/**
 * `/text set KEY LOCALE VALUE`: overrides one ui text at run time through `TextCatalog.set`,
 * which reloads the catalog so the next message shows it. KEY must be an existing text, and
 * VALUE may use only placeholders the current text has, because the code fills no others.
 */
export const textCommand: CommandDefinition<typeof textOptions> = {
  name: 'text',
  nameTr: 'metin',
  usage: '/text set KEY tr|en VALUE',
  adminOnly: true,
  schema: textOptions,
  discordOptions: [
    {
      name: 'action',
      nameTr: 'islem',
      descriptionKey: 'option.text.action.description',
      type: 'string',
      required: true,
      choices: [{ name: 'set', value: 'set' }],
    },
    { name: 'key', nameTr: 'anahtar', descriptionKey: 'option.text.key.description', type: 'string', required: true },
    {
      name: 'locale',
      nameTr: 'dil',
      descriptionKey: 'option.text.locale.description',
      type: 'string',
      required: true,
      choices: SUPPORTED_LOCALES.map((locale) => ({ name: locale, value: locale })),
    },
    { name: 'value', nameTr: 'deger', descriptionKey: 'option.text.value.description', type: 'string', required: true },
  ],
  parse(argumentText) {
    const [action, key, locale, value] = splitArguments(argumentText, 4);
    return { action: action?.toLowerCase(), key: key?.toLowerCase(), locale: locale?.toLowerCase(), value };
  },
  async handle(context) {
    const { key, locale, value } = context.options;
    const { texts, logger } = context.services;
    if (!texts.keys().includes(key)) {
      return { text: context.t('text.not_found', { key: inlineCode(key) }), isError: true };
    }

    // Without variables `t` returns the template as stored, placeholders included.
    const allowed = extractPlaceholders(texts.t(locale, key));
    const unknown = extractPlaceholders(value).filter((name) => !allowed.includes(name));
    if (unknown.length > 0) {
      return {
        text: context.t('text.unknown_placeholders', {
          placeholders: unknown.map((name) => inlineCode(`{${name}}`)).join(', '),
          allowed: allowed.length > 0 ? allowed.map((name) => inlineCode(`{${name}}`)).join(', ') : '–',
        }),
        isError: true,
      };
    }

    await texts.set(key, locale, value);
    logger.info({ adminId: context.actor.user.id, key, locale }, 'ui text changed');
    return { text: context.t('text.done', { key: inlineCode(key), locale }) };
  },
};
