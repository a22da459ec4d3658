import { z } from 'zod';
import type { UserRow } from '../../db/schema.js';
import type { CommandContext, CommandDefinition, DiscordOptionSpec } from '../types.js';
import { splitArguments } from '../user-commands/arguments.js';
import { describeUser, resolveTargetUser } from '../user-lookup.js';

/** Options of an admin command that acts on one user named by its first argument. */
export const targetUserOptions = z.object({ user: z.string().min(1) });

/** The USER option of admin commands that act on one user. */
export const USER_OPTION: DiscordOptionSpec = {
  name: 'user',
  nameTr: 'kullanici',
  descriptionKey: 'option.user.description',
  type: 'user',
  required: true,
};

/** Parses argument text whose only word names the target user. */
export function parseTargetUser(argumentText: string): { user: string } {
  return { user: splitArguments(argumentText, 1)[0] ?? '' };
}

/** A 0/1 column of `users` that an admin command sets or clears. */
export type UserFlagColumn = 'is_banned' | 'bela_unlocked';

/** The parts in which one `/command USER` that sets a user flag differs from the others. */
export interface UserFlagCommandSpec {
  /** English command name; the usage line is `/NAME USER`. */
  name: string;
  /** Turkish name for Discord's name localizations. */
  nameTr: string;
  column: UserFlagColumn;
  /** Value the command writes to `column`. */
  value: 0 | 1;
  /** Text key of the reply after the update; gets `{user}`. */
  doneKey: string;
  /** Log message after the update, such as `user banned`. */
  logMessage: string;
  /**
   * Text keys of the error replies when the target is the admin themself (no variables) or an
   * account listed in `ADMIN_IDS` (gets `{user}`). Without them the command accepts any user.
   */
  adminRejectionKeys?: { self: string; listedAdmin: string };
  /**
   * Text key of the reply, not marked as an error, when `column` already equals `value`; gets
   * `{user}`. Without it the command writes the value again and replies with `doneKey`.
   */
  unchangedKey?: string;
  /**
   * Returns a paragraph to append to the reply (`doneKey` or `unchangedKey`), or undefined for
   * none. `user` is the row as it is after the command.
   */
  note?(user: UserRow, context: CommandContext<unknown>): string | undefined;
}

/**
 * Defines an admin command that resolves its USER argument, checks the target against the
 * spec's rejections, writes one flag column, logs the change and replies.
 */
export function defineUserFlagCommand(spec: UserFlagCommandSpec): CommandDefinition<typeof targetUserOptions> {
  return {
    name: spec.name,
    nameTr: spec.nameTr,
    usage: `/${spec.name} USER`,
    adminOnly: true,
    schema: targetUserOptions,
    discordOptions: [USER_OPTION],
    parse: parseTargetUser,
    async handle(context) {
      const target = await resolveTargetUser(context, context.options.user);
      if (target.reply) return target.reply;
      const { user } = target;
      const admin = context.actor.user;

      if (spec.adminRejectionKeys) {
        if (user.id === admin.id) return { text: context.t(spec.adminRejectionKeys.self), isError: true };
        if (context.services.engine.actorServices.adminIds.has(user.username)) {
          return { text: context.t(spec.adminRejectionKeys.listedAdmin, { user: describeUser(user) }), isError: true };
        }
      }
      const unchanged = spec.unchangedKey !== undefined && user[spec.column] === spec.value;
      if (!unchanged) {
        await context.services.db.updateTable('users').set({ [spec.column]: spec.value }).where('id', '=', user.id).execute();
        context.services.logger.info({ adminId: admin.id, targetUserId: user.id }, spec.logMessage);
      }

      const text = context.t(unchanged ? spec.unchangedKey! : spec.doneKey, { user: describeUser(user) });
      const note = spec.note?.({ ...user, [spec.column]: spec.value }, context);
      return { text: note === undefined ? text : `${text}\n\n${note}` };
    },
  };
}
