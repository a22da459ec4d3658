import { randomBytes } from 'node:crypto';
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  GatewayDispatchEvents,
  InteractionContextType,
  InteractionType,
  PermissionFlagsBits,
} from 'discord.js';
import type { FakeContext } from './context.js';
import { createMessage, renderMessage } from './messages.js';
import { dmChannelPayload, guildChannelPayload, memberPayload, userPayload } from './payloads.js';
import { BOT_DM_APP_PERMISSIONS, openDmChannel } from './routes.js';
import type {
  FakeDmChannel,
  FakeGuild,
  FakeGuildChannel,
  FakeMember,
  FakeUser,
  StoredCommand,
  StoredInteraction,
  StoredMessage,
} from './state.js';

/** Attachment size limit Discord reports in interactions for users without Nitro (10 MiB). */
const ATTACHMENT_SIZE_LIMIT_BYTES = 10 * 1024 * 1024;

/** Option values for a slash command: by name, or as the raw option array Discord sends. */
export type CommandOptionsInput =
  | Record<string, string | number | boolean>
  | Array<{ name: string; type: number; value?: unknown; options?: unknown[]; focused?: boolean }>;

/** The id and token of a dispatched interaction, for checking its responses. */
export interface DispatchedInteraction {
  id: string;
  token: string;
}

export interface InteractionOptions {
  /** Overrides the user's locale for this interaction. */
  locale?: string;
  /**
   * Id of a guild text channel to run a slash command or autocomplete in, instead of the user's
   * DM. The user must be a member of the channel's guild. Component interactions take the
   * channel of their message instead.
   */
  channelId?: string;
}

/** Where an interaction comes from: the user's DM with the bot, or a guild text channel. */
type InteractionLocation =
  | { kind: 'dm'; channel: FakeDmChannel }
  | { kind: 'guild'; channel: FakeGuildChannel; guild: FakeGuild; member: FakeMember };

function requireUser(context: FakeContext, userId: string): FakeUser {
  const user = context.state.users.get(userId);
  if (!user) {
    throw new Error(`Unknown fake user ${userId}; add it with addUser() first`);
  }
  return user;
}

/** Returns the guild text channel `channelId` with its guild and the user's membership, or throws. */
function guildLocation(context: FakeContext, user: FakeUser, channelId: string): InteractionLocation {
  const channel = context.state.guildChannels.get(channelId);
  if (!channel) {
    throw new Error(`Unknown guild text channel ${channelId}; add it with addGuildTextChannel() first`);
  }
  const member = context.state.member(channel.guildId, user.id);
  if (!member) {
    throw new Error(`User ${user.id} is not a member of guild ${channel.guildId}; add it with addMember() first`);
  }
  return { kind: 'guild', channel, guild: context.state.guilds.get(channel.guildId)!, member };
}

function interactionLocation(context: FakeContext, user: FakeUser, options: InteractionOptions): InteractionLocation {
  if (options.channelId === undefined) {
    return { kind: 'dm', channel: openDmChannel(context, user.id) };
  }
  return guildLocation(context, user, options.channelId);
}

/**
 * Throws unless the Discord client would offer the command to this member in a guild: the
 * command's `contexts` must allow guilds (null allows every context), and the member needs the
 * command's `default_member_permissions` (null allows everyone, "0" only administrators).
 */
function assertUsableInGuild(command: StoredCommand, member: FakeMember): void {
  if (command.contexts !== null && !command.contexts.includes(InteractionContextType.Guild)) {
    throw new Error(`Command "/${command.name}" is registered without the guild context (contexts: ${JSON.stringify(command.contexts)})`);
  }
  if (command.default_member_permissions === null || (member.permissions & PermissionFlagsBits.Administrator) !== 0n) {
    return;
  }
  const required = BigInt(command.default_member_permissions);
  if (required === 0n || (member.permissions & required) !== required) {
    throw new Error(
      `Member ${member.userId} lacks default_member_permissions ${command.default_member_permissions} of "/${command.name}"`,
    );
  }
}

/** Parts of a user's DM besides its text. */
export interface DirectMessageParts {
  /** File names of files the user uploads with the message. */
  attachments?: string[];
  /**
   * Id of a message, in any channel the fake stores, that the user forwards. The forward
   * has no content or files of its own, so `content` and `attachments` must be empty.
   */
  forwardOf?: string;
}

