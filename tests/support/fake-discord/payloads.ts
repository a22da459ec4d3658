import { ChannelType, MessageReferenceType, MessageType } from 'discord.js';
import type { FakeDmChannel, FakeGuild, FakeGuildChannel, FakeMember, FakeUser, StoredMessage } from './state.js';

/** The user object Discord sends for `user`, `author` and `recipients`. */
export function userPayload(user: FakeUser): Record<string, unknown> {
  return {
    id: user.id,
    username: user.username,
    discriminator: '0',
    global_name: user.globalName,
    avatar: null,
    public_flags: 0,
    ...(user.bot ? { bot: true } : {}),
  };
}

/** The DM channel object returned by POST /users/@me/channels and GET /channels/{id}. */
export function dmChannelPayload(channel: FakeDmChannel, recipient: FakeUser): Record<string, unknown> {
  return {
    id: channel.id,
    type: ChannelType.DM,
    last_message_id: channel.lastMessageId,
    flags: 0,
    recipients: [userPayload(recipient)],
  };
}

/**
 * The message object of REST responses and MESSAGE_CREATE / MESSAGE_UPDATE dispatches.
 * Dispatches from a guild channel add `guild_id` and `member` to it in messages.ts.
 */
export function messagePayload(
  message: StoredMessage,
  author: FakeUser,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id: message.id,
    type: MessageType.Default,
    channel_id: message.channelId,
    author: userPayload(author),
    content: message.content,
    timestamp: message.createdAt,
    edited_timestamp: message.editedAt,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: message.attachments.map((attachment) => ({
      id: attachment.id,
      filename: attachment.filename,
      size: 0,
      url: '',
      proxy_url: '',
    })),
    embeds: message.embeds,
    components: message.components,
    pinned: false,
    flags: message.flags,
    ...(message.forwarded ? forwardFields(message.forwarded) : {}),
    ...extra,
  };
}

/**
 * Builds the fields a forward carries instead of content of its own: a `message_reference` of
 * type 1 (Forward) and one message snapshot with the fields of `APIMessageSnapshotFields` in
 * discord-api-types 0.38. The forward's own flags include HAS_SNAPSHOT (set in messages.ts).
 */
function forwardFields(forwarded: NonNullable<StoredMessage['forwarded']>): Record<string, unknown> {
  return {
    message_reference: { type: MessageReferenceType.Forward, channel_id: forwarded.channelId, message_id: forwarded.messageId },
    message_snapshots: [
      {
        message: {
          type: MessageType.Default,
          content: forwarded.content,
          embeds: [],
          attachments: [],
          components: [],
          timestamp: forwarded.createdAt,
          edited_timestamp: null,
          flags: 0,
          mentions: [],
          mention_roles: [],
        },
      },
    ],
  };
}

/** Builds the unavailable guild object that READY lists for each guild the bot is in. */
export function unavailableGuildPayload(guild: FakeGuild): Record<string, unknown> {
  return { id: guild.id, unavailable: true };
}

/**
 * Builds a guild text channel object, as an interaction's `channel`, CHANNEL_CREATE and
 * GUILD_CREATE carry it.
 */
export function guildChannelPayload(channel: FakeGuildChannel): Record<string, unknown> {
  return {
    id: channel.id,
    type: ChannelType.GuildText,
    guild_id: channel.guildId,
    name: channel.name,
    position: channel.position,
    permission_overwrites: [],
    parent_id: null,
    topic: null,
    nsfw: false,
    last_message_id: channel.lastMessageId,
    rate_limit_per_user: 0,
    flags: 0,
  };
}

export interface MemberPayloadOptions {
  /** The member's user; left out of MESSAGE_CREATE, whose `author` carries it. */
  user?: FakeUser;
  /** Adds `permissions`, which only the interaction object carries. */
  withPermissions?: boolean;
  /** Adds `pending`, which Discord sends in GUILD_ events only. */
  withPending?: boolean;
}

/** Builds the guild member object, with the optional fields the event carries. */
export function memberPayload(member: FakeMember, options: MemberPayloadOptions = {}): Record<string, unknown> {
  return {
    ...(options.user ? { user: userPayload(options.user) } : {}),
    nick: member.nick,
    avatar: null,
    banner: null,
    roles: member.roles,
    joined_at: member.joinedAt,
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0,
    communication_disabled_until: null,
    ...(options.withPending ? { pending: false } : {}),
    ...(options.withPermissions ? { permissions: member.permissions.toString() } : {}),
  };
}

/** Builds the @everyone role, whose id is the guild id. */
function everyoneRolePayload(guild: FakeGuild): Record<string, unknown> {
  return {
    id: guild.id,
    name: '@everyone',
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position: 0,
    permissions: guild.everyonePermissions.toString(),
    managed: false,
    mentionable: false,
    flags: 0,
  };
}

/**
 * Builds the available guild object of GUILD_CREATE: the guild fields plus the event's extra
 * fields. Without GUILD_PRESENCES Discord lists only the bot and users in voice channels in
 * `members`, so `members` contains only the bot.
 */
export function guildCreatePayload(
  guild: FakeGuild,
  channels: readonly FakeGuildChannel[],
  bot: { user: FakeUser; member: FakeMember },
  memberCount: number,
): Record<string, unknown> {
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    owner_id: guild.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    roles: [everyoneRolePayload(guild)],
    emojis: [],
    features: [],
    mfa_level: 0,
    application_id: null,
    system_channel_id: channels[0]?.id ?? null,
    system_channel_flags: 0,
    rules_channel_id: null,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    preferred_locale: guild.preferredLocale,
    public_updates_channel_id: null,
    nsfw_level: 0,
    stickers: [],
    premium_progress_bar_enabled: false,
    safety_alerts_channel_id: null,
    incidents_data: null,
    joined_at: guild.joinedAt,
    large: false,
    unavailable: false,
    member_count: memberCount,
    voice_states: [],
    members: [memberPayload(bot.member, { user: bot.user, withPending: true })],
    channels: channels.map(guildChannelPayload),
    threads: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}
