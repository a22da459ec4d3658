import type { z } from 'zod';
import type { Actor } from '../engine/actor.js';
import type { ConversationEngine } from '../engine/conversation-engine.js';
import type { Locale, Platform, PlatformUser } from '../engine/types.js';
import type { TextCatalog } from '../i18n/texts.js';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { SystemSettings } from '../engine/settings.js';
import type { Logger } from 'pino';
import type { ImageService } from '../images/image-service.js';

/** A button offered under a command reply: an inline keyboard button on Telegram, a component on Discord. */
export interface ReplyButton {
  label: string;
  /** Command line the button runs when pressed, e.g. `/persona coder`; at most 64 bytes (Telegram callback_data). */
  command: string;
}

/** What a command answers. `text` is Markdown, rendered by each adapter for its platform. */
export interface CommandReply {
  text: string;
  /** Rows of buttons. */
  buttons?: ReplyButton[][];
  /** Shown as a coloured embed on Discord; ignored on Telegram. */
  title?: string;
  /** True for a notice that the command was refused or failed (Discord uses the theme's error colour). */
  isError?: boolean;
  /**
   * A generated image to send as a photo with `caption` (Markdown, at most 1024 characters,
   * Telegram's caption limit). `followUpText` is Markdown sent as a message after the photo
   * when the caption did not fit; `replyMessageId` is the stored assistant message, for
   * `engine.recordDelivery`. When `image` is set, `text` repeats the caption for adapters or
   * logs that show text only.
   */
  image?: { png: Buffer; caption: string; followUpText?: string; replyMessageId?: number };
}

/** Services a command handler may use. */
export interface CommandServices {
  db: Kysely<Database>;
  engine: ConversationEngine;
  settings: SystemSettings;
  texts: TextCatalog;
  logger: Logger;
  /** Telegram bot @username, for `t.me/<bot>?start=CODE` invite links; undefined elsewhere. */
  telegramBotUsername?: string;
  /**
   * Called after a user's role changed, e.g. so the Telegram adapter can show or hide the admin
   * commands in that user's command menu. Adapters add themselves at start.
   */
  roleChangeListeners?: Array<(username: string, role: string) => Promise<void>>;
  /** Image generation for `/imagine`; undefined when the bot runs without it. */
  images?: ImageService;
}

export interface CommandInvocation {
  platform: Platform;
  chatId: string;
  isPrivate: boolean;
  user: PlatformUser;
  /** Everything after the command name, trimmed. */
  argumentText: string;
}

export interface CommandContext<Options> extends CommandInvocation {
  actor: Actor;
  locale: Locale;
  options: Options;
  services: CommandServices;
  t(key: string, variables?: Record<string, string | number>): string;
}

/**
 * One command, defined once and exposed on both platforms: a Telegram command (English
 * name, localized description) and a Discord slash command (with a Turkish name).
 */
export interface CommandDefinition<Schema extends z.ZodType = z.ZodType> {
  /** English name: a-z, 0-9 and _ only, at most 32 characters (Telegram's rule). */
  name: string;
  /** Turkish name for Discord's name localizations; same rules. */
  nameTr?: string;
  /** Syntax shown when the arguments do not parse, e.g. `/ban USER`. */
  usage?: string;
  /** Only users with the admin role may run it. */
  adminOnly?: boolean;
  /** Runs for banned users too: `/help`, `/forget_me`, and `/start`, which tells them they are banned. */
  allowBanned?: boolean;
  /**
   * Left out of the platform command menus and slash command registration: the command is
   * only run by buttons (for example `/vote like 123` under a reply) or typed by hand.
   */
  hidden?: boolean;
  /**
   * Tells whether this command line, run from a button, confirms a one-time action such as the
   * deletion of `/forget_me confirm`. Adapters then remove the buttons of the message that
   * carried it, so the confirmation cannot be pressed again.
   */
  confirms?(argumentText: string): boolean;
  /**
   * The chat action to show while the command runs, for commands that take long: Telegram's
   * `sendChatAction` `upload_photo`, or a deferred interaction reply on Discord.
   */
  progress?: 'upload_photo';
  /** Discord slash command options; Telegram passes the raw argument text to `parse`. */
  discordOptions?: DiscordOptionSpec[];
  /**
   * Runs before access is checked, for commands that grant access themselves: `/start CODE`
   * redeems an invite and lets the dispatcher create the user.
   */
  beforeAccess?(invocation: CommandInvocation, services: CommandServices): Promise<{ allowCreate?: boolean; reply?: CommandReply }>;
  /** Turns the argument text into validated options. */
  schema: Schema;
  parse(argumentText: string): unknown;
  handle(context: CommandContext<z.infer<Schema>>): Promise<CommandReply>;
}

export interface DiscordOptionSpec {
  name: string;
  nameTr?: string;
  descriptionKey: string;
  type: 'string' | 'integer' | 'user';
  required?: boolean;
  choices?: Array<{ name: string; value: string }>;
  autocomplete?: boolean;
}
