import { GatewayDispatchEvents, GatewayIntentBits, PermissionFlagsBits } from 'discord.js';
import type { FakeContext } from './context.js';
import { guildChannelPayload, guildCreatePayload, memberPayload, unavailableGuildPayload } from './payloads.js';
import { memberKey, type FakeGuild, type FakeGuildChannel, type FakeMember } from './state.js';

/**
 * Permissions a member gets unless the test sets others: those of an ordinary member who can
 * read, post and use app commands, with no moderation or administrator rights. The fake also
 * gives them to the @everyone role. Discord's own defaults for a new guild may differ.
 */
export const DEFAULT_MEMBER_PERMISSIONS =
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.ReadMessageHistory |
  PermissionFlagsBits.EmbedLinks |
  PermissionFlagsBits.AttachFiles |
  PermissionFlagsBits.AddReactions |
  PermissionFlagsBits.UseExternalEmojis |
  PermissionFlagsBits.UseApplicationCommands;

/** Permissions the bot gets in a guild unless the test sets others: an ordinary member's. */
export const DEFAULT_BOT_GUILD_PERMISSIONS = DEFAULT_MEMBER_PERMISSIONS;

export interface AddGuildInput {
  id?: string;
  name: string;
  /** Owner's user id; defaults to the bot user. */
  ownerId?: string;
  /** `preferred_locale`, sent as `guild_locale` in interactions; defaults to "en-US". */
  preferredLocale?: string;
  /** The bot's permissions in the guild's channels (`app_permissions`). */
  botPermissions?: bigint;
}

export interface AddMemberInput {
  nick?: string | null;
  /** Role ids besides @everyone. */
  roles?: string[];
  /** The member's total permissions in the guild's channels. */
  permissions?: bigint;
}

function requireGuild(context: FakeContext, guildId: string): FakeGuild {
  const guild = context.state.guilds.get(guildId);
  if (!guild) {
    throw new Error(`Unknown fake guild ${guildId}; add it with addGuild() first`);
  }
  return guild;
}

function storeMember(context: FakeContext, guildId: string, userId: string, input: AddMemberInput): FakeMember {
  const member: FakeMember = {
    guildId,
    userId,
    nick: input.nick ?? null,
    roles: input.roles ?? [],
    permissions: input.permissions ?? DEFAULT_MEMBER_PERMISSIONS,
    joinedAt: new Date().toISOString(),
  };
  context.state.members.set(memberKey(guildId, userId), member);
  return member;
}

/** Builds the GUILD_CREATE payload of a guild as it is now. */
function guildCreateFor(context: FakeContext, guild: FakeGuild): Record<string, unknown> {
  const channels = [...context.state.guildChannels.values()].filter((channel) => channel.guildId === guild.id);
  const memberCount = [...context.state.members.values()].filter((member) => member.guildId === guild.id).length;
  const botMember = context.state.member(guild.id, context.botUser.id)!;
  return guildCreatePayload(guild, channels, { user: context.botUser, member: botMember }, memberCount);
}

/**
 * Adds a guild with the bot as a member. Sessions with the GUILDS intent get GUILD_CREATE, as
 * when a bot joins a guild, and every later READY lists the guild as unavailable.
 */
export function addGuild(context: FakeContext, input: AddGuildInput): FakeGuild {
  const botPermissions = input.botPermissions ?? DEFAULT_BOT_GUILD_PERMISSIONS;
  const guild: FakeGuild = {
    id: input.id ?? context.ids.next(),
    name: input.name,
    ownerId: input.ownerId ?? context.botUser.id,
    preferredLocale: input.preferredLocale ?? 'en-US',
    botPermissions,
    everyonePermissions: DEFAULT_MEMBER_PERMISSIONS,
    joinedAt: new Date().toISOString(),
  };
  context.state.guilds.set(guild.id, guild);
  storeMember(context, guild.id, context.botUser.id, { permissions: botPermissions });

  context.gateway.dispatch(GatewayDispatchEvents.GuildCreate, guildCreateFor(context, guild), GatewayIntentBits.Guilds);
  return guild;
}

/** Adds a text channel (type 0) to a guild and dispatches CHANNEL_CREATE to sessions with GUILDS. */
export function addGuildTextChannel(context: FakeContext, guildId: string, name: string): FakeGuildChannel {
  requireGuild(context, guildId);
  const position = [...context.state.guildChannels.values()].filter((channel) => channel.guildId === guildId).length;
  const channel: FakeGuildChannel = { id: context.ids.next(), guildId, name, position, lastMessageId: null };
  context.state.guildChannels.set(channel.id, channel);

  context.gateway.dispatch(GatewayDispatchEvents.ChannelCreate, guildChannelPayload(channel), GatewayIntentBits.Guilds);
  return channel;
}

/** Makes a user a member of a guild and dispatches GUILD_MEMBER_ADD to sessions with GUILD_MEMBERS. */
export function addMember(context: FakeContext, guildId: string, userId: string, input: AddMemberInput = {}): FakeMember {
  requireGuild(context, guildId);
  const user = context.state.users.get(userId);
  if (!user) {
    throw new Error(`Unknown fake user ${userId}; add it with addUser() first`);
  }
  const member = storeMember(context, guildId, userId, input);

  context.gateway.dispatch(
    GatewayDispatchEvents.GuildMemberAdd,
    { ...memberPayload(member, { user, withPending: true }), guild_id: guildId },
    GatewayIntentBits.GuildMembers,
  );
  return member;
}

/** Builds the `guilds` field of READY: every guild the bot is in, unavailable until its GUILD_CREATE. */
export function readyGuilds(context: FakeContext): Array<Record<string, unknown>> {
  return [...context.state.guilds.values()].map(unavailableGuildPayload);
}

/** Builds GUILD_CREATE for each guild, which Discord sends after READY to sessions with GUILDS. */
export function guildCreatesAfterReady(context: FakeContext, intents: number): Array<{ event: string; data: unknown }> {
  if ((intents & GatewayIntentBits.Guilds) === 0) {
    return [];
  }
  return [...context.state.guilds.values()].map((guild) => ({ event: GatewayDispatchEvents.GuildCreate, data: guildCreateFor(context, guild) }));
}
