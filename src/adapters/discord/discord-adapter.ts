import { once } from 'node:events';
import {
  ChannelType,
  Client,
  Events,
  GatewayIntentBits,
  MessageFlags,
  Partials,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  type Message,
  type StringSelectMenuInteraction,
} from 'discord.js';
import type { Logger } from 'pino';
import { dispatchCommand, parseCommandLine } from '../../commands/dispatcher.js';
import { COMMANDS, findCommand } from '../../commands/registry.js';
import { feedbackButtons } from '../../commands/user-commands/feedback.js';
import type { CommandDefinition, CommandInvocation, CommandReply, CommandServices } from '../../commands/types.js';
import { nowIso } from '../../db/values.js';
import { KeyedQueue } from '../../engine/keyed-queue.js';
import { resolveActor } from '../../engine/actor.js';
import type { Locale, PlatformUser, TurnOutcome } from '../../engine/types.js';
import { resolveLocale, toSupportedLocale } from '../../i18n/locale.js';
import { finalReplyText, internalErrorText } from '../shared/final-reply-text.js';
import { withPrivateChatNote } from '../shared/private-chat-note.js';
import { StreamCoalescer } from '../shared/stream-coalescer.js';
import { UpdateJournal } from '../shared/update-journal.js';
import { catchUpPoints, type CatchUpPoint } from './catch-up-points.js';
import { argumentTextOf, type OptionProblem } from './command-arguments.js';
import { slashCommandBodies } from './command-registration.js';
import { buttonRowsFor, commandReplyMessages, imageReplyMessages, markChosenButton } from './command-reply-messages.js';
import { describeDiscordError, DiscordErrorCode, isDiscordError } from './errors.js';
import { deliverInteractionReply } from './interaction-replies.js';
import { MESSAGE_HISTORY_PAGE_MAX } from './limits.js';
import { platformUserOf } from './mapping.js';
import { sendChatReply, sendMessages, type DeliveryResult, type PostableChannel } from './message-delivery.js';
import { restRootsFor } from './rest-options.js';
import { activeEmbedColors } from './theme-colors.js';
import { DiscordStreamWriter, type StreamChannel } from './stream-writer.js';
import { keepTyping } from './typing.js';

export interface DiscordAdapterOptions {
  /** Bot token from the Discord developer portal. */
  token: string;
  /**
   * REST API base, e.g. `https://discord.com/api`. The CDN roots and the gateway URL (from
   * GET /gateway/bot) are derived from it, so a proxy or test server receives every call.
   */
  apiBase: string;
  services: CommandServices;
  logger: Logger;
}

/** Maximum wait for the gateway's READY after login before start-up fails. */
const READY_TIMEOUT_MS = 30_000;

/**
 * Shortest gap between two edits of a streamed reply. Discord allows about five message edits
 * per five seconds in a channel (observed; Discord does not publish the number), so one edit
 * a little over a second apart stays below it with room for the final edit.
 */
const STREAM_EDIT_INTERVAL_MS = 1_200;

/**
 * Pages of `MESSAGE_HISTORY_PAGE_MAX` messages read per DM channel when catching up, so a
 * channel flooded while the bot was offline cannot stall start-up.
 */
const CATCH_UP_MAX_PAGES = 10;

/**
 * The Discord side of the bot: discord.js over the gateway, DMs passed to the conversation
 * engine and its replies sent back, every command in `COMMANDS` registered as a global slash
 * command. Guild channels are out of scope, so there the bot responds only to its slash
 * commands. Each DM is journaled, and DMs sent while the bot was offline or between gateway
 * sessions are read from the channel history.
 */
export class DiscordAdapter {
  readonly client: Client;
  readonly #services: CommandServices;
  readonly #log: Logger;
  readonly #journal: UpdateJournal;
  readonly #token: string;
  /** DMs of one channel are handled one at a time, in arrival order. */
  readonly #channelQueue = new KeyedQueue();
  /** Handlers still running, so a stop can wait for their replies and database writes. */
  readonly #inFlight = new Set<Promise<void>>();
  #stopping = false;
  /** Gateway READY events seen; every one after the first starts a new session that missed events. */
  #readyCount = 0;

