import { autoRetry } from '@grammyjs/auto-retry';
import { run, sequentialize, type RunnerHandle } from '@grammyjs/runner';
import { Bot, GrammyError, HttpError, type Context } from 'grammy';
import type { Update } from 'grammy/types';
import type { Logger } from 'pino';
import { dispatchCommand, parseCommandLine } from '../../commands/dispatcher.js';
import { COMMANDS, findCommand } from '../../commands/registry.js';
import { feedbackButtons } from '../../commands/user-commands/feedback.js';
import type { CommandDefinition, CommandReply, CommandServices } from '../../commands/types.js';
import { resolveActor } from '../../engine/actor.js';
import { escapeMarkdown } from '../../engine/markdown-escape.js';
import type { TurnOutcome } from '../../engine/types.js';
import { maskSecrets } from '../../logger.js';
import { StartupError } from '../../startup-error.js';
import { isPrivateChat, privateOnlyText, runsInGroupChats } from './group-chats.js';
import { withPrivateChatNote } from '../shared/private-chat-note.js';
import { sendTelegramImage } from './image-sender.js';
import { platformUserOf, telegramChatIdOf } from './mapping.js';
import { finalReplyText, internalErrorText } from '../shared/final-reply-text.js';
import { StreamCoalescer } from '../shared/stream-coalescer.js';
import { describeTelegramError } from './bot-api-helpers.js';
import { retryNetworkErrors } from './network-retry.js';
import { sendTelegramReply } from './reply-sender.js';
import { TelegramStreamWriter } from './stream-writer.js';
import { SendPacer } from './send-pacer.js';
import { CHAT_ACTION_RENEW_MS, chatActionRenewMs, keepChatAction } from './typing.js';
import { UpdateJournal } from '../shared/update-journal.js';

export interface TelegramAdapterOptions {
  token: string;
  /** Bot API root, e.g. https://api.telegram.org or a local Bot API server. */
  apiRoot: string;
  services: CommandServices;
  logger: Logger;
}

/** Maximum `retry_after`, in seconds, the bot waits out before a call fails. */
const MAX_RETRY_AFTER_SECONDS = 60;
/** Long-polling timeout of `getUpdates`, in seconds. */
const POLLING_TIMEOUT_SECONDS = 30;

/**
 * Shortest gap between two partial updates of one reply. Telegram's FAQ advises about one
 * message per second per chat, and the send pacer spaces calls to that rate anyway.
 */
const STREAM_UPDATE_INTERVAL_MS = 1_000;

/** Telegram caps the text of a callback query answer (a button notice) at 200 characters. */
const CALLBACK_ANSWER_MAX_LENGTH = 200;

/** Telegram caps a command description at 256 characters. */
const TELEGRAM_COMMAND_DESCRIPTION_MAX = 256;

const ALLOWED_UPDATES = ['message', 'callback_query', 'my_chat_member'] as const;

/**
 * The Telegram side of the bot: grammY with long polling through @grammyjs/runner, turns of
 * one chat handled in order, every update journaled so a crash loses none.
 */
export class TelegramAdapter {
  readonly bot: Bot;
  readonly #services: CommandServices;
  readonly #log: Logger;
  readonly #journal: UpdateJournal;
  readonly #token: string;
  readonly #apiRoot: string;
  #runner: RunnerHandle | undefined;
  /** False once Telegram rejected sendMessageDraft; replies then stream by editing a message. */
  #draftsAvailable = true;
  /** Admin accounts whose per-chat command menu was set during this run. */
  readonly #menuSynced = new Set<string>();
  /** Handlers still running, so a stop can wait for their replies and database writes. */
  readonly #inFlight = new Set<Promise<void>>();

