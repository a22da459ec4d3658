import { z } from 'zod';

import { nowIso } from '../../db/values.js';
import { escapeMarkdown, inlineCode } from '../../engine/markdown-escape.js';
import { parseBooleanWord } from '../../engine/settings.js';
import type { CommandContext, CommandDefinition, CommandReply } from '../types.js';
import { splitArguments } from '../user-commands/arguments.js';

/**
 * Text fields of `ai_identity_config` an admin may set, with their maximum length in
 * characters. Every field goes into each system prompt, so long values cost tokens on every
 * turn.
 */
export const IDENTITY_TEXT_FIELDS = {
  display_name: 64,
  developer_name: 100,
  product_family: 100,
  short_intro: 500,
} as const;

type IdentityTextField = keyof typeof IDENTITY_TEXT_FIELDS;
type IdentityField = IdentityTextField | 'forbid_provider_mention';

const IDENTITY_FIELDS: readonly IdentityField[] = [
  ...(Object.keys(IDENTITY_TEXT_FIELDS) as IdentityTextField[]),
  'forbid_provider_mention',
];

const identityOptions = z.discriminatedUnion('action', [
  z.object({ action: z.literal('show') }),
  z.object({
    action: z.literal('set'),
    field: z.enum(IDENTITY_FIELDS as [IdentityField, ...IdentityField[]]),
    value: z.string().trim().min(1),
  }),
]);

/**
 * `/identity [show | set FIELD VALUE]`: shows or changes the assistant's identity in
 * `ai_identity_config` row 1. A change drops the engine's cached copy of the row, so it
 * applies to the next message. `forbid_provider_mention` takes a boolean word (true/false, yes/no,
 * on/off, 1/0, evet/hayır).
 */
export const identityCommand: CommandDefinition<typeof identityOptions> = {
  name: 'identity',
  nameTr: 'kimlik',
  usage: `/identity [show | set ${IDENTITY_FIELDS.join('|')} VALUE]`,
  adminOnly: true,
  schema: identityOptions,
  discordOptions: [
    {
      name: 'action',
      nameTr: 'islem',
      descriptionKey: 'option.identity.action.description',
      type: 'string',
      required: false,
      choices: [
        { name: 'show', value: 'show' },
        { name: 'set', value: 'set' },
      ],
    },
    {
      name: 'field',
      nameTr: 'alan',
      descriptionKey: 'option.identity.field.description',
      type: 'string',
      required: false,
      choices: IDENTITY_FIELDS.map((field) => ({ name: field, value: field })),
    },
    { name: 'value', nameTr: 'deger', descriptionKey: 'option.identity.value.description', type: 'string', required: false },
  ],
  parse(argumentText) {
    const [action, field, value] = splitArguments(argumentText, 3);
    return { action: action?.toLowerCase() ?? 'show', field: field?.toLowerCase(), value };
  },
  async handle(context) {
    const { options } = context;
    if (options.action === 'show') return showIdentity(context);
    return setIdentityField(context, options.field, options.value);
  },
};

async function showIdentity(context: CommandContext<unknown>): Promise<CommandReply> {
  const identity = await context.services.db.selectFrom('ai_identity_config').selectAll().where('id', '=', 1).executeTakeFirst();
  if (!identity) {
    context.services.logger.error('ai_identity_config row 1 is missing; run the seed to restore it');
    return { text: context.t('error.internal'), isError: true };
  }

  const lines = IDENTITY_FIELDS.map((field) => {
    const value =
      field === 'forbid_provider_mention'
        ? context.t(identity.forbid_provider_mention === 1 ? 'identity.yes' : 'identity.no')
        : escapeMarkdown(identity[field]);
    return `• ${inlineCode(field)}: ${value}`;
  });
  return {
    title: context.t('command.identity.description'),
    text: [context.t('identity.header'), '', ...lines, '', context.t('identity.hint')].join('\n'),
  };
}

async function setIdentityField(context: CommandContext<unknown>, field: IdentityField, value: string): Promise<CommandReply> {
  let patch: { forbid_provider_mention: number } | Partial<Record<IdentityTextField, string>>;
  if (field === 'forbid_provider_mention') {
    const flag = parseBooleanWord(value);
    if (flag === undefined) return { text: context.t('identity.invalid_boolean', { value: escapeMarkdown(value) }), isError: true };
    patch = { forbid_provider_mention: flag ? 1 : 0 };
  } else {
    const max = IDENTITY_TEXT_FIELDS[field];
    if (value.length > max) return { text: context.t('identity.too_long', { field, max }), isError: true };
    patch = { [field]: value };
  }

  const result = await context.services.db
    .updateTable('ai_identity_config')
    .set({ ...patch, updated_at: nowIso() })
    .where('id', '=', 1)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) {
    context.services.logger.error('ai_identity_config row 1 is missing; run the seed to restore it');
    return { text: context.t('error.internal'), isError: true };
  }

  context.services.engine.configRows.invalidate();
  context.services.logger.info({ userId: context.actor.user.id, field }, 'identity changed');
  return { text: context.t('identity.saved', { field, value: escapeMarkdown(value) }) };
}
