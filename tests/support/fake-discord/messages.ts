import { ChannelType, GatewayDispatchEvents, GatewayIntentBits, MessageFlags } from 'discord.js';
import type { FakeContext } from './context.js';
import { DiscordHttpError, discordErrors, invalidFormBody } from './errors.js';
import { isEmptyMessage, validateMessageBody, type MessageBody } from './message-limits.js';
import { memberPayload, messagePayload, userPayload } from './payloads.js';
import { tooManyRequests } from './rate-limit.js';
import type { FakeUser, StoredMessage } from './state.js';

/** A file part of a multipart request; only its name is kept. */
export interface UploadedFile {
  filename: string;
}

/**
 * Flags a bot may set in a message body; Discord ignores the others. Ephemeral is decided by the
 * interaction response that creates a message, never by a later edit.
 */
const SETTABLE_FLAGS = MessageFlags.SuppressEmbeds | MessageFlags.SuppressNotifications | MessageFlags.IsComponentsV2;

export interface CreateMessageOptions {
  interactionId?: string;
  ephemeral?: boolean;
  /** Stores the message without content checks, for the "thinking" message of a deferred reply. */
  loading?: boolean;
  /** Makes the message a forward of this one. A forward has no content of its own. */
  forwardOf?: StoredMessage;
}

function assertValid(body: MessageBody, fileCount: number): void {
  const errors = validateMessageBody(body);
  if (errors.length > 0) {
    throw invalidFormBody(errors);
  }
  if (isEmptyMessage(body, fileCount)) {
    throw discordErrors.emptyMessage();
  }
}

function authorOf(context: FakeContext, message: StoredMessage): FakeUser {
  return message.authorId === context.botUser.id ? context.botUser : context.state.users.get(message.authorId)!;
}

/** Renders a stored message as the message object of REST responses and dispatches. */
export function renderMessage(context: FakeContext, message: StoredMessage): Record<string, unknown> {
  const extra: Record<string, unknown> = {};
  const interaction = message.interactionId ? context.state.interactions.get(message.interactionId) : undefined;
  if (interaction) {
    const user = context.state.users.get(interaction.userId)!;
    extra.webhook_id = context.applicationId;
    extra.application_id = context.applicationId;
    extra.interaction_metadata = {
      id: interaction.id,
      type: interaction.type,
      user: userPayload(user),
      authorizing_integration_owners: { '0': '0' },
    };
  }
  return messagePayload(message, authorOf(context, message), extra);
}

/** Checks whether a message mentions the user, as `<@id>` or the older `<@!id>`. */
function mentions(message: StoredMessage, user: FakeUser): boolean {
  return message.content.includes(`<@${user.id}>`) || message.content.includes(`<@!${user.id}>`);
}

/**
 * Dispatches MESSAGE_CREATE or MESSAGE_UPDATE: in a DM to sessions with DIRECT_MESSAGES, in a
 * guild channel to sessions with GUILD_MESSAGES, with `guild_id` and the author's `member`.
 * NOTE: Discord also sends a bot its own ephemeral messages under DIRECT_MESSAGES, without
 * `guild_id`; the fake dispatches no ephemeral message.
 */
function dispatchMessage(context: FakeContext, event: string, message: StoredMessage): void {
  if (message.ephemeral) {
    return;
  }
  const guildChannel = context.state.guildChannels.get(message.channelId);
  if (!guildChannel) {
    // Gateway message events carry `channel_type`; discord.js needs it to build an uncached DM channel.
    const payload = { ...renderMessage(context, message), channel_type: ChannelType.DM };
    context.gateway.dispatch(event, payload, GatewayIntentBits.DirectMessages);
    return;
  }

  const member = context.state.member(guildChannel.guildId, message.authorId);
  const botMentioned = mentions(message, context.botUser);
  const payload: Record<string, unknown> = {
    ...renderMessage(context, message),
    channel_type: ChannelType.GuildText,
    guild_id: guildChannel.guildId,
    // Interaction responses are webhook messages, which carry no `member`.
    ...(member && !message.interactionId ? { member: memberPayload(member) } : {}),
    ...(botMentioned ? { mentions: [userPayload(context.botUser)] } : {}),
  };
  // Without MESSAGE_CONTENT, content fields arrive empty unless the app sent or is mentioned in the message.
  const contentVisible = message.authorId === context.botUser.id || botMentioned;
  context.gateway.dispatchPerSession(
    event,
    (intents) =>
      contentVisible || (intents & GatewayIntentBits.MessageContent) !== 0
        ? payload
        : { ...payload, content: '', embeds: [], attachments: [], components: [] },
    GatewayIntentBits.GuildMessages,
  );
}