/** Simulates a user sending a DM to the bot: stores it and dispatches MESSAGE_CREATE (no CHANNEL_CREATE). */
export function sendDirectMessage(context: FakeContext, userId: string, content: string, parts: DirectMessageParts = {}): StoredMessage {
  const user = requireUser(context, userId);
  const channel = openDmChannel(context, user.id);
  const files = (parts.attachments ?? []).map((filename) => ({ filename }));
  if (parts.forwardOf === undefined) {
    return createMessage(context, channel.id, user, { content }, files);
  }

  const original = context.state.messages.get(parts.forwardOf);
  if (!original || original.deleted) {
    throw new Error(`Message ${parts.forwardOf} does not exist, so it cannot be forwarded`);
  }
  if (content !== '' || files.length > 0) {
    throw new Error('A forward carries no content or files of its own; send them as a separate message');
  }
  return createMessage(context, channel.id, user, {}, [], { forwardOf: original });
}

/**
 * Simulates a user posting in a guild text channel: stores the message and dispatches
 * MESSAGE_CREATE with `guild_id` to sessions with GUILD_MESSAGES.
 */
export function sendGuildMessage(context: FakeContext, userId: string, channelId: string, content: string): StoredMessage {
  const user = requireUser(context, userId);
  const location = guildLocation(context, user, channelId);
  return createMessage(context, location.channel.id, user, { content }, []);
}

function optionType(value: string | number | boolean): number {
  if (typeof value === 'boolean') {
    return ApplicationCommandOptionType.Boolean;
  }
  if (typeof value === 'number') {
    return Number.isInteger(value) ? ApplicationCommandOptionType.Integer : ApplicationCommandOptionType.Number;
  }
  return ApplicationCommandOptionType.String;
}

function buildOptions(command: StoredCommand, input: CommandOptionsInput | undefined, focused?: string): unknown[] | undefined {
  if (input === undefined) {
    return undefined;
  }
  if (Array.isArray(input)) {
    return input;
  }

  const definitions = (command.options ?? []) as Array<{ name: string; type: number }>;
  return Object.entries(input).map(([name, value]) => {
    const definition = definitions.find((option) => option.name === name);
    if (!definition) {
      throw new Error(`Command "${command.name}" has no option "${name}"; registered options: ${definitions.map((o) => o.name).join(', ') || 'none'}`);
    }
    return { name, type: definition.type ?? optionType(value), value, ...(name === focused ? { focused: true } : {}) };
  });
}

function registeredCommand(context: FakeContext, name: string): StoredCommand {
  const command = context.state.commands.find(
    (candidate) => candidate.name === name && candidate.type === ApplicationCommandType.ChatInput,
  );
  if (!command) {
    throw new Error(`Slash command "/${name}" is not registered; users can only invoke registered commands`);
  }
  return command;
}

/**
 * Builds the fields of the interaction object that depend on where it was invoked. From a
 * guild the invoking user comes as `member` (with `user` and `permissions` inside) instead of
 * a top-level `user`, and the GUILD_INSTALL owner is the guild id instead of "0".
 */
function locationFields(context: FakeContext, user: FakeUser, location: InteractionLocation): Record<string, unknown> {
  if (location.kind === 'dm') {
    return {
      channel_id: location.channel.id,
      channel: dmChannelPayload(location.channel, user),
      user: userPayload(user),
      app_permissions: BOT_DM_APP_PERMISSIONS.toString(),
      authorizing_integration_owners: { '0': '0' },
      context: InteractionContextType.BotDM,
    };
  }
  const { guild, channel, member } = location;
  return {
    guild_id: guild.id,
    guild: { id: guild.id, locale: guild.preferredLocale, features: [] },
    channel_id: channel.id,
    channel: guildChannelPayload(channel),
    member: memberPayload(member, { user, withPermissions: true }),
    app_permissions: guild.botPermissions.toString(),
    guild_locale: guild.preferredLocale,
    authorizing_integration_owners: { '0': guild.id },
    context: InteractionContextType.Guild,
  };
}

function dispatchInteraction(
  context: FakeContext,
  user: FakeUser,
  location: InteractionLocation,
  type: number,
  data: Record<string, unknown>,
  options: InteractionOptions,
  details: Partial<StoredInteraction> = {},
  extraPayload: Record<string, unknown> = {},
): DispatchedInteraction {
  const interaction: StoredInteraction = {
    id: context.ids.next(),
    token: `aW50ZXJhY3Rpb24${randomBytes(24).toString('base64url')}`,
    type,
    userId: user.id,
    channelId: location.channel.id,
    ...(location.kind === 'guild' ? { guildId: location.guild.id } : {}),
    dispatchedAt: context.clock.now(),
    originalEdits: [],
    followupIds: [],
    ...details,
  };
  context.state.interactions.set(interaction.id, interaction);
  context.state.interactionByToken.set(interaction.token, interaction.id);

  context.gateway.dispatch(GatewayDispatchEvents.InteractionCreate, {
    id: interaction.id,
    application_id: context.applicationId,
    type,
    token: interaction.token,
    version: 1,
    data,
    ...locationFields(context, user, location),
    locale: options.locale ?? user.locale,
    entitlements: [],
    attachment_size_limit: ATTACHMENT_SIZE_LIMIT_BYTES,
    ...extraPayload,
  });
  context.state.changed();
  return { id: interaction.id, token: interaction.token };
}

