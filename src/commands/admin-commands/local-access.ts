import { canUseLocal } from '../../engine/permissions.js';
import type { CommandDefinition } from '../types.js';
import { describeUser, resolveTargetUser } from '../user-lookup.js';
import { parseTargetUser, targetUserOptions, USER_OPTION } from './target-user.js';

/** `/unlock USER`: sets `bela_unlocked`, which gives the user the local, uncensored model. */
export const unlockCommand: CommandDefinition<typeof targetUserOptions> = {
  name: 'unlock',
  nameTr: 'kilidi_ac',
  usage: '/unlock USER',
  adminOnly: true,
  schema: targetUserOptions,
  discordOptions: [USER_OPTION],
  parse: parseTargetUser,
  async handle(context) {
    const target = await resolveTargetUser(context, context.options.user);
    if (target.reply) return target.reply;
    const { user } = target;

    await context.services.db.updateTable('users').set({ bela_unlocked: 1 }).where('id', '=', user.id).execute();
    context.services.logger.info({ adminId: context.actor.user.id, targetUserId: user.id }, 'local model unlocked');
    return { text: context.t('unlock.done', { user: describeUser(user) }) };
  },
};

/**
 * `/lock USER`: clears `bela_unlocked`. The admin role and `permissions.can_use_local_chat`
 * grant local access too, so the reply notes when the user keeps it through one of them.
 */
export const lockCommand: CommandDefinition<typeof targetUserOptions> = {
  name: 'lock',
  nameTr: 'kilitle',
  usage: '/lock USER',
  adminOnly: true,
  schema: targetUserOptions,
  discordOptions: [USER_OPTION],
  parse: parseTargetUser,
  async handle(context) {
    const target = await resolveTargetUser(context, context.options.user);
    if (target.reply) return target.reply;
    const { user } = target;

    await context.services.db.updateTable('users').set({ bela_unlocked: 0 }).where('id', '=', user.id).execute();
    context.services.logger.info({ adminId: context.actor.user.id, targetUserId: user.id }, 'local model locked');

    const locked = context.t('lock.done', { user: describeUser(user) });
    if (!canUseLocal({ ...user, bela_unlocked: 0 })) return { text: locked };
    return { text: `${locked}\n\n${context.t('lock.still_has_access')}` };
  },
};