  constructor(options: TelegramAdapterOptions) {
    this.#services = options.services;
    this.#token = options.token;
    this.#apiRoot = options.apiRoot;
    this.#log = options.logger.child({ component: 'telegram' });
    this.#journal = new UpdateJournal(options.services.db, 'telegram');
    this.bot = new Bot(options.token, { client: { apiRoot: options.apiRoot } });

    const settings = options.services.settings;
    const pacer = new SendPacer(() => ({
      globalPerSecond: settings.number('telegram.messages_per_second', 30),
      chatPerSecond: settings.number('telegram.chat_messages_per_second', 1),
    }));
    // auto-retry waits out 429 and 5xx replies. With `rethrowHttpErrors` it passes network
    // errors on to retryNetworkErrors, which retries them a bounded number of times (getUpdates
    // without limit) and logs each retry. Without it, auto-retry would retry them without end
    // and an unreachable API root would hang the start-up. The pacer is the outermost
    // transformer, so it paces each call once and not each retry.
    this.bot.api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: MAX_RETRY_AFTER_SECONDS, rethrowHttpErrors: true }));
    this.bot.api.config.use(retryNetworkErrors({ logger: this.#log, describeError: (error) => this.#describeError(error) }));
    this.bot.api.config.use(pacer.transformer());

    this.#registerHandlers();
  }

  /**
   * Authenticates the bot, registers its command menu, handles updates left by the previous
   * run and starts long polling. Rejects with an error that names TELEGRAM_API_ROOT when the
   * Bot API cannot be reached, after the retries of `retryNetworkErrors`.
   */
  async start(): Promise<void> {
    try {
      // Not bot.init(): grammY retries its getMe call without end on network errors, so the
      // bounded retries of retryNetworkErrors would never end the start-up.
      this.bot.botInfo = await this.bot.api.getMe();
      const username = this.bot.botInfo.username;
      this.#services.telegramBotUsername = username;
      this.#log.info({ botId: this.bot.botInfo.id, username }, 'telegram bot authenticated');

      await this.#registerCommandMenu();
      await this.#replayUnfinishedUpdates();
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      const reason = this.#describeError(error);
      this.#log.error({ apiRoot: this.#apiRoot, err: reason }, 'Telegram Bot API unreachable at start-up');
      throw new StartupError(
        `Telegram Bot API at ${maskSecrets(this.#apiRoot, [this.#token])} could not be reached. ${reason}. ` +
          'Check TELEGRAM_API_ROOT and the network connection, then start the bot again.',
      );
    }

    this.#runner = run(this.bot, {
      runner: {
        fetch: { timeout: POLLING_TIMEOUT_SECONDS, allowed_updates: [...ALLOWED_UPDATES] },
        // A stop waits for running handlers instead of abandoning them.
        silent: true,
      },
    });
    this.#log.info('telegram long polling started');
  }

  /** Stops fetching updates and waits up to `graceMs` for running handlers to finish. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.#runner?.isRunning()) await this.#runner.stop();
    this.#runner = undefined;
    const finished = await Promise.race([
      Promise.allSettled([...this.#inFlight]).then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), graceMs).unref()),
    ]);
    if (!finished) this.#log.warn({ running: this.#inFlight.size, graceMs }, 'handlers still running at stop');
    this.#log.info('telegram long polling stopped');
  }

  #registerHandlers(): void {
    const bot = this.bot;

    bot.use(async (ctx, next) => {
      // The bot id is part of the key because update ids restart for a new bot token.
      const key = `${this.bot.botInfo.id}:${ctx.update.update_id}`;
      if (!(await this.#journal.begin(key, telegramChatIdOf(ctx.update), ctx.update))) {
        this.#log.warn({ updateId: ctx.update.update_id }, 'update already handled; skipped');
        return;
      }
      const handling = (async () => {
        try {
          await next();
          await this.#journal.finish(key, 'handled', { forgetChat: true });
        } catch (error) {
          await this.#journal.finish(key, 'failed', { forgetChat: true });
          throw error;
        }
      })();
      const tracked = handling.catch(() => undefined);
      this.#inFlight.add(tracked);
      try {
        await handling;
      } finally {
        this.#inFlight.delete(tracked);
      }
    });
    bot.use(sequentialize((ctx: Context) => ctx.chat?.id.toString()));

    bot.on('callback_query:data', (ctx) => this.#handleButton(ctx));
    bot.on('message:text', (ctx) => this.#handleText(ctx));
    bot.on('message', (ctx) => this.#handleOtherMessage(ctx));

    bot.catch((error) => {
      const ids = { updateId: error.ctx.update.update_id, chatId: error.ctx.chat?.id };
      this.#log.error({ ...ids, err: this.#describeError(error.error) }, 'update handler failed');
    });
  }

  async #handleText(ctx: Context): Promise<void> {
    const message = ctx.message;
    if (!message?.text || !message.from || message.from.is_bot) return;

    await this.#ensureListedAdminMenu(message.from.id);
    const command = parseCommandLine(message.text);
    // In a group, `/new@other_bot` is meant for another bot.
    if (command?.target && command.target !== this.bot.botInfo.username.toLowerCase()) return;
    if (command) {
      await this.#runCommand(ctx, command.name, command.argumentText);
      return;
    }
    // Group chats are out of scope: there the bot answers only its commands.
    if (message.chat.type !== 'private') return;

    const chatId = message.chat.id;
    const logContext = { updateId: ctx.update.update_id, chatId };
    const writer = new TelegramStreamWriter(this.bot.api, chatId, {
      useDrafts: this.#draftsAvailable,
      logger: this.#log,
      logContext,
      onDraftsUnavailable: () => {
        this.#draftsAvailable = false;
      },
    });
    // The typing indicator covers the wait until the first visible text.
    const typing = keepChatAction(this.bot.api, chatId, this.#log, 'typing', this.#chatActionRenewMs());
    const stream = new StreamCoalescer(
      async (text) => {
        await writer.showPartial(text);
        typing.stop();
      },
      STREAM_UPDATE_INTERVAL_MS,
      this.#log,
    );

    // The newest text the engine streamed, kept so a failure notice can follow what was shown.
    let streamedText = '';
    let outcome: TurnOutcome;
    try {
      outcome = await this.#services.engine.handleMessage(
        {
          user: platformUserOf(message.from),
          chatId: String(chatId),
          isPrivate: true,
          text: message.text,
          messageId: String(message.message_id),
          redelivered: this.#journal.isReplay(`${this.bot.botInfo.id}:${ctx.update.update_id}`),
        },
        {
          onText: (text) => {
            streamedText = text;
            stream.push(text);
          },
        },
      );
    } catch (error) {
      await stream.close();
      typing.stop();
      // The user gets the error notice, so the chat does not go silent. The error is raised again
      // for the update journal and the log.
      try {
        const delivery = await writer.finish(await internalErrorText(this.#services, platformUserOf(message.from), streamedText));
        if (delivery.error) await this.#markBlockedIfForbidden(delivery.error, String(message.from.id));
      } catch (replyError) {
        this.#log.error({ ...logContext, err: this.#describeError(replyError) }, 'internal error notice could not be sent');
      }
      throw error;
    } finally {
      await stream.close();
      typing.stop();
    }

    if (outcome.kind === 'delivered') return;
    const buttons = outcome.kind === 'answer' ? feedbackButtons(outcome.replyMessageId) : undefined;
    const delivery = await writer.finish(finalReplyText(outcome), buttons);
    if (outcome.kind === 'refused') return;
    if (delivery.error) {
      await this.#markBlockedIfForbidden(delivery.error, String(message.from.id));
      await this.#services.engine.recordDeliveryFailure(outcome.replyMessageId, this.#describeError(delivery.error), delivery.messageIds);
      return;
    }
    await this.#services.engine.recordDelivery(outcome.replyMessageId, delivery.messageIds);
  }

  /**
   * Runs the command line a button carries. A hidden command (a 👍/👎 vote) answers with a
   * short notice on the button itself instead of a new message. A button in a group runs
   * nothing, because any member could press it and act on their own account.
   */
  async #handleButton(ctx: Context): Promise<void> {
    const query = ctx.callbackQuery;
    if (!query?.data) return;
    if (!isPrivateChat(ctx.chat)) {
      const notice = await privateOnlyText(this.#services, platformUserOf(query.from));
      this.#log.info(
        { updateId: ctx.update.update_id, chatId: ctx.chat?.id, telegramUserId: query.from.id, data: query.data },
        'button press in a group chat rejected: buttons run in private chats only',
      );
      await this.#answerButton(ctx, truncateCallbackAnswer(notice));
      return;
    }
    const command = parseCommandLine(query.data);
    const definition = command ? findCommand(command.name) : undefined;
    if (!command || !definition?.hidden) {
      await this.#answerButton(ctx);
      if (command && definition?.confirms?.(command.argumentText)) await this.#removeButtons(ctx);
      if (command) await this.#runCommand(ctx, command.name, command.argumentText);
      return;
    }
    const reply = await this.#dispatch(ctx, definition, command.argumentText);
    await this.#answerButton(ctx, reply === undefined ? undefined : truncateCallbackAnswer(reply.text));
  }

  /** The renew interval of chat actions, from `chat.typing_interval_seconds`. */
  #chatActionRenewMs(): number {
    return chatActionRenewMs(this.#services.settings.number('chat.typing_interval_seconds', CHAT_ACTION_RENEW_MS / 1_000));
  }

  /** Removes the inline keyboard from the message whose button was pressed. A failure is logged, and the command still runs. */
  async #removeButtons(ctx: Context): Promise<void> {
    try {
      await ctx.editMessageReplyMarkup();
    } catch (error) {
      const ids = { updateId: ctx.update.update_id, chatId: ctx.chat?.id, messageId: ctx.callbackQuery?.message?.message_id };
      this.#log.warn({ ...ids, err: this.#describeError(error) }, 'inline keyboard removal failed');
    }
  }

  async #answerButton(ctx: Context, text?: string): Promise<void> {
    await ctx.answerCallbackQuery(text === undefined ? undefined : { text }).catch((error: unknown) => {
      const ids = { updateId: ctx.update.update_id, chatId: ctx.chat?.id, callbackQueryId: ctx.callbackQuery?.id };
      this.#log.debug({ ...ids, err: this.#describeError(error) }, 'answerCallbackQuery failed');
    });
  }

  async #dispatch(ctx: Context, definition: CommandDefinition, argumentText: string): Promise<CommandReply | undefined> {
    const from = ctx.from;
    const chat = ctx.chat;
    if (!from || !chat) return undefined;
    return dispatchCommand(
      definition,
      { platform: 'telegram', chatId: String(chat.id), isPrivate: chat.type === 'private', user: platformUserOf(from), argumentText },
      this.#services,
    );
  }

  async #runCommand(ctx: Context, name: string, argumentText: string): Promise<void> {
    const from = ctx.from;
    const chat = ctx.chat;
    if (!from || !chat) return;
    const definition = findCommand(name);
    if (!definition) {
      if (chat.type === 'private') await this.#replyUnknownCommand(ctx);
      return;
    }
    if (chat.type !== 'private' && !runsInGroupChats(definition)) {
      this.#log.info(
        { updateId: ctx.update.update_id, chatId: chat.id, telegramUserId: from.id, command: definition.name },
        'command in a group chat rejected: it runs in private chats only',
      );
      const text = await privateOnlyText(this.#services, platformUserOf(from));
      await sendTelegramReply(this.bot.api, chat.id, text, { logger: this.#log, logContext: { updateId: ctx.update.update_id } });
      return;
    }

    // A slow command (image generation) shows its chat action while it runs.
    const progress = definition.progress
      ? keepChatAction(this.bot.api, chat.id, this.#log, definition.progress, this.#chatActionRenewMs())
      : undefined;
    let reply: CommandReply | undefined;
    try {
      reply = await this.#dispatch(ctx, definition, argumentText);
    } finally {
      progress?.stop();
    }
    if (!reply) return;
    if (chat.type !== 'private') reply = await withPrivateChatNote(this.#services, definition, reply, platformUserOf(from));

    const logContext = { updateId: ctx.update.update_id, command: definition.name };
    if (reply.image) {
      await this.#sendImage(chat.id, String(from.id), reply.image, logContext);
      return;
    }
    const text = reply.title ? `**${escapeMarkdown(reply.title)}**\n\n${reply.text}` : reply.text;
    const delivery = await sendTelegramReply(this.bot.api, chat.id, text, {
      buttons: reply.buttons,
      logger: this.#log,
      logContext,
    });
    if (delivery.error) await this.#markBlockedIfForbidden(delivery.error, String(from.id));
  }

  /** Sends a generated image with its rendered caption and records the delivery of the stored reply. */
  async #sendImage(chatId: number, telegramUserId: string, image: NonNullable<CommandReply['image']>, logContext: Record<string, unknown>): Promise<void> {
    const delivery = await sendTelegramImage(this.bot.api, chatId, image, { logger: this.#log, logContext });
    if (delivery.photoError !== undefined) {
      this.#log.error({ err: this.#describeError(delivery.photoError), chatId, ...logContext }, 'image could not be sent');
      await this.#markBlockedIfForbidden(delivery.photoError, telegramUserId);
      if (image.replyMessageId !== undefined) {
        await this.#services.engine.recordDeliveryFailure(image.replyMessageId, this.#describeError(delivery.photoError), []);
      }
      return;
    }
    // The photo arrived, so the image counts as delivered even when a text after it failed.
    if (delivery.followUpError !== undefined) await this.#markBlockedIfForbidden(delivery.followUpError, telegramUserId);
    if (image.replyMessageId !== undefined) await this.#services.engine.recordDelivery(image.replyMessageId, delivery.messageIds);
  }

  async #replyUnknownCommand(ctx: Context): Promise<void> {
    if (!ctx.from || !ctx.chat) return;
    const resolution = await resolveActor(this.#services.engine.actorServices, platformUserOf(ctx.from), { allowBanned: true });
    const locale = resolution.kind === 'ok' ? resolution.actor.locale : resolution.locale;
    await sendTelegramReply(this.bot.api, ctx.chat.id, this.#services.texts.t(locale, 'command.unknown'), { logger: this.#log });
  }

  async #handleOtherMessage(ctx: Context): Promise<void> {
    const message = ctx.message;
    if (!message?.from || message.from.is_bot || message.chat.type !== 'private') return;
    const resolution = await resolveActor(this.#services.engine.actorServices, platformUserOf(message.from));
    await sendTelegramReply(
      this.bot.api,
      message.chat.id,
      resolution.kind === 'ok' ? this.#services.texts.t(resolution.actor.locale, 'notice.unsupported_message') : resolution.text,
      { logger: this.#log, logContext: { updateId: ctx.update.update_id } },
    );
  }

  /** Handles updates that were stored before a crash but never marked as handled. */
  async #replayUnfinishedUpdates(): Promise<void> {
    const pending = await this.#journal.unfinished();
    if (pending.length === 0) return;
    this.#log.info({ count: pending.length }, 'handling updates left unfinished by the previous run');
    for (const entry of pending) {
      // The journal row exists with status received, so the middleware lets it through once.
      await this.bot.handleUpdate(entry.payload as Update);
    }
  }

  /**
   * Registers the command menu: English descriptions as the default and Turkish ones for
   * users whose Telegram language is Turkish. Everyone sees the user commands; each admin's
   * private chat gets a menu with the admin commands too (Telegram's per-chat scope).
   */
  async #registerCommandMenu(): Promise<void> {
    const visible = COMMANDS.filter((command) => !command.adminOnly && !command.hidden);
    await this.#setMenu(visible, undefined);
    this.#log.info({ count: visible.length }, 'telegram command menu registered');

    const admins = await this.#services.db
      .selectFrom('users')
      .select('username')
      .where('role', '=', 'admin')
      .where('username', 'like', 'telegram:%')
      .execute();
    const usernames = new Set([...admins.map((admin) => admin.username), ...this.#listedAdmins()]);
    for (const username of usernames) {
      await this.#syncAdminMenu(username, 'admin');
      this.#menuSynced.add(username);
    }

    this.#services.roleChangeListeners ??= [];
    this.#services.roleChangeListeners.push((username, role) => this.#syncAdminMenu(username, role));
  }

  /** Sets the admin menu once per run for an `ADMIN_IDS` account that writes for the first time. */
  async #ensureListedAdminMenu(telegramUserId: number): Promise<void> {
    const username = `telegram:${telegramUserId}`;
    if (this.#menuSynced.has(username) || !this.#services.engine.actorServices.adminIds.has(username)) return;
    this.#menuSynced.add(username);
    await this.#syncAdminMenu(username, 'admin');
  }

  #listedAdmins(): string[] {
    return [...this.#services.engine.actorServices.adminIds].filter((id) => id.startsWith('telegram:'));
  }

  /** Shows the full menu in an admin's private chat, or removes the chat's own menu for a non-admin. */
  async #syncAdminMenu(username: string, role: string): Promise<void> {
    if (!username.startsWith('telegram:')) return;
    const chatId = Number(username.slice('telegram:'.length));
    try {
      if (role === 'admin') {
        await this.#setMenu(
          COMMANDS.filter((command) => !command.hidden),
          chatId,
        );
      } else {
        for (const languageCode of [undefined, 'tr'] as const) {
          await this.bot.api.deleteMyCommands({ scope: { type: 'chat', chat_id: chatId }, language_code: languageCode });
        }
      }
    } catch (error) {
      // Telegram answers "chat not found" for an admin who never wrote to the bot; their menu
      // is set on the next start after they did.
      this.#log.warn({ err: this.#describeError(error), username }, 'admin command menu not updated');
    }
  }

  async #setMenu(commands: readonly CommandDefinition[], chatId: number | undefined): Promise<void> {
    const { texts } = this.#services;
    for (const locale of ['en', 'tr'] as const) {
      const entries = commands.map((command) => ({
        command: command.name,
        description: texts.t(locale, `command.${command.name}.description`).slice(0, TELEGRAM_COMMAND_DESCRIPTION_MAX),
      }));
      const scope = chatId === undefined ? undefined : { type: 'chat' as const, chat_id: chatId };
      await this.bot.api.setMyCommands(entries, { scope, language_code: locale === 'en' ? undefined : locale });
    }
  }

  async #markBlockedIfForbidden(error: unknown, telegramUserId: string): Promise<void> {
    if (!(error instanceof GrammyError) || error.error_code !== 403) return;
    await this.#services.db
      .updateTable('users')
      .set({ blocked_at: new Date().toISOString() })
      .where('username', '=', `telegram:${telegramUserId}`)
      .execute();
    this.#log.warn({ username: `telegram:${telegramUserId}` }, 'user blocked the bot; marked');
  }

  /** Error text for logs and stored delivery errors, with the bot token masked wherever it appears. */
  #describeError(error: unknown): string {
    return maskSecrets(describeTelegramError(error), [this.#token]);
  }
}

/**
 * Cuts a button notice to Telegram's 200-character limit of a callback query answer, without
 * splitting a surrogate pair.
 */
function truncateCallbackAnswer(text: string): string {
  if (text.length <= CALLBACK_ANSWER_MAX_LENGTH) return text;
  const cut = /[\uD800-\uDBFF]/.test(text.charAt(CALLBACK_ANSWER_MAX_LENGTH - 1)) ? CALLBACK_ANSWER_MAX_LENGTH - 1 : CALLBACK_ANSWER_MAX_LENGTH;
  return text.slice(0, cut);
}

