import { z } from 'zod';
import { forgetPreference, setPreference } from '../../engine/preferences.js';
import { resolveLocale } from '../../i18n/locale.js';
import type { CommandDefinition } from '../types.js';
import { splitArguments } from './arguments.js';

/** Argument of `/language` that drops the explicit choice and follows the platform again. */
export const AUTO_LANGUAGE = 'auto';

const languageOptions = z.object({ language: z.enum(['tr', 'en', AUTO_LANGUAGE]).optional() });

/**
 * `/language [tr|en|auto]`: without an argument shows the language in use with a button for
 * each choice. With one, stores the explicit `locale` preference (category `system`), which
 * wins over the platform's language. `auto` forgets it, so the platform's language, then the
 * last one seen, then the system default apply again. The reply is in the new locale.
 */
export const languageCommand: CommandDefinition<typeof languageOptions> = {
  name: 'language',
  nameTr: 'dil',
  usage: '/language [tr|en|auto]',
  schema: languageOptions,
  discordOptions: [
    {
      name: 'language',
      nameTr: 'dil',
      descriptionKey: 'option.language.language.description',
      type: 'string',
      required: false,
      choices: [
        { name: 'Türkçe', value: 'tr' },
        { name: 'English', value: 'en' },
        { name: 'auto', value: AUTO_LANGUAGE },
      ],
    },
  ],
  parse: (argumentText) => {
    const language = splitArguments(argumentText, 1)[0]?.toLowerCase();
    return language ? { language } : {};
  },
  async handle(context) {
    const { db, settings, texts, logger } = context.services;
    const userId = context.actor.user.id;
    const choice = context.options.language;

    if (choice === undefined) {
      const explicit = context.actor.preferences.some((entry) => entry.key === 'locale' && entry.source === 'explicit');
      return {
        text: context.t(explicit ? 'language.current_explicit' : 'language.current_auto', {
          language: context.t(`language.name.${context.locale}`),
        }),
        buttons: [
          [
            { label: 'Türkçe', command: '/language tr' },
            { label: 'English', command: '/language en' },
            { label: context.t('language.auto_label'), command: `/language ${AUTO_LANGUAGE}` },
          ],
        ],
      };
    }

    if (choice === AUTO_LANGUAGE) {
      await forgetPreference(db, userId, 'locale');
      const locale = resolveLocale({
        platformLanguage: context.user.languageCode,
        systemDefault: settings.string('i18n.default_locale', 'en'),
      });
      logger.info({ userId }, 'explicit locale cleared');
      return { text: texts.t(locale, 'language.auto') };
    }

    await setPreference(db, userId, { key: 'locale', value: choice, category: 'system', source: 'explicit' });
    logger.info({ userId, locale: choice }, 'explicit locale set');
    return { text: texts.t(choice, 'language.changed') };
  },
};
