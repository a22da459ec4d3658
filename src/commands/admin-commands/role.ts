import { z } from 'zod';
import { ROLES } from '../../engine/permissions.js';
import type { CommandDefinition } from '../types.js';
import { splitArguments } from '../user-commands/arguments.js';
import { describeUser, resolveTargetUser } from '../user-lookup.js';
import { USER_OPTION } from './target-user.js';

const roleOptions = z.object({ user: z.string().min(1), role: z.enum(['user', 'vip', 'admin']) });

/**
 * `/role USER user|vip|admin`: sets `users.role`. An admin cannot change their own role, so
 * the last admin cannot lock everyone out, and accounts in `ADMIN_IDS` stay admins because
 * the list is applied again on their next event.
 */
export const roleCommand: CommandDefinition<typeof roleOptions> = {
  name: 'role',
  nameTr: 'rol',
  usage: '/role USER user|vip|admin',
  adminOnly: true,
  schema: roleOptions,
  discordOptions: [
    USER_OPTION,
    {
      name: 'role',
      nameTr: 'rol',
      descriptionKey: 'option.role.role.description',
      type: 'string',
      required: true,
      choices: ROLES.map((role) => ({ name: role, value: role })),
    },
  ],
  parse(argumentText) {
    const [user, role] = splitArguments(argumentText, 2);
    return { user: user ?? '', role: role?.trim().toLowerCase() };
  },
  async handle(context) {
    const target = await resolveTargetUser(context, context.options.user);
    if (target.reply) return target.reply;
    const { user } = target;
    const { role } = context.options;

    if (user.id === context.actor.user.id) return { text: context.t('role.self'), isError: true };
    if (role !== 'admin' && context.services.engine.actorServices.adminIds.has(user.username)) {
      return { text: context.t('role.listed_admin', { user: describeUser(user) }), isError: true };
    }

    await context.services.db.updateTable('users').set({ role }).where('id', '=', user.id).execute();
    for (const listener of context.services.roleChangeListeners ?? []) {
      await listener(user.username, role).catch((error: unknown) => {
        context.services.logger.warn({ err: error, targetUserId: user.id }, 'role change listener failed');
      });
    }
    context.services.logger.info(
      { adminId: context.actor.user.id, targetUserId: user.id, previousRole: user.role, role },
      'user role changed',
    );
    return { text: context.t('role.done', { user: describeUser(user), role }) };
  },
};
