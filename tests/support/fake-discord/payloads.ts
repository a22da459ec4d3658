import { ChannelType, MessageType } from 'discord.js';
import type { FakeDmChannel, FakeUser, StoredMessage } from './state.js';

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

/** The message object of REST responses and MESSAGE_CREATE / MESSAGE_UPDATE dispatches in a DM. */
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
    ...extra,
  };
}
