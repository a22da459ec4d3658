import { z } from 'zod';
import { normalizeInviteCode, redeemInvite } from '../../engine/invites.js';
import { findUser, usernameFor } from '../../engine/users.js';
import { resolveLocale } from '../../i18n/locale.js';
import type { CommandDefinition } from '../types.js';
import { splitArguments } from './arguments.js';

const redeemOptions = z.object({ code: z.string().min(1).max(64) });

/**
 * `/redeem CODE`: how a person redeems an invite where no start link exists (Discord). In
 * invite mode an unknown person's code is redeemed atomically before access is checked, and
 * only the winner of a race for one code is created as a user. One person spends at most one
 * code, so a second /redeem of theirs running at the same time lets them in without spending
 * another. A known user's code is not spent, and not checked beyond whether they spent it.
 */
export const redeemCommand: CommandDefinition<typeof redeemOptions> = {
  name: 'redeem',
  nameTr: 'davetiye',
  usage: '/redeem CODE',
  schema: redeemOptions,
  discordOptions: [
    { name: 'code', nameTr: 'kod', descriptionKey: 'option.redeem.code.description', type: 'string', required: true },
  ],
  parse: (argumentText) => ({ code: splitArguments(argumentText, 1)[0] ?? '' }),
  async beforeAccess(invocation, services) {
    const username = usernameFor(invocation.user);
    const code = splitArguments(invocation.argumentText, 1)[0] ?? '';
    if (code === '' || (await findUser(services.db, username))) return {};
    if (services.engine.actorServices.adminIds.has(username)) return {};
    if (services.settings.string('access.mode', 'open') !== 'invite') return {};

    if (!normalizeInviteCode(code) || !(await redeemInvite(services.db, code, username))) {
      services.logger.info({ username }, 'invite code rejected');
      const locale = resolveLocale({
        platformLanguage: invocation.user.languageCode,
        systemDefault: services.settings.string('i18n.default_locale', 'en'),
      });
      return { reply: { text: services.texts.t(locale, 'invite.invalid'), isError: true } };
    }
    services.logger.info({ username }, 'invite code redeemed');
    return { allowCreate: true };
  },
  async handle(context) {
    const { user } = context.actor;
    const code = normalizeInviteCode(context.options.code);
    // Text that is not shaped like a code gets the invalid-code reply for a known user too.
    if (code === undefined) return { text: context.t('invite.invalid'), isError: true };
    // The code counts as this user's when they spent it, also when a second /redeem of theirs
    // raced the first one. Any other code was not redeemed for them, whether it is unused, used
    // by someone else or unknown, so the reply states only that access was already granted.
    const redeemedByUser =
      (await context.services.db
        .selectFrom('invites')
        .select('code')
        .where('code', '=', code)
        .where('used_by', '=', user.username)
        .executeTakeFirst()) !== undefined;

    if (!redeemedByUser) return { text: context.t('redeem.access_already_granted') };
    return { text: context.t('invite.accepted') };
  },
};
