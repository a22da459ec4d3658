import { z } from 'zod';
import { createInvites, normalizeInviteCode } from '../../engine/invites.js';
import { escapeMarkdown } from '../../engine/markdown-escape.js';
import type { CommandContext, CommandDefinition, CommandReply } from '../types.js';
import { splitArguments } from '../user-commands/arguments.js';

/** Most codes one `/invite create` makes, so a typo cannot flood the table or the reply. */
export const MAX_INVITES_PER_COMMAND = 50;

/** Most unused codes `/invite list` shows, newest first. */
export const INVITE_LIST_LENGTH = 50;

const inviteOptions = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('create'),
    count: z
      .string()
      .regex(/^\d{1,3}$/)
      .transform(Number)
      .pipe(z.number().int().min(1).max(MAX_INVITES_PER_COMMAND))
      .default(1),
  }),
  z.object({ action: z.literal('list') }),
  z.object({ action: z.literal('revoke'), code: z.string().min(1) }),
]);

/**
 * `/invite create [count] | list | revoke CODE`: makes single-use invite codes (one when no
 * count is given, `/invite` alone included), lists the unused ones, or deletes an unused one.
 * On Telegram each new code comes with its `t.me/<bot>?start=CODE` link.
 */
export const inviteCommand: CommandDefinition<typeof inviteOptions> = {
  name: 'invite',
  nameTr: 'davet',
  usage: `/invite create [1-${MAX_INVITES_PER_COMMAND}] | list | revoke CODE`,
  adminOnly: true,
  schema: inviteOptions,
  discordOptions: [
    {
      name: 'action',
      nameTr: 'islem',
      descriptionKey: 'option.invite.action.description',
      type: 'string',
      required: false,
      choices: [
        { name: 'create', value: 'create' },
        { name: 'list', value: 'list' },
        { name: 'revoke', value: 'revoke' },
      ],
    },
    { name: 'value', nameTr: 'deger', descriptionKey: 'option.invite.value.description', type: 'string', required: false },
  ],
  parse(argumentText) {
    const [action, value] = splitArguments(argumentText, 2);
    return { action: action?.toLowerCase() ?? 'create', count: value?.trim(), code: value?.trim() };
  },
  async handle(context) {
    const { options } = context;
    if (options.action === 'create') return createCodes(context, options.count);
    if (options.action === 'list') return listCodes(context);
    return revokeCode(context, options.code);
  },
};

async function createCodes(context: CommandContext<unknown>, count: number): Promise<CommandReply> {
  const admin = context.actor.user;
  const codes = await createInvites(context.services.db, admin.username, count);
  context.services.logger.info({ adminId: admin.id, count: codes.length }, 'invite codes created');

  const bot = context.platform === 'telegram' ? context.services.telegramBotUsername : undefined;
  const lines = codes.map((code) => (bot ? `• \`${code}\` – <https://t.me/${bot}?start=${code}>` : `• \`${code}\``));
  const hint = context.platform === 'telegram' ? context.t('invite.hint_telegram') : context.t('invite.hint_discord');
  return { text: [context.t('invite.created', { count: codes.length }), '', ...lines, '', hint].join('\n') };
}

async function listCodes(context: CommandContext<unknown>): Promise<CommandReply> {
  const { db } = context.services;
  const unused = await db
    .selectFrom('invites')
    .select(['code', 'created_by', 'created_at'])
    .where('is_used', '=', 0)
    .orderBy('created_at', 'desc')
    .orderBy('code')
    .limit(INVITE_LIST_LENGTH)
    .execute();
  if (unused.length === 0) return { text: context.t('invite.list_empty') };

  const total = await db
    .selectFrom('invites')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('is_used', '=', 0)
    .executeTakeFirst();
  const totalCount = Number(total?.count ?? unused.length);

  const lines = unused.map(
    (invite) => `• \`${invite.code}\` – ${escapeMarkdown(invite.created_by)}, ${invite.created_at.slice(0, 10)}`,
  );
  if (totalCount > unused.length) lines.push('', context.t('invite.list_more', { count: totalCount - unused.length }));
  return { text: [context.t('invite.list_header', { count: totalCount }), '', ...lines].join('\n') };
}

async function revokeCode(context: CommandContext<unknown>, input: string): Promise<CommandReply> {
  const code = normalizeInviteCode(input);
  const result = code
    ? await context.services.db.deleteFrom('invites').where('code', '=', code).where('is_used', '=', 0).executeTakeFirst()
    : undefined;
  if (!code || Number(result?.numDeletedRows ?? 0n) === 0) {
    return { text: context.t('invite.revoke_not_found', { code: escapeMarkdown(input) }), isError: true };
  }

  context.services.logger.info({ adminId: context.actor.user.id }, 'invite code revoked');
  return { text: context.t('invite.revoked', { code }) };
}