/** Stores a message from `author` in a DM or guild channel and dispatches MESSAGE_CREATE. */
export function createMessage(
  context: FakeContext,
  channelId: string,
  author: FakeUser,
  body: MessageBody,
  files: readonly UploadedFile[],
  options: CreateMessageOptions = {},
): StoredMessage {
  if (!options.loading && !options.forwardOf) {
    assertValid(body, files.length);
  }

  const now = new Date().toISOString();
  const flags = options.loading
    ? MessageFlags.Loading | (options.ephemeral ? MessageFlags.Ephemeral : 0)
    : ((body.flags ?? 0) & SETTABLE_FLAGS) |
      (options.ephemeral ? MessageFlags.Ephemeral : 0) |
      (options.forwardOf ? MessageFlags.HasSnapshot : 0);
  const message: StoredMessage = {
    id: context.ids.next(),
    channelId,
    authorId: author.id,
    content: body.content ?? '',
    embeds: body.embeds ?? [],
    components: body.components ?? [],
    flags,
    attachments: files.map((file) => ({ id: context.ids.next(), filename: file.filename })),
    createdAt: now,
    editedAt: null,
    revisions: [],
    ephemeral: (flags & MessageFlags.Ephemeral) !== 0,
    deleted: false,
    ...(options.interactionId ? { interactionId: options.interactionId } : {}),
    ...(options.forwardOf
      ? {
          forwarded: {
            channelId: options.forwardOf.channelId,
            messageId: options.forwardOf.id,
            content: options.forwardOf.content,
            createdAt: options.forwardOf.createdAt,
          },
        }
      : {}),
  };
  message.revisions.push({ content: message.content, embeds: message.embeds, components: message.components, flags, at: now });

  context.state.messages.set(message.id, message);
  const channel = context.state.dmChannels.get(channelId) ?? context.state.guildChannels.get(channelId);
  if (channel && !message.ephemeral) {
    channel.lastMessageId = message.id;
  }

  dispatchMessage(context, GatewayDispatchEvents.MessageCreate, message);
  context.state.changed();
  return message;
}

/**
 * Applies an edit body to a bot message: fields present in the body replace the stored ones, the
 * result is checked like a new message, and MESSAGE_UPDATE is dispatched.
 */
export function editMessage(
  context: FakeContext,
  message: StoredMessage,
  body: MessageBody,
  files: readonly UploadedFile[],
): StoredMessage {
  if (message.authorId !== context.botUser.id) {
    throw discordErrors.cannotEditOthersMessage();
  }

  const keptFlags = message.flags & (MessageFlags.Ephemeral | MessageFlags.IsComponentsV2);
  const next: MessageBody = {
    content: 'content' in body ? (body.content ?? '') : message.content,
    embeds: 'embeds' in body ? (body.embeds ?? []) : message.embeds,
    components: 'components' in body ? (body.components ?? []) : message.components,
    flags: 'flags' in body ? ((body.flags ?? 0) & SETTABLE_FLAGS) | keptFlags : message.flags & ~MessageFlags.Loading,
  };
  const attachments =
    'attachments' in body && Array.isArray(body.attachments)
      ? message.attachments.filter((kept) => body.attachments!.some((entry) => (entry as { id?: unknown }).id === kept.id))
      : message.attachments;
  assertValid(next, files.length + attachments.length);

  const now = new Date().toISOString();
  message.content = next.content ?? '';
  message.embeds = next.embeds ?? [];
  message.components = next.components ?? [];
  message.flags = (next.flags ?? 0) & ~MessageFlags.Loading;
  message.attachments = [...attachments, ...files.map((file) => ({ id: context.ids.next(), filename: file.filename }))];
  message.editedAt = now;
  message.revisions.push({
    content: message.content,
    embeds: message.embeds,
    components: message.components,
    flags: message.flags,
    at: now,
  });

  dispatchMessage(context, GatewayDispatchEvents.MessageUpdate, message);
  context.state.changed();
  return message;
}

/** Marks a message deleted and dispatches MESSAGE_DELETE. */
export function deleteMessage(context: FakeContext, message: StoredMessage): void {
  message.deleted = true;
  if (!message.ephemeral) {
    const guildId = context.state.guildChannels.get(message.channelId)?.guildId;
    context.gateway.dispatch(
      GatewayDispatchEvents.MessageDelete,
      { id: message.id, channel_id: message.channelId, ...(guildId ? { guild_id: guildId } : {}) },
      guildId ? GatewayIntentBits.GuildMessages : GatewayIntentBits.DirectMessages,
    );
  }
  context.state.changed();
}

/**
 * Takes a slot of the hidden per-channel edit limit or throws the 429 Discord sends for a
 * per-resource limit (`X-RateLimit-Scope: shared`).
 */
export function takeEditSlot(context: FakeContext, channelId: string): void {
  const limit = context.rateLimits.messageEdit;
  if (!limit) {
    return;
  }

  const state = context.rateLimiter.take('message-edit', channelId, limit);
  if (!state.allowed) {
    const response = tooManyRequests(state, 'shared');
    throw new DiscordHttpError(429, response.body, response.headers);
  }
}
