import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeContext } from './context.js';
import { DEFAULT_HEARTBEAT_INTERVAL_MS, FakeGateway, GATEWAY_PATH, type DisconnectOptions } from './gateway.js';
import {
  addGuild,
  addGuildTextChannel,
  addMember,
  guildCreatesAfterReady,
  readyGuilds,
  type AddGuildInput,
  type AddMemberInput,
} from './guilds.js';
import { InteractionClock } from './interaction-clock.js';
import { DEFAULT_RATE_LIMITS, RateLimiter, type FakeRateLimitOptions } from './rate-limit.js';
import { createRestListener, type InjectedFailure, type RouteMatcher } from './rest-server.js';
import { openDmChannel, ROUTES } from './routes.js';
import { SnowflakeGenerator } from './snowflake.js';
import { userPayload } from './payloads.js';
import {
  FakeState,
  type FakeGuild,
  type FakeGuildChannel,
  type FakeMember,
  type FakeUser,
  type RecordedDispatch,
  type RecordedRequest,
  type StoredCommand,
  type StoredMessage,
} from './state.js';
import {
  sendAutocomplete,
  sendComponent,
  sendDirectMessage,
  sendGuildMessage,
  sendSlashCommand,
  type CommandOptionsInput,
  type DirectMessageParts,
  type DispatchedInteraction,
  type InteractionOptions,
} from './user-actions.js';

export type { DisconnectOptions } from './gateway.js';
export type { BucketLimit, FakeRateLimitOptions } from './rate-limit.js';
export type { RouteMatcher } from './rest-server.js';
export type { AddGuildInput, AddMemberInput } from './guilds.js';
export { DEFAULT_BOT_GUILD_PERMISSIONS, DEFAULT_MEMBER_PERMISSIONS } from './guilds.js';
export type {
  FakeGuild,
  FakeGuildChannel,
  FakeMember,
  FakeUser,
  MessageRevision,
  RecordedDispatch,
  RecordedRequest,
  StoredCommand,
  StoredMessage,
} from './state.js';
export type { CommandOptionsInput, DirectMessageParts, DispatchedInteraction, InteractionOptions } from './user-actions.js';
export { INTERACTION_RESPONSE_WINDOW_MS, INTERACTION_TOKEN_LIFETIME_MS } from './interactions.js';
export { MESSAGE_CONTENT_MAX_LENGTH } from './message-limits.js';

export interface FakeDiscordOptions {
  /** Bot token the fake accepts on REST and in Identify. */
  token?: string;
  applicationId?: string;
  botUsername?: string;
  /** `heartbeat_interval` sent in Hello, in ms; defaults to Discord's usual 41250. */
  heartbeatIntervalMs?: number;
  /** Overrides of the default rate limits; see `FakeRateLimitOptions`. */
  rateLimits?: Partial<FakeRateLimitOptions>;
}

export interface AddUserInput {
  id?: string;
  username: string;
  globalName?: string | null;
  /** Locale sent in this user's interactions; defaults to "en-US". */
  locale?: string;
}

/** Everything the bot sent in response to one interaction. */
export interface InteractionResponseRecord {
  /** Callback type of the initial response (4 reply, 5 deferred, 6/7 component update, 8 autocomplete, 9 modal). */
  callbackType: number | undefined;
  callbackData: unknown;
  /** The message `@original` refers to, after all edits. */
  original: StoredMessage | undefined;
  /** Raw bodies of the accepted edits of `@original`, in order. */
  originalEdits: unknown[];
  followups: StoredMessage[];
}

const DEFAULT_TOKEN = 'fake-bot-token.for-tests-only';

/**
 * A local, protocol-level stand-in for Discord that the real discord.js client logs into: REST
 * under `restBase` and a gateway WebSocket. It models a bot that talks to users in DMs and
 * receives interactions and messages from guild text channels. Create it with `startFakeDiscord`.
 * NOTE: guild channels have no REST routes, so a bot's GET or POST on one gets 10003 Unknown
 * Channel.
 */
export class FakeDiscord {
  /** Value for discord.js `rest.api`, e.g. `http://127.0.0.1:PORT/api` (discord.js appends `/v10`). */
  readonly restBase: string;
  /** Value for discord.js `rest.cdn` and `rest.mediaProxy`, so built asset URLs stay local too. */
  readonly cdnBase: string;
  /** URL returned by GET /gateway/bot and as READY's `resume_gateway_url`. */
  readonly gatewayUrl: string;
  readonly token: string;
  readonly applicationId: string;
  readonly botUser: FakeUser;

  readonly #server: Server;
  readonly #context: FakeContext;
  readonly #failures: InjectedFailure[];

