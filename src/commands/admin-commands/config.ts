import { z } from 'zod';
import { escapeMarkdown, inlineCode } from '../../engine/markdown-escape.js';
import { SettingError, type SystemSettings } from '../../engine/settings.js';
import type { CommandContext, CommandDefinition, CommandReply } from '../types.js';
import { splitArguments } from '../user-commands/arguments.js';

const settingKey = z.string().min(1).max(100);
const configOptions = z.discriminatedUnion('action', [
  z.object({ action: z.literal('list') }),
  z.object({ action: z.literal('get'), key: settingKey }),
  z.object({ action: z.literal('set'), key: settingKey, value: z.string() }),
]);

type SettingListing = ReturnType<SystemSettings['list']>[number];

/**
 * `/config list | get KEY | set KEY VALUE`: reads and changes `system_configs` through
 * `SystemSettings`, which rejects read-only keys and values that do not parse as the key's
 * type. Secret values are masked in every reply and never logged, including a value just set.
 */
export const configCommand: CommandDefinition<typeof configOptions> = {
  name: 'config',
  nameTr: 'ayar',
  usage: '/config list | get KEY | set KEY VALUE',
  adminOnly: true,
  schema: configOptions,
  discordOptions: [
    {
      name: 'action',
      nameTr: 'islem',
      descriptionKey: 'option.config.action.description',
      type: 'string',
      required: false,
      choices: [
        { name: 'list', value: 'list' },
        { name: 'get', value: 'get' },
        { name: 'set', value: 'set' },
      ],
    },
    { name: 'key', nameTr: 'anahtar', descriptionKey: 'option.config.key.description', type: 'string', required: false },
    { name: 'value', nameTr: 'deger', descriptionKey: 'option.config.value.description', type: 'string', required: false },
  ],
  parse(argumentText) {
    const [action, key, value] = splitArguments(argumentText, 3);
    // `set KEY` with nothing after it stores an empty string, e.g. to clear a secret.
    return { action: action?.toLowerCase() ?? 'list', key, value: value ?? '' };
  },
  async handle(context) {
    const { options } = context;
    if (options.action === 'list') return listSettings(context);
    if (options.action === 'get') return getSetting(context, options.key);
    return setSetting(context, options.key, options.value);
  },
};

function listSettings(context: CommandContext<unknown>): CommandReply {
  const lines = context.services.settings.list().map((setting) => settingLine(context, setting));
  return { title: context.t('command.config.description'), text: [context.t('config.list_header'), '', ...lines].join('\n') };
}

function getSetting(context: CommandContext<unknown>, key: string): CommandReply {
  const setting = context.services.settings.list().find((candidate) => candidate.key === key);
  if (!setting) return { text: context.t('config.not_found', { key: inlineCode(key) }), isError: true };
  return { text: settingLine(context, setting) };
}

async function setSetting(context: CommandContext<unknown>, key: string, raw: string): Promise<CommandReply> {
  const { settings, logger } = context.services;
  const admin = context.actor.user;
  try {
    await settings.set(key, raw, admin.username);
  } catch (error) {
    if (!(error instanceof SettingError)) throw error;
    logger.info({ adminId: admin.id, key, reason: error.code }, 'setting change rejected');
    const textKey = { not_found: 'config.not_found', not_editable: 'config.read_only', invalid_value: 'config.invalid_value' }[
      error.code
    ];
    return { text: context.t(textKey, { key: inlineCode(key) }), isError: true };
  }

  const setting = settings.list().find((candidate) => candidate.key === key);
  const value = setting?.value ?? '';
  logger.info({ adminId: admin.id, key, ...(settings.isSecret(key) ? {} : { value }) }, 'setting changed');
  return { text: context.t('config.updated', { key: inlineCode(key), value: escapeMarkdown(value) }) };
}

/** Formats one setting as a reply line; `list()` has already masked secret values. */
function settingLine(context: CommandContext<unknown>, setting: SettingListing): string {
  const markers = [setting.valueType];
  if (!setting.isEditable) markers.push(context.t('config.read_only_label'));
  if (setting.isSecret) markers.push(context.t('config.secret_label'));
  return `• ${inlineCode(setting.key)} = ${escapeMarkdown(setting.value)} (${markers.join(', ')})`;
}
