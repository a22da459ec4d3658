import { randomBytes } from 'node:crypto';
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  GatewayDispatchEvents,
  InteractionContextType,
  InteractionType,
} from 'discord.js';
import type { FakeContext } from './context.js';
import { createMessage, renderMessage } from './messages.js';
import { dmChannelPayload, userPayload } from './payloads.js';
import { BOT_DM_APP_PERMISSIONS, openDmChannel } from './routes.js';
import type { FakeUser, StoredCommand, StoredInteraction, StoredMessage } from './state.js';

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
}

function requireUser(context: FakeContext, userId: string): FakeUser {
  const user = context.state.users.get(userId);
  if (!user) {
    throw new Error(`Unknown fake user ${userId}; add it with addUser() first`);
  }
  return user;
}

/** Simulates a user sending a DM to the bot: stores it and dispatches MESSAGE_CREATE (no CHANNEL_CREATE). */
export function sendDirectMessage(context: FakeContext, userId: string, content: string): StoredMessage {
  const user = requireUser(context, userId);
  const channel = openDmChannel(context, user.id);
  return createMessage(context, channel.id, user, { content }, []);
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

function dispatchInteraction(
  context: FakeContext,
  user: FakeUser,
  type: number,
  data: Record<string, unknown>,
  options: InteractionOptions,
  details: Partial<StoredInteraction> = {},
  extraPayload: Record<string, unknown> = {},
): DispatchedInteraction {
  const channel = openDmChannel(context, user.id);
  const interaction: StoredInteraction = {
    id: context.ids.next(),
    token: `aW50ZXJhY3Rpb24${randomBytes(24).toString('base64url')}`,
    type,
    userId: user.id,
    channelId: channel.id,
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
    channel_id: channel.id,
    channel: dmChannelPayload(channel, user),
    user: userPayload(user),
    locale: options.locale ?? user.locale,
    app_permissions: BOT_DM_APP_PERMISSIONS.toString(),
    entitlements: [],
    authorizing_integration_owners: { '0': '0' },
    context: InteractionContextType.BotDM,
    attachment_size_limit: ATTACHMENT_SIZE_LIMIT_BYTES,
    ...extraPayload,
  });
  context.state.changed();
  return { id: interaction.id, token: interaction.token };
}

/** Simulates a user running a registered slash command in their DM with the bot. */
export function sendSlashCommand(
  context: FakeContext,
  userId: string,
  name: string,
  input?: CommandOptionsInput,
  options: InteractionOptions = {},
): DispatchedInteraction {
  const user = requireUser(context, userId);
  const command = registeredCommand(context, name);
  const commandOptions = buildOptions(command, input);

  return dispatchInteraction(
    context,
    user,
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

  return dispatchInteraction(
    context,
    user,
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
 * Simulates a click on a button (no `values`) or a choice in a select menu on a bot message in the
 * user's DM. Throws if the message has no component with that `custom_id`.
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
  if (!message || message.deleted || message.channelId !== context.state.dmChannelByUser.get(user.id)) {
    throw new Error(`Message ${messageId} is not in the DM of user ${userId}`);
  }
  const component = findComponent(message.components, customId);
  if (!component) {
    throw new Error(`Message ${messageId} has no component with custom_id "${customId}"`);
  }

  return dispatchInteraction(
    context,
    user,
    InteractionType.MessageComponent,
    { custom_id: customId, component_type: component.type, ...(values ? { values } : {}) },
    options,
    { customId, sourceMessageId: message.id },
    { message: renderMessage(context, message) },
  );
}
