import { z } from 'zod';
import type { UserRow } from '../../db/schema.js';
import { toJson } from '../../db/values.js';
import { effectiveLimits, LIMIT_KEYS, parseJsonObject, roleOf, type LimitKey } from '../../engine/permissions.js';
import type { CommandContext, CommandDefinition, CommandReply } from '../types.js';
import { splitArguments } from '../user-commands/arguments.js';
import { describeUser, resolveTargetUser } from '../user-lookup.js';
import { USER_OPTION } from './target-user.js';

/** VALUE of `/limits` that removes the user's own limit, so the role's default applies again. */
export const DEFAULT_LIMIT_VALUE = 'default';

/** Largest limit accepted; far above any real daily count, and safe as a SQLite integer. */
const MAX_LIMIT_VALUE = 1_000_000_000;

const limitsOptions = z
  .object({
    user: z.string().min(1),
    key: z.enum(LIMIT_KEYS as [LimitKey, ...LimitKey[]]).optional(),
    value: z
      .union([
        z.literal(DEFAULT_LIMIT_VALUE),
        z.string().regex(/^\d{1,10}$/).transform(Number).pipe(z.number().max(MAX_LIMIT_VALUE)),
      ])
      .optional(),
  })
  .refine((options) => (options.key === undefined) === (options.value === undefined));

/**
 * `/limits USER [KEY VALUE|default]`: sets one of the user's own limits in `users.limits`
 * (KEY one of `LIMIT_KEYS`, VALUE a non-negative integer, 0 for no limit), or removes it with
 * `default`. Without KEY it shows the user's effective limits.
 */
export const limitsCommand: CommandDefinition<typeof limitsOptions> = {
  name: 'limits',
  nameTr: 'limitler',
  usage: `/limits USER [${LIMIT_KEYS.join('|')} VALUE|default]`,
  adminOnly: true,
  schema: limitsOptions,
  discordOptions: [
    USER_OPTION,
    {
      name: 'key',
      nameTr: 'anahtar',
      descriptionKey: 'option.limits.key.description',
      type: 'string',
      required: false,
      choices: LIMIT_KEYS.map((key) => ({ name: key, value: key })),
    },
    { name: 'value', nameTr: 'deger', descriptionKey: 'option.limits.value.description', type: 'string', required: false },
  ],
  parse(argumentText) {
    const [user, key, value] = splitArguments(argumentText, 3);
    return { user: user ?? '', key: key?.toLowerCase(), value: value?.trim().toLowerCase() };
  },
  async handle(context) {
    const target = await resolveTargetUser(context, context.options.user);
    if (target.reply) return target.reply;
    const { user } = target;
    const { key, value } = context.options;
    if (key === undefined || value === undefined) return showLimits(context, user);

    const own = parseJsonObject(user.limits);
    if (value === DEFAULT_LIMIT_VALUE) delete own[key];
    else own[key] = value;
    await context.services.db.updateTable('users').set({ limits: toJson(own) }).where('id', '=', user.id).execute();

    context.services.logger.info({ adminId: context.actor.user.id, targetUserId: user.id, key, value }, 'user limit changed');
    const reply =
      value === DEFAULT_LIMIT_VALUE
        ? context.t('limits.reset', { user: describeUser(user), key })
        : context.t('limits.done', { user: describeUser(user), key, value: value === 0 ? context.t('usage.unlimited') : value });
    return roleOf(user) === 'admin' ? { text: `${reply}\n\n${context.t('limits.admin_unlimited')}` } : { text: reply };
  },
};

function showLimits(context: CommandContext<unknown>, user: UserRow): CommandReply {
  const limits = effectiveLimits(user, context.services.settings);
  const own = parseJsonObject(user.limits);
  const unlimited = context.t('usage.unlimited');
  const ownLabel = context.t('limits.own_label');

  const lines = LIMIT_KEYS.map((key) => {
    const shown = limits[key] > 0 ? limits[key] : unlimited;
    const marker = Object.hasOwn(own, key) ? ` (${ownLabel})` : '';
    return `• \`${key}\`: ${shown}${marker}`;
  });
  if (roleOf(user) === 'admin') lines.push('', context.t('limits.admin_unlimited'));

  return { text: [context.t('limits.header', { user: describeUser(user), role: roleOf(user) }), '', ...lines].join('\n') };
}
