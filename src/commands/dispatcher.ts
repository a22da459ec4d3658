import type { z } from 'zod';
import { resolveActor } from '../engine/actor.js';
import { roleOf } from '../engine/permissions.js';
import type { CommandDefinition, CommandInvocation, CommandReply, CommandServices } from './types.js';
import { localizeUsage } from './usage-line.js';

/**
 * Runs one command for either platform: access (invite mode, bans), the admin check, option
 * validation, then the handler. Returns the reply to show. A refusal or invalid arguments
 * become a localized reply, and an error thrown by the handler is logged and answered with
 * the localized internal-error text.
 */
export async function dispatchCommand(
  definition: CommandDefinition,
  invocation: CommandInvocation,
  services: CommandServices,
): Promise<CommandReply> {
  const log = services.logger.child({
    component: 'commands',
    command: definition.name,
    platform: invocation.platform,
    chatId: invocation.chatId,
  });

  const early = definition.beforeAccess ? await definition.beforeAccess(invocation, services) : {};
  if (early.reply) return early.reply;

  const resolution = await resolveActor(services.engine.actorServices, invocation.user, {
    allowCreate: early.allowCreate ?? false,
    allowBanned: definition.allowBanned ?? false,
  });
  if (resolution.kind === 'refused') {
    log.info({ reason: resolution.reason }, 'command refused');
    return { text: resolution.text, isError: true };
  }

  const { actor } = resolution;
  const t = (key: string, variables?: Record<string, string | number>) => services.texts.t(actor.locale, key, variables);

  if (definition.adminOnly && roleOf(actor.user) !== 'admin') {
    log.warn({ userId: actor.user.id }, 'admin command refused to a non-admin');
    return { text: t('refusal.admin_only'), isError: true };
  }

  const parsed = (definition.schema as z.ZodType).safeParse(definition.parse(invocation.argumentText));
  if (!parsed.success) {
    return {
      text: t('command.invalid_arguments', {
        command: definition.name,
        usage: localizeUsage(definition.usage ?? `/${definition.name}`, actor.locale, services.texts),
      }),
      isError: true,
    };
  }

  try {
    return await definition.handle({
      ...invocation,
      actor,
      locale: actor.locale,
      options: parsed.data,
      services,
      t,
    });
  } catch (error) {
    log.error({ err: error, userId: actor.user.id }, 'command failed');
    return { text: t('error.internal'), isError: true };
  }
}

/**
 * ASCII letter for each Turkish letter outside ASCII. Telegram and Discord command names are
 * ASCII only, but people type `/yardım` for `/yardim`. The dotted `İ` maps to `i` here because
 * `'İ'.toLowerCase()` is `i` followed by U+0307 COMBINING DOT ABOVE, and the ASCII `I` (the
 * Turkish capital of `ı`) is lower-cased to `i` afterwards.
 */
const TURKISH_TO_ASCII: Readonly<Record<string, string>> = {
  ı: 'i',
  İ: 'i',
  ğ: 'g',
  Ğ: 'g',
  ü: 'u',
  Ü: 'u',
  ş: 's',
  Ş: 's',
  ö: 'o',
  Ö: 'o',
  ç: 'c',
  Ç: 'c',
};

/**
 * Splits `/name@bot rest` into the command name, the bot it is addressed to (lower-cased, when
 * given) and its argument text; undefined when the text is not a command. The name is 1 to 32
 * of A-Z, a-z, 0-9, _ and the Turkish letters ı, ğ, ü, ş, ö, ç, İ, Ğ, Ü, Ş, Ö and Ç. It is
 * returned in lower-case ASCII, so `/Yardım` gives `yardim`.
 */
export function parseCommandLine(text: string): { name: string; argumentText: string; target?: string } | undefined {
  const match = /^\/([A-Za-z0-9_ıİğĞüÜşŞöÖçÇ]{1,32})(?:@(\w+))?(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!match) return undefined;
  const name = (match[1] ?? '').replace(/[ıİğĞüÜşŞöÖçÇ]/g, (letter) => TURKISH_TO_ASCII[letter] ?? letter).toLowerCase();
  const target = match[2]?.toLowerCase();
  return { name, argumentText: (match[3] ?? '').trim(), ...(target ? { target } : {}) };
}