  /** @internal Use `startFakeDiscord`. */
  constructor(server: Server, context: FakeContext, failures: InjectedFailure[], origin: string) {
    this.#server = server;
    this.#context = context;
    this.#failures = failures;
    this.restBase = `${origin}/api`;
    this.cdnBase = `${origin}/cdn`;
    this.gatewayUrl = context.gatewayUrl;
    this.token = context.token;
    this.applicationId = context.applicationId;
    this.botUser = context.botUser;
  }

  /** Adds a user who can DM the bot and use its commands. */
  addUser(input: AddUserInput): FakeUser {
    const user: FakeUser = {
      id: input.id ?? this.#context.ids.next(),
      username: input.username,
      globalName: input.globalName ?? null,
      locale: input.locale ?? 'en-US',
      bot: false,
    };
    this.#context.state.users.set(user.id, user);
    return user;
  }

  /** Returns the id of the DM channel between the bot and a user, creating the channel on first use. */
  dmChannelId(userId: string): string {
    if (!this.#context.state.users.has(userId)) {
      throw new Error(`Unknown fake user ${userId}; add it with addUser() first`);
    }
    return openDmChannel(this.#context, userId).id;
  }

  /** Sends a DM from a user to the bot (MESSAGE_CREATE with no guild_id), with files or as a forward. */
  sendDm(userId: string, content: string, parts?: DirectMessageParts): StoredMessage {
    return sendDirectMessage(this.#context, userId, content, parts);
  }

  /** Adds a guild with the bot as a member; see `AddGuildInput`. */
  addGuild(input: AddGuildInput): FakeGuild {
    return addGuild(this.#context, input);
  }

  /** Adds a text channel (type 0) to a guild. */
  addGuildTextChannel(guildId: string, name: string): FakeGuildChannel {
    return addGuildTextChannel(this.#context, guildId, name);
  }

  /** Makes a user a member of a guild, so they can post and run commands in its channels. */
  addMember(guildId: string, userId: string, input?: AddMemberInput): FakeMember {
    return addMember(this.#context, guildId, userId, input);
  }

  /**
   * Posts a message from a member in a guild text channel (MESSAGE_CREATE with guild_id). Only
   * sessions with the GUILD_MESSAGES intent receive it, with empty content unless they also have
   * MESSAGE_CONTENT or the message mentions the bot.
   */
  sendGuildMessage(userId: string, channelId: string, content: string): StoredMessage {
    return sendGuildMessage(this.#context, userId, channelId, content);
  }

  /**
   * Dispatches INTERACTION_CREATE for a registered slash command run in the user's DM, or in the
   * guild text channel `interactionOptions.channelId`.
   */
  sendSlashCommand(userId: string, name: string, options?: CommandOptionsInput, interactionOptions?: InteractionOptions): DispatchedInteraction {
    return sendSlashCommand(this.#context, userId, name, options, interactionOptions);
  }

  /** Dispatches a MESSAGE_COMPONENT interaction for a button (no `values`) or select menu on a bot message. */
  sendComponent(userId: string, messageId: string, customId: string, values?: string[], interactionOptions?: InteractionOptions): DispatchedInteraction {
    return sendComponent(this.#context, userId, messageId, customId, values, interactionOptions);
  }

  /** Dispatches an autocomplete interaction; `focused` names the option being typed. */
  sendAutocomplete(userId: string, name: string, options: CommandOptionsInput, focused: string, interactionOptions?: InteractionOptions): DispatchedInteraction {
    return sendAutocomplete(this.#context, userId, name, options, focused, interactionOptions);
  }

  /** Makes bot messages to this user fail with 403 50007, as when the user blocked the bot. */
  blockDms(userId: string): void {
    this.#context.state.blockedUsers.add(userId);
  }

  unblockDms(userId: string): void {
    this.#context.state.blockedUsers.delete(userId);
  }

  /**
   * Responds to the next matching request with `status` and `body` instead of handling it.
   * A string path matches the path after `/api/v10` exactly, e.g. `/channels/123/messages`.
   */
  failNext(matcher: RouteMatcher, status: number, body: unknown, headers: Record<string, string> = {}): void {
    this.#failures.push({ matcher, status, body, headers });
  }

  /** Moves the interaction clock forward, to pass the 3 s or 15 min deadlines without waiting. */
  advanceInteractionClock(ms: number): void {
    this.#context.clock.advance(ms);
  }

  /** Drops gateway connections to test reconnects; see `DisconnectOptions`. */
  disconnectAll(options?: DisconnectOptions): number {
    return this.#context.gateway.disconnectAll(options);
  }

  /** Gateway counters: new sessions, resumes, heartbeats, and connections that are identified now. */
  gatewayStats(): { identifies: number; resumes: number; heartbeats: number; readyConnections: number; lastIntents: number | undefined } {
    const gateway = this.#context.gateway;
    const lastIdentify = gateway.identifyPayloads.at(-1);
    return {
      identifies: gateway.identifyCount,
      resumes: gateway.resumeCount,
      heartbeats: gateway.heartbeatCount,
      readyConnections: gateway.readyConnectionCount,
      lastIntents: typeof lastIdentify?.intents === 'number' ? lastIdentify.intents : undefined,
    };
  }

  /** Returns every REST request received so far, oldest first. */
  requests(): readonly RecordedRequest[] {
    return this.#context.state.requests;
  }

  /** Returns every gateway event the fake dispatched (not READY or RESUMED), oldest first. */
  dispatches(): readonly RecordedDispatch[] {
    return this.#context.state.dispatches;
  }

  /** Messages a channel's history shows now (no ephemeral or deleted ones), oldest first. */
  channelMessages(channelId: string): StoredMessage[] {
    return this.#context.state.channelMessages(channelId);
  }

  /** Any stored message by id, including ephemeral and deleted ones. */
  message(messageId: string): StoredMessage | undefined {
    return this.#context.state.messages.get(messageId);
  }

  interactionResponses(interactionId: string): InteractionResponseRecord {
    const state = this.#context.state;
    const interaction = state.interactions.get(interactionId);
    if (!interaction) {
      throw new Error(`Unknown interaction ${interactionId}`);
    }
    return {
      callbackType: interaction.callback?.type,
      callbackData: interaction.callback?.data,
      original: interaction.originalMessageId ? state.messages.get(interaction.originalMessageId) : undefined,
      originalEdits: [...interaction.originalEdits],
      followups: interaction.followupIds.map((id) => state.messages.get(id)!),
    };
  }

  /** Global commands as last registered. */
  registeredCommands(): StoredCommand[] {
    return this.#context.state.commands;
  }

  /** Number of POST /channels/{id}/typing calls for a channel. */
  typingCount(channelId: string): number {
    return this.#context.state.typing.get(channelId) ?? 0;
  }

  /**
   * Resolves with the first truthy value of `probe`, re-checked after every change the fake records
   * (requests, dispatches, gateway sessions). Use it instead of sleeping; for effects inside the
   * client, such as a handler having run, wait on the client's own events instead.
   */
  waitFor<T>(probe: () => T | undefined | null | false, timeoutMs = 5_000, description = 'the condition'): Promise<T> {
    return this.#context.state.waitFor(probe, timeoutMs, description);
  }

  /** Closes the gateway and the HTTP server, cutting open connections so no handle stays open. */
  async close(): Promise<void> {
    await this.#context.gateway.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.#server.close((error) => (error ? reject(error) : resolve())));
  }
}

/** Starts a fake Discord on 127.0.0.1 with an OS-assigned port. */
export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const ids = new SnowflakeGenerator();
  const state = new FakeState();
  const failures: InjectedFailure[] = [];
  const applicationId = options.applicationId ?? ids.next();
  const botUser: FakeUser = {
    id: applicationId,
    username: options.botUsername ?? 'FakeBot',
    globalName: null,
    locale: 'en-US',
    bot: true,
  };
  const token = options.token ?? DEFAULT_TOKEN;

  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const gatewayUrl = `ws://127.0.0.1:${port}${GATEWAY_PATH}`;

  const gateway = new FakeGateway({
    token,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
    onChange: () => state.changed(),
    onDispatch: (event, sessionCount) => state.dispatches.push({ event, sessionCount }),
    readyPayload: (sessionId, shard) => ({
      v: 10,
      user: { ...userPayload(botUser), verified: true, mfa_enabled: false },
      guilds: readyGuilds(context),
      session_id: sessionId,
      session_type: 'normal',
      resume_gateway_url: gatewayUrl,
      ...(Array.isArray(shard) ? { shard } : {}),
      application: { id: applicationId, flags: 0 },
    }),
    afterReady: (intents) => guildCreatesAfterReady(context, intents),
  });

  const context: FakeContext = {
    state,
    gateway,
    clock: new InteractionClock(),
    ids,
    rateLimiter: new RateLimiter(),
    rateLimits: { ...DEFAULT_RATE_LIMITS, ...options.rateLimits },
    token,
    applicationId,
    botUser,
    gatewayUrl,
  };

  server.on('request', createRestListener(context, ROUTES, failures));
  server.on('upgrade', (request, socket, head) => gateway.handleUpgrade(request, socket, head));
  return new FakeDiscord(server, context, failures, origin);
}
