import type { CommandDefinition } from '../types.js';
import { describeUser, resolveTargetUser } from '../user-lookup.js';
import { parseTargetUser, targetUserOptions, USER_OPTION } from './target-user.js';

/**
 * `/ban USER`: sets `is_banned`, so the user gets a short refusal and never reaches a model.
 * An admin cannot ban themself, nor an account listed in `ADMIN_IDS`, which always gets in.
 */
export const banCommand: CommandDefinition<typeof targetUserOptions> = {
  name: 'ban',
  nameTr: 'yasakla',
  usage: '/ban USER',
  adminOnly: true,
  schema: targetUserOptions,
  discordOptions: [USER_OPTION],
  parse: parseTargetUser,
  async handle(context) {
    const target = await resolveTargetUser(context, context.options.user);
    if (target.reply) return target.reply;
    const { user } = target;
    const admin = context.actor.user;

    if (user.id === admin.id) return { text: context.t('ban.self'), isError: true };
    if (context.services.engine.actorServices.adminIds.has(user.username)) {
      return { text: context.t('ban.listed_admin', { user: describeUser(user) }), isError: true };
    }
    if (user.is_banned === 1) return { text: context.t('ban.already', { user: describeUser(user) }) };

    await context.services.db.updateTable('users').set({ is_banned: 1 }).where('id', '=', user.id).execute();
    context.services.logger.info({ adminId: admin.id, targetUserId: user.id }, 'user banned');
    return { text: context.t('ban.done', { user: describeUser(user) }) };
  },
};

/** `/unban USER`: clears `is_banned`. */
export const unbanCommand: CommandDefinition<typeof targetUserOptions> = {
  name: 'unban',
  nameTr: 'yasagi_kaldir',
  usage: '/unban USER',
  adminOnly: true,
  schema: targetUserOptions,
  discordOptions: [USER_OPTION],
  parse: parseTargetUser,
  async handle(context) {
    const target = await resolveTargetUser(context, context.options.user);
    if (target.reply) return target.reply;
    const { user } = target;

    if (user.is_banned === 0) return { text: context.t('unban.not_banned', { user: describeUser(user) }) };

    await context.services.db.updateTable('users').set({ is_banned: 0 }).where('id', '=', user.id).execute();
    context.services.logger.info({ adminId: context.actor.user.id, targetUserId: user.id }, 'user unbanned');
    return { text: context.t('unban.done', { user: describeUser(user) }) };
  },
};