/** Simulates a user running a registered slash command in their DM or in `options.channelId`. */
export function sendSlashCommand(
  context: FakeContext,
  userId: string,
  name: string,
  input?: CommandOptionsInput,
  options: InteractionOptions = {},
): DispatchedInteraction {
  const user = requireUser(context, userId);
  const command = registeredCommand(context, name);
  const location = interactionLocation(context, user, options);
  if (location.kind === 'guild') {
    assertUsableInGuild(command, location.member);
  }
  const commandOptions = buildOptions(command, input);

  return dispatchInteraction(
    context,
    user,
    location,
    InteractionType.ApplicationCommand,
    { id: command.id, name, type: ApplicationCommandType.ChatInput, ...(commandOptions ? { options: commandOptions } : {}) },
    options,
    { commandName: name },
  );
}

/** Simulates a user typing into an autocomplete option; `focused` names the option being typed. */
export function sendAutocomplete(
  context: FakeContext,
  userId: string,
  name: string,
  input: CommandOptionsInput,
  focused: string,
  options: InteractionOptions = {},
): DispatchedInteraction {
  const user = requireUser(context, userId);
  const command = registeredCommand(context, name);
  const location = interactionLocation(context, user, options);
  if (location.kind === 'guild') {
    assertUsableInGuild(command, location.member);
  }

  return dispatchInteraction(
    context,
    user,
    location,
    InteractionType.ApplicationCommandAutocomplete,
    { id: command.id, name, type: ApplicationCommandType.ChatInput, options: buildOptions(command, input, focused) },
    options,
    { commandName: name },
  );
}

function findComponent(components: unknown[], customId: string): { type: number } | undefined {
  for (const raw of components) {
    const component = raw as { type: number; custom_id?: string; components?: unknown[] };
    if (component.custom_id === customId) {
      return component;
    }
    const nested = component.components ? findComponent(component.components, customId) : undefined;
    if (nested) {
      return nested;
    }
  }
  return undefined;
}

/**
 * Returns where a user sees a message: their DM, or a guild channel they are a member of. An
 * ephemeral message is seen only by the user of the interaction that created it. Throws when
 * the user cannot see the message.
 */
function messageLocation(context: FakeContext, user: FakeUser, message: StoredMessage): InteractionLocation {
  const ephemeralOwner = message.ephemeral && message.interactionId ? context.state.interactions.get(message.interactionId)?.userId : undefined;
  if (ephemeralOwner !== undefined && ephemeralOwner !== user.id) {
    throw new Error(`Message ${message.id} is ephemeral and only user ${ephemeralOwner} sees it`);
  }
  if (context.state.guildChannels.has(message.channelId)) {
    return guildLocation(context, user, message.channelId);
  }
  if (message.channelId !== context.state.dmChannelByUser.get(user.id)) {
    throw new Error(`Message ${message.id} is not in the DM of user ${user.id}`);
  }
  return { kind: 'dm', channel: context.state.dmChannels.get(message.channelId)! };
}

/**
 * Simulates a click on a button (no `values`) or a choice in a select menu on a bot message in the
 * user's DM or in a guild channel. Throws if the user cannot see the message or it has no
 * component with that `custom_id`.
 */
export function sendComponent(
  context: FakeContext,
  userId: string,
  messageId: string,
  customId: string,
  values?: string[],
  options: InteractionOptions = {},
): DispatchedInteraction {
  const user = requireUser(context, userId);
  const message = context.state.messages.get(messageId);
  if (!message || message.deleted) {
    throw new Error(`Message ${messageId} does not exist`);
  }
  const location = messageLocation(context, user, message);
  const component = findComponent(message.components, customId);
  if (!component) {
    throw new Error(`Message ${messageId} has no component with custom_id "${customId}"`);
  }

  return dispatchInteraction(
    context,
    user,
    location,
    InteractionType.MessageComponent,
    { custom_id: customId, component_type: component.type, ...(values ? { values } : {}) },
    options,
    { customId, sourceMessageId: message.id },
    { message: renderMessage(context, message) },
  );
}