  constructor(options: DiscordAdapterOptions) {
    this.#services = options.services;
    this.#token = options.token;
    this.#log = options.logger.child({ component: 'discord' });
    this.#journal = new UpdateJournal(options.services.db, 'discord');
    const roots = restRootsFor(options.apiBase);
    this.client = new Client({
      // DM content arrives without the privileged MessageContent intent.
      intents: [GatewayIntentBits.DirectMessages],
      // DM channels are not cached before their first event, so discord.js must accept them partial.
      partials: [Partials.Channel],
      rest: { api: roots.api, cdn: roots.cdn, mediaProxy: roots.mediaProxy },
    });
    this.#registerHandlers();
  }

  /**
   * Logs in, waits for the gateway session, registers the slash commands and queues the DMs
   * missed while the bot was offline. Throws when login, READY or the registration fails.
   */
  async start(): Promise<void> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), READY_TIMEOUT_MS);
    const ready = once(this.client, Events.ClientReady, { signal: abort.signal });
    ready.catch(() => undefined);
    try {
      await this.client.login(this.#token);
      await ready;
    } catch (error) {
      const timedOut = abort.signal.aborted;
      abort.abort();
      await this.client.destroy();
      const reason = timedOut ? `no gateway READY within ${READY_TIMEOUT_MS / 1000} s` : this.#describe(error);
      throw new Error(`Discord login failed: ${reason}. Check DISCORD_BOT_TOKEN and DISCORD_API_BASE.`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
    this.#log.info({ botId: this.client.user?.id, username: this.client.user?.username }, 'discord bot logged in');

    await this.#registerSlashCommands();
    await this.#catchUp('start');
  }

  /** Stops taking events, waits up to `graceMs` for running handlers, then closes the gateway. */
  async stop(graceMs = 10_000): Promise<void> {
    this.#stopping = true;
    const finished = await Promise.race([
      Promise.allSettled([...this.#inFlight]).then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), graceMs).unref()),
    ]);
    if (!finished) this.#log.warn({ running: this.#inFlight.size, graceMs }, 'handlers still running at stop');
    await this.client.destroy();
    this.#log.info('discord gateway closed');
  }

  #registerHandlers(): void {
    const client = this.client;
    client.on(Events.MessageCreate, (message) => this.#onMessage(message));
    client.on(Events.InteractionCreate, (interaction) => this.#onInteraction(interaction));

    client.on(Events.ShardReady, (shardId) => {
      this.#readyCount += 1;
      if (this.#readyCount === 1) return;
      this.#log.info({ shardId }, 'new gateway session; reading missed direct messages');
      this.#track(this.#catchUp('new session'));
    });
    client.on(Events.ShardResume, (shardId, replayed) => this.#log.info({ shardId, replayed }, 'gateway session resumed'));
    client.on(Events.ShardDisconnect, (event, shardId) => {
      if (!this.#stopping) this.#log.warn({ shardId, code: event.code }, 'gateway disconnected');
    });
    client.on(Events.ShardReconnecting, (shardId) => {
      if (!this.#stopping) this.#log.info({ shardId }, 'gateway reconnecting');
    });
    client.on(Events.ShardError, (error, shardId) => this.#log.error({ shardId, err: this.#describe(error) }, 'gateway error'));
    client.on(Events.Warn, (message) => this.#log.warn({ detail: message }, 'discord.js warning'));
    client.on(Events.Error, (error) => this.#log.error({ err: this.#describe(error) }, 'discord.js client error'));
  }

  #track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => {
      this.#log.error({ err: this.#describe(error) }, 'discord handler failed');
    });
    this.#inFlight.add(tracked);
    void tracked.finally(() => this.#inFlight.delete(tracked));
  }

  #onMessage(message: Message): void {
    if (this.#stopping || message.author.bot || message.author.id === this.client.user?.id) return;
    // Guild channels are out of scope, so there the bot responds only to its slash commands.
    if (message.guildId !== null) return;
    this.#enqueueDirectMessage(message);
  }

  #enqueueDirectMessage(message: Message): void {
    this.#track(this.#channelQueue.run(message.channelId, () => this.#handleDirectMessage(message)));
  }

  async #handleDirectMessage(message: Message): Promise<void> {
    const ids = { messageId: message.id, channelId: message.channelId, userId: message.author.id };
    const payload = { id: message.id, channelId: message.channelId, authorId: message.author.id, content: message.content };
    if (!(await this.#journal.begin(message.id, message.channelId, payload))) {
      this.#log.info(ids, 'direct message already handled; skipped');
      return;
    }

    try {
      await this.#answerDirectMessage(message, ids);
      await this.#journal.finish(message.id, 'handled');
    } catch (error) {
      this.#log.error({ ...ids, err: this.#describe(error) }, 'direct message handler failed');
      await this.#journal.finish(message.id, 'failed');
    }
  }

  async #answerDirectMessage(message: Message, ids: Record<string, string>): Promise<void> {
    const channel = message.channel;
    if (!channel.isSendable()) return;

    // The bot reads text only. A DM with a file, a sticker, a poll or a forwarded message gets
    // the unsupported notice, even with text beside it, because a reply to the text alone
    // would ignore what the user asked about. Telegram sends the same notice for a photo with a
    // caption. System messages (a pin notice) get no reply.
    if (message.system) return;
    if (message.content.trim() === '' || hasPartsBesidesText(message)) {
      await this.#replyUnsupported(message, channel, ids);
      return;
    }

    // A DM is a command when it parses as `/name`, optionally followed by `@bot` and by
    // whitespace and arguments, where `name` is 1 to 32 of A-Z, a-z, 0-9, _ and the Turkish
    // letters, which are read as their ASCII forms. The Telegram adapter applies the same rule
    // (`parseCommandLine`). So `/foo` and `/tmp is full` are
    // commands, while `/etc/hosts is empty` goes to the model because a slash follows the name.
    const command = parseCommandLine(message.content);
    if (command) {
      const definition = findCommand(command.name);
      if (!definition) {
        await this.#replyUnknownCommand(message, channel, ids);
        return;
      }
      // A slow command (image generation) shows the typing indicator while it runs.
      const progress = definition.progress ? keepTyping(channel, this.#log) : undefined;
      let reply: CommandReply;
      try {
        reply = await this.#dispatch(definition, {
          platform: 'discord',
          chatId: message.channelId,
          isPrivate: true,
          user: platformUserOf(message.author),
          argumentText: command.argumentText,
        });
      } finally {
        progress?.stop();
      }
      if (reply.image) {
        const delivery = await sendMessages(channel, imageReplyMessages(reply.image), this.#log, ids);
        if (delivery.error) await this.#markBlockedIfForbidden(delivery.error, message.author.id);
        await this.#recordImageDelivery(reply.image, delivery);
        return;
      }
      await this.#sendCommandReply(channel, reply, message.author.id, ids);
      return;
    }

    const writer = new DiscordStreamWriter(channel as unknown as StreamChannel, this.#log, ids);
    // The typing indicator covers the wait until the first visible text.
    const typing = keepTyping(channel, this.#log);
    const stream = new StreamCoalescer(
      async (text) => {
        await writer.showPartial(text);
        typing.stop();
      },
      STREAM_EDIT_INTERVAL_MS,
      this.#log,
    );
    // The newest text the engine streamed, kept so a failure notice can follow what was shown.
    let streamedText = '';
    let outcome: TurnOutcome;
    try {
      outcome = await this.#services.engine.handleMessage(
        {
          user: platformUserOf(message.author),
          chatId: message.channelId,
          isPrivate: true,
          text: message.content,
          messageId: message.id,
          redelivered: this.#journal.isReplay(message.id),
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
        const delivery = await writer.finish(await internalErrorText(this.#services, platformUserOf(message.author), streamedText));
        if (delivery.error) await this.#markBlockedIfForbidden(delivery.error, message.author.id);
      } catch (replyError) {
        this.#log.error({ ...ids, err: this.#describe(replyError) }, 'internal error notice could not be sent');
      }
      throw error;
    } finally {
      await stream.close();
      typing.stop();
    }

    if (outcome.kind === 'delivered') return;
    const buttons = outcome.kind === 'answer' ? buttonRowsFor(feedbackButtons(outcome.replyMessageId)).rows : [];
    const delivery = await writer.finish(finalReplyText(outcome), buttons);
    if (delivery.error) await this.#markBlockedIfForbidden(delivery.error, message.author.id);

    if (outcome.kind === 'refused') return;
    if (delivery.error) {
      await this.#services.engine.recordDeliveryFailure(outcome.replyMessageId, this.#describe(delivery.error), delivery.messageIds);
      return;
    }
    await this.#services.engine.recordDelivery(outcome.replyMessageId, delivery.messageIds);
  }

  /** Sends the localized unknown-command notice, also to banned users, without calling the model. */
  async #replyUnknownCommand(message: Message, channel: PostableChannel, ids: Record<string, string>): Promise<void> {
    const resolution = await resolveActor(this.#services.engine.actorServices, platformUserOf(message.author), { allowBanned: true });
    const locale = resolution.kind === 'ok' ? resolution.actor.locale : resolution.locale;
    this.#log.info(ids, 'unknown command in a direct message');
    await this.#sendCommandReply(channel, { text: this.#services.texts.t(locale, 'command.unknown'), isError: true }, message.author.id, ids);
  }

  async #replyUnsupported(message: Message, channel: PostableChannel, ids: Record<string, string>): Promise<void> {
    const resolution = await resolveActor(this.#services.engine.actorServices, platformUserOf(message.author));
    const text =
      resolution.kind === 'ok' ? this.#services.texts.t(resolution.actor.locale, 'notice.unsupported_message') : resolution.text;
    const delivery = await sendChatReply(channel, text, this.#log, ids);
    if (delivery.error) await this.#markBlockedIfForbidden(delivery.error, message.author.id);
  }

  #onInteraction(interaction: Interaction): void {
    if (this.#stopping) return;
    if (interaction.isChatInputCommand()) {
      this.#track(this.#handleSlashCommand(interaction));
    } else if (interaction.isButton()) {
      this.#track(this.#handleButton(interaction));
    } else if (interaction.isStringSelectMenu()) {
      this.#track(this.#handleChoice(interaction));
    } else if (interaction.isAutocomplete()) {
      // No option is registered with autocomplete, so an empty response ends a stale client's request.
      this.#track(
        interaction.respond([]).catch((error: unknown) => {
          this.#log.warn({ interactionId: interaction.id, err: this.#describe(error) }, 'autocomplete response failed');
        }),
      );
    }
  }

  async #handleSlashCommand(interaction: ChatInputCommandInteraction): Promise<void> {
    const ids = { interactionId: interaction.id, channelId: interaction.channelId, userId: interaction.user.id, command: interaction.commandName };
    if (!(await this.#acknowledge(interaction, ids))) return;

    const definition = findCommand(interaction.commandName);
    const argumentText = definition ? argumentTextOf(interaction, definition) : { text: '' };
    if ('problem' in argumentText) {
      const { problem } = argumentText;
      await this.#onceForInteraction(interaction.id, { command: interaction.commandName, problem: problem.kind }, async () =>
        this.#deliverCommandReply(interaction, await this.#optionProblemReply(interaction, problem), ids),
      );
      return;
    }
    await this.#onceForInteraction(interaction.id, { command: interaction.commandName, argumentText: argumentText.text }, () =>
      this.#answerInteraction(interaction, definition, argumentText.text, ids),
    );
  }

  /**
   * Explains option values the command cannot receive as entered, without running the command.
   * The option is named as the user's Discord client shows it, in the client's language.
   */
  async #optionProblemReply(interaction: ChatInputCommandInteraction, problem: OptionProblem): Promise<CommandReply> {
    const user = platformUserOf(interaction.user, interaction.locale);
    const resolution = await resolveActor(this.#services.engine.actorServices, user, { allowBanned: true });
    const locale = resolution.kind === 'ok' ? resolution.actor.locale : resolution.locale;
    const { option } = problem;
    const shownName = toSupportedLocale(interaction.locale) === 'tr' && option.nameTr ? option.nameTr : option.name;
    const key = problem.kind === 'has_spaces' ? 'option.needs_one_word' : 'option.fill_in_earlier';
    this.#log.info(
      { interactionId: interaction.id, command: interaction.commandName, option: option.name, problem: problem.kind },
      'slash command options rejected',
    );
    return { text: this.#services.texts.t(locale, key, { option: `\`${shownName}\`` }), isError: true };
  }

  /**
   * A button's `custom_id` is the command line it runs, e.g. `/persona coder`. A confirmation
   * button is acknowledged as an update of its own message, so the reply replaces that message
   * and its buttons, and the confirmation cannot be pressed again. A hidden command's button
   * (👍/👎) is acknowledged as an update too, and its reply is handled by `#answerChoiceButton`.
   */
  async #handleButton(interaction: ButtonInteraction): Promise<void> {
    const ids = { interactionId: interaction.id, channelId: interaction.channelId, userId: interaction.user.id, customId: interaction.customId };
    const command = parseCommandLine(interaction.customId);
    const definition = command ? findCommand(command.name) : undefined;
    const argumentText = command?.argumentText ?? '';
    const confirms = definition?.confirms?.(argumentText) === true;
    const hidden = definition?.hidden === true;
    if (!(await this.#acknowledge(interaction, ids, confirms || hidden ? 'update' : 'reply'))) return;

    await this.#onceForInteraction(interaction.id, { customId: interaction.customId }, () =>
      hidden && definition
        ? this.#answerChoiceButton(interaction, definition, argumentText, ids)
        : this.#answerInteraction(interaction, definition, argumentText, ids),
    );
  }

  /**
   * Runs a hidden command from a button (a 👍/👎 vote) without adding a message to the chat,
   * much as Telegram shows a short notice on the button. The interaction was acknowledged
   * with DEFERRED_UPDATE_MESSAGE (callback type 6), so `@original` is the message that carries
   * the button. On success that message is edited to show the pressed button as chosen, and
   * the reply text (the thanks) is not shown. A refusal or failure goes only to the presser,
   * as an ephemeral followup.
   */
  async #answerChoiceButton(
    interaction: ButtonInteraction,
    definition: CommandDefinition,
    argumentText: string,
    ids: Record<string, string>,
  ): Promise<void> {
    const reply = await this.#dispatchForInteraction(interaction, definition, argumentText);
    if (reply.isError) {
      const { messages } = commandReplyMessages(reply, await activeEmbedColors(this.#services.db));
      const delivery = await deliverInteractionReply(interaction, messages, {
        ephemeral: true,
        replaceOriginal: false,
        fallbackChannel: () => interaction.user.createDM(),
        logger: this.#log,
        logContext: ids,
      });
      if (delivery.error) await this.#markBlockedIfForbidden(delivery.error, interaction.user.id);
      return;
    }

    const components = markChosenButton(
      interaction.message.components.map((component) => component.toJSON()),
      interaction.customId,
    );
    try {
      await interaction.editReply({ components });
    } catch (error) {
      // The command already ran, so only the display of the choice is lost, for example after
      // the 15-minute interaction token expired while the command waited behind a long reply.
      this.#log.warn({ ...ids, messageId: interaction.message.id, err: this.#describe(error) }, 'chosen button could not be shown');
    }
  }

  /** A choice from a select menu: its value is the command line it runs, e.g. `/persona coder`. */
  async #handleChoice(interaction: StringSelectMenuInteraction): Promise<void> {
    const choice = interaction.values[0] ?? '';
    const ids = { interactionId: interaction.id, channelId: interaction.channelId, userId: interaction.user.id, choice };
    if (!(await this.#acknowledge(interaction, ids))) return;

    const command = parseCommandLine(choice);
    const definition = command ? findCommand(command.name) : undefined;
    await this.#onceForInteraction(interaction.id, { choice }, () =>
      this.#answerInteraction(interaction, definition, command?.argumentText ?? '', ids),
    );
  }

  /**
   * Journals an interaction after it was acknowledged and runs its work once. Discord does not
   * deliver an interaction again, and its token is useless after a restart, so unfinished
   * interactions are not replayed. The journal guards against handling one twice in a run and
   * records which ones a crash interrupted. Interactions are stored without a channel id, so
   * the DM catch-up never reads them as messages.
   */
  async #onceForInteraction(interactionId: string, payload: Record<string, string>, work: () => Promise<void>): Promise<void> {
    const key = `interaction:${interactionId}`;
    if (!(await this.#journal.begin(key, null, payload))) return;
    try {
      await work();
      await this.#journal.finish(key, 'handled');
    } catch (error) {
      await this.#journal.finish(key, 'failed');
      throw error;
    }
  }

  /**
   * Acknowledges an interaction before any database or model work, because Discord drops it
   * after 3 seconds. The default is a deferred reply, ephemeral in a server so that command
   * output such as invite codes is not shown to the whole channel. A button acknowledged as an
   * `update` (DEFERRED_UPDATE_MESSAGE) adds no message, and its `@original` is the message that
   * carried it.
   */
  async #acknowledge(
    interaction: ChatInputCommandInteraction | ButtonInteraction | StringSelectMenuInteraction,
    ids: Record<string, string>,
    mode: 'reply' | 'update' = 'reply',
  ): Promise<boolean> {
    try {
      if (mode === 'update' && interaction.isButton()) await interaction.deferUpdate();
      else await interaction.deferReply(interaction.inGuild() ? { flags: MessageFlags.Ephemeral } : {});
      return true;
    } catch (error) {
      this.#log.error({ ...ids, err: this.#describe(error) }, 'interaction could not be acknowledged');
      return false;
    }
  }

  async #answerInteraction(
    interaction: ChatInputCommandInteraction | ButtonInteraction | StringSelectMenuInteraction,
    definition: CommandDefinition | undefined,
    argumentText: string,
    ids: Record<string, string>,
  ): Promise<void> {
    const reply = definition
      ? await this.#dispatchForInteraction(interaction, definition, argumentText)
      : this.#unknownCommandReply(platformUserOf(interaction.user, interaction.locale));
    await this.#deliverCommandReply(interaction, reply, ids);
  }

  async #deliverCommandReply(
    interaction: ChatInputCommandInteraction | ButtonInteraction | StringSelectMenuInteraction,
    reply: CommandReply,
    ids: Record<string, string>,
  ): Promise<void> {
    const { messages, droppedButtons } = reply.image
      ? { messages: imageReplyMessages(reply.image), droppedButtons: 0 }
      : commandReplyMessages(reply, await activeEmbedColors(this.#services.db));
    if (droppedButtons > 0) this.#log.warn({ ...ids, droppedButtons }, 'reply buttons left out');
    const delivery = await deliverInteractionReply(interaction, messages, {
      ephemeral: interaction.inGuild(),
      fallbackChannel: () => interaction.user.createDM(),
      logger: this.#log,
      logContext: ids,
    });
    if (delivery.error) await this.#markBlockedIfForbidden(delivery.error, interaction.user.id);
    if (reply.image) await this.#recordImageDelivery(reply.image, delivery);
  }

  /** Records the delivery of a stored image reply, or its failure. */
  async #recordImageDelivery(image: NonNullable<CommandReply['image']>, delivery: DeliveryResult): Promise<void> {
    const imageMessageId = image.replyMessageId;
    if (imageMessageId === undefined) return;
    if (delivery.error) await this.#services.engine.recordDeliveryFailure(imageMessageId, this.#describe(delivery.error), delivery.messageIds);
    else await this.#services.engine.recordDelivery(imageMessageId, delivery.messageIds);
  }

  /**
   * Runs the command of an interaction. In a DM the command waits behind the DMs sent before it,
   * as on Telegram, so `/new` or `/forget_me` cannot overtake a message that is still waiting
   * for its reply.
   */
  async #dispatchForInteraction(
    interaction: ChatInputCommandInteraction | ButtonInteraction | StringSelectMenuInteraction,
    definition: CommandDefinition,
    argumentText: string,
  ): Promise<CommandReply> {
    const user = platformUserOf(interaction.user, interaction.locale);
    const invocation = { platform: 'discord' as const, chatId: interaction.channelId, isPrivate: !interaction.inGuild(), user, argumentText };
    if (interaction.inGuild()) return withPrivateChatNote(this.#services, definition, await this.#dispatch(definition, invocation), user);
    return this.#channelQueue.run(interaction.channelId, () => this.#dispatch(definition, invocation));
  }

  /** Runs a command; an unexpected failure becomes the localized internal error, so the user always gets a reply. */
  async #dispatch(definition: CommandDefinition, invocation: CommandInvocation): Promise<CommandReply> {
    try {
      return await dispatchCommand(definition, invocation, this.#services);
    } catch (error) {
      this.#log.error(
        { command: definition.name, channelId: invocation.chatId, userId: invocation.user.id, err: this.#describe(error) },
        'command dispatch failed',
      );
      return { text: this.#services.texts.t(this.#localeOf(invocation.user), 'error.internal'), isError: true };
    }
  }

  #unknownCommandReply(user: PlatformUser): CommandReply {
    return { text: this.#services.texts.t(this.#localeOf(user), 'command.unknown'), isError: true };
  }

  #localeOf(user: PlatformUser): Locale {
    return resolveLocale({
      platformLanguage: user.languageCode,
      systemDefault: this.#services.settings.string('i18n.default_locale', 'en'),
    });
  }

  async #sendCommandReply(channel: PostableChannel, reply: CommandReply, userId: string, ids: Record<string, string>): Promise<DeliveryResult> {
    const { messages, droppedButtons } = commandReplyMessages(reply, await activeEmbedColors(this.#services.db));
    if (droppedButtons > 0) this.#log.warn({ ...ids, droppedButtons }, 'reply buttons left out');
    const delivery = await sendMessages(channel, messages, this.#log, ids);
    if (delivery.error) await this.#markBlockedIfForbidden(delivery.error, userId);
    return delivery;
  }

  /**
   * Registers every command in `COMMANDS` except hidden ones (button targets such as `/vote`)
   * as a global slash command with one bulk overwrite, which also removes commands an older
   * version registered.
   */
  async #registerSlashCommands(): Promise<void> {
    const application = this.client.application;
    if (!application) throw new Error('Discord READY carried no application; slash commands cannot be registered.');
    const bodies = slashCommandBodies(
      COMMANDS.filter((command) => !command.hidden),
      this.#services.texts,
    );
    try {
      await application.commands.set(bodies);
    } catch (error) {
      throw new Error(`Registering ${bodies.length} Discord slash commands failed: ${this.#describe(error)}`, { cause: error });
    }
    this.#log.info({ applicationId: application.id, count: bodies.length }, 'discord slash commands registered');
  }

  /**
   * Reads each known DM channel's history after its last handled message and queues the
   * messages found, oldest first. Discord does not resend them after a restart or a new
   * gateway session. The journal skips any message a live event delivers as well.
   */
  async #catchUp(reason: 'start' | 'new session'): Promise<void> {
    const points = await catchUpPoints(this.#services.db);
    let queued = 0;
    for (const point of points) {
      let missed: Message[];
      try {
        missed = await this.#readHistoryAfter(point);
      } catch (error) {
        this.#log.warn({ channelId: point.channelId, afterId: point.afterId, err: this.#describe(error) }, 'channel history could not be read');
        continue;
      }
      for (const message of missed) this.#enqueueDirectMessage(message);
      queued += missed.length;
    }
    this.#log.info({ reason, channels: points.length, queued }, 'missed direct messages queued');
  }

  async #readHistoryAfter(point: CatchUpPoint): Promise<Message[]> {
    const channel = await this.client.channels.fetch(point.channelId);
    if (channel?.type !== ChannelType.DM) return [];

    const missed: Message[] = [];
    let after = point.afterId;
    for (let page = 1; page <= CATCH_UP_MAX_PAGES; page += 1) {
      const batch = await channel.messages.fetch({ after, limit: MESSAGE_HISTORY_PAGE_MAX, cache: false });
      const oldestFirst = [...batch.values()].sort((a, b) => compareSnowflakes(a.id, b.id));
      missed.push(...oldestFirst.filter((message) => !message.author.bot && !message.system));

      const newest = oldestFirst.at(-1);
      if (batch.size < MESSAGE_HISTORY_PAGE_MAX || !newest) break;
      if (page === CATCH_UP_MAX_PAGES) {
        this.#log.warn({ channelId: point.channelId, read: missed.length, newestId: newest.id }, 'more missed messages than one catch-up reads');
      }
      after = newest.id;
    }
    return missed;
  }

  /** Marks the user as having blocked the bot when Discord rejected a message with 403 50007 "Cannot send messages to this user". */
  async #markBlockedIfForbidden(error: unknown, discordUserId: string): Promise<void> {
    if (!isDiscordError(error, DiscordErrorCode.cannotMessageUser)) return;
    const username = `discord:${discordUserId}`;
    await this.#services.db.updateTable('users').set({ blocked_at: nowIso() }).where('username', '=', username).execute();
    this.#log.warn({ username }, 'user cannot receive DMs from the bot; marked as blocked');
  }

  #describe(error: unknown): string {
    return describeDiscordError(error, this.#token);
  }
}

function hasPartsBesidesText(message: Message): boolean {
  return message.attachments.size > 0 || message.stickers.size > 0 || message.poll !== null || message.messageSnapshots.size > 0;
}

function compareSnowflakes(a: string, b: string): number {
  const difference = BigInt(a) - BigInt(b);
  if (difference === 0n) return 0;
  return difference < 0n ? -1 : 1;
}
