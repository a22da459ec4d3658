import { z } from 'zod';
import { escapeMarkdown } from '../engine/markdown-escape.js';
import { findUser, usernameFor } from '../engine/users.js';
import { hasRedeemedInvite, normalizeInviteCode, redeemInvite } from '../engine/invites.js';
import { resolveLocale } from '../i18n/locale.js';
import type { CommandDefinition } from './types.js';

const noOptions = z.object({});
const ignoreArguments = () => ({});

/**
 * `/start [CODE]`: the welcome. In invite mode an unknown person's code is redeemed first,
 * atomically, and only a winner is created as a user. A Telegram `t.me/<bot>?start=CODE`
 * link sends exactly this command.
 */
export const startCommand: CommandDefinition<typeof noOptions> = {
  name: 'start',
  nameTr: 'basla',
  allowBanned: true,
  schema: noOptions,
  parse: ignoreArguments,
  async beforeAccess(invocation, services) {
    const username = usernameFor(invocation.user);
    const existing = await findUser(services.db, username);
    const code = invocation.argumentText.split(/\s+/)[0] ?? '';
    if (existing || code === '') return {};
    // An account in ADMIN_IDS always gets in, so its start parameter is not taken for a code.
    if (services.engine.actorServices.adminIds.has(username)) return {};
    if (services.settings.string('access.mode', 'open') !== 'invite') return {};

    const locale = resolveLocale({
      platformLanguage: invocation.user.languageCode,
      systemDefault: services.settings.string('i18n.default_locale', 'en'),
    });
    if (!normalizeInviteCode(code) || !(await redeemInvite(services.db, code, username))) {
      services.logger.info({ username }, 'invite code rejected');
      return { reply: { text: services.texts.t(locale, 'invite.invalid'), isError: true } };
    }
    services.logger.info({ username }, 'invite code redeemed');
    return { allowCreate: true };
  },
  async handle(context) {
    const name = context.actor.user.display_name ?? context.user.displayName ?? '';
    const assistant =
      (await context.services.db.selectFrom('ai_identity_config').select('display_name').where('id', '=', 1).executeTakeFirst())
        ?.display_name ?? 'Assistant';
    const welcome = context.t('welcome', { name: escapeMarkdown(name), assistant: escapeMarkdown(assistant) });
    // resolveActor lets an account in ADMIN_IDS through a ban, and so does the welcome.
    const banned = context.actor.user.is_banned === 1 && !context.services.engine.actorServices.adminIds.has(context.actor.user.username);
    if (banned) return { text: context.t('refusal.banned'), isError: true };
    // Only a code this new user has just redeemed is acknowledged. In open mode a start
    // parameter (a campaign tag, a stale link) is not an invite.
    const redeemed = context.actor.isNew && context.argumentText !== '' && (await hasRedeemedInvite(context.services.db, usernameFor(context.user)));
    const accepted = redeemed ? `${context.t('invite.accepted')}\n\n` : '';
    return { text: `${accepted}${welcome}` };
  },
};

export const helpCommand: CommandDefinition<typeof noOptions> = {
  name: 'help',
  nameTr: 'yardim',
  allowBanned: true,
  schema: noOptions,
  parse: ignoreArguments,
  async handle(context) {
    return { text: context.t('help'), title: context.t('help.title') };
  },
};

export const newCommand: CommandDefinition<typeof noOptions> = {
  name: 'new',
  nameTr: 'yeni',
  schema: noOptions,
  parse: ignoreArguments,
  async handle(context) {
    // The bot replies to chat messages in private chats only, so a conversation started for a
    // group or server channel would never receive a message.
    if (!context.isPrivate) return { text: context.t('conversation.private_only'), isError: true };
    await context.services.engine.runInChat(context.platform, context.chatId, () =>
      context.services.engine.startNewConversation(context.actor, context.platform, context.chatId),
    );
    return { text: context.t('conversation.new') };
  },
};
