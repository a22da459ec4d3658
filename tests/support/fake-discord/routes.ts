import { PermissionFlagsBits } from 'discord.js';
import type { FakeContext } from './context.js';
import { discordErrors, invalidFormBody } from './errors.js';
import {
  handleCreateCommand,
  handleDeleteCommand,
  handleListCommands,
  handleOverwriteCommands,
} from './commands.js';
import {
  handleCreateFollowup,
  handleDeleteWebhookMessage,
  handleEditWebhookMessage,
  handleGetWebhookMessage,
  handleInteractionCallback,
} from './interactions.js';
import { createMessage, deleteMessage, editMessage, renderMessage, takeEditSlot } from './messages.js';
import { dmChannelPayload, userPayload } from './payloads.js';
import type { RestRequest, RestResult, RouteDefinition } from './rest-server.js';
import { compareSnowflakes } from './snowflake.js';
import type { FakeDmChannel, StoredMessage } from './state.js';

/** Default and maximum `limit` of GET /channels/{id}/messages. */
export const MESSAGE_HISTORY_DEFAULT_LIMIT = 50;
export const MESSAGE_HISTORY_MAX_LIMIT = 100;

/** Permissions Discord reports as `app_permissions` in a DM with the app's bot user. */
export const BOT_DM_APP_PERMISSIONS =
  PermissionFlagsBits.AttachFiles |
  PermissionFlagsBits.EmbedLinks |
  PermissionFlagsBits.MentionEveryone |
  PermissionFlagsBits.UseExternalEmojis;

function dmChannel(context: FakeContext, channelId: string): FakeDmChannel {
  const channel = context.state.dmChannels.get(channelId);
  if (!channel) {
    throw discordErrors.unknownChannel();
  }
  return channel;
}

function channelMessage(context: FakeContext, request: RestRequest): StoredMessage {
  dmChannel(context, request.params.channel!);
  const message = context.state.messages.get(request.params.message!);
  if (!message || message.deleted || message.ephemeral || message.channelId !== request.params.channel) {
    throw discordErrors.unknownMessage();
  }
  return message;
}

/** Creates the DM channel with a user on first use, as POST /users/@me/channels does. */
export function openDmChannel(context: FakeContext, userId: string): FakeDmChannel {
  const existingId = context.state.dmChannelByUser.get(userId);
  if (existingId) {
    return context.state.dmChannels.get(existingId)!;
  }

  const channel: FakeDmChannel = { id: context.ids.next(), recipientId: userId, lastMessageId: null };
  context.state.dmChannels.set(channel.id, channel);
  context.state.dmChannelByUser.set(userId, channel.id);
  context.state.changed();
  return channel;
}

function getGatewayBot(context: FakeContext): RestResult {
  return {
    status: 200,
    body: {
      url: context.gatewayUrl,
      shards: 1,
      session_start_limit: { total: 1000, remaining: 1000, reset_after: 86_400_000, max_concurrency: 1 },
    },
  };
}

function getApplication(context: FakeContext): RestResult {
  return {
    status: 200,
    body: {
      id: context.applicationId,
      name: context.botUser.username,
      icon: null,
      description: '',
      bot_public: true,
      bot_require_code_grant: false,
      bot: userPayload(context.botUser),
      verify_key: '0'.repeat(64),
      flags: 0,
      team: null,
      owner: userPayload(context.botUser),
    },
  };
}

function getUser(context: FakeContext, request: RestRequest): RestResult {
  const id = request.params.user!;
  const user = id === context.botUser.id ? context.botUser : context.state.users.get(id);
  if (!user) {
    throw discordErrors.unknownUser();
  }
  return { status: 200, body: userPayload(user) };
}

function createDm(context: FakeContext, request: RestRequest): RestResult {
  const recipientId = request.body?.recipient_id;
  if (typeof recipientId !== 'string') {
    throw invalidFormBody([{ path: ['recipient_id'], code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }]);
  }
  const user = context.state.users.get(recipientId);
  if (!user) {
    // NOTE: assumed response; Discord does not document the error for an unknown recipient.
    throw discordErrors.unknownUser();
  }
  return { status: 200, body: dmChannelPayload(openDmChannel(context, recipientId), user) };
}

function getChannel(context: FakeContext, request: RestRequest): RestResult {
  const channel = dmChannel(context, request.params.channel!);
  return { status: 200, body: dmChannelPayload(channel, context.state.users.get(channel.recipientId)!) };
}

function postMessage(context: FakeContext, request: RestRequest): RestResult {
  const channel = dmChannel(context, request.params.channel!);
  if (context.state.blockedUsers.has(channel.recipientId)) {
    throw discordErrors.cannotMessageUser();
  }
  const message = createMessage(context, channel.id, context.botUser, request.body ?? {}, request.files);
  return { status: 200, body: renderMessage(context, message) };
}

function patchMessage(context: FakeContext, request: RestRequest): RestResult {
  const message = channelMessage(context, request);
  takeEditSlot(context, message.channelId);
  editMessage(context, message, request.body ?? {}, request.files);
  return { status: 200, body: renderMessage(context, message) };
}

function removeMessage(context: FakeContext, request: RestRequest): RestResult {
  const message = channelMessage(context, request);
  if (message.authorId !== context.botUser.id) {
    // A bot cannot delete the other user's messages in a DM.
    throw discordErrors.cannotExecuteInDm();
  }
  deleteMessage(context, message);
  return { status: 204 };
}

function getMessage(context: FakeContext, request: RestRequest): RestResult {
  return { status: 200, body: renderMessage(context, channelMessage(context, request)) };
}

/**
 * GET /channels/{id}/messages with `before`, `after`, `around` and `limit`. Results are newest
 * first; with `after` they are the `limit` messages right after that id.
 */
function listMessages(context: FakeContext, request: RestRequest): RestResult {
  const channel = dmChannel(context, request.params.channel!);
  const limitText = request.query.get('limit');
  const limit = limitText === null ? MESSAGE_HISTORY_DEFAULT_LIMIT : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MESSAGE_HISTORY_MAX_LIMIT) {
    throw invalidFormBody([
      { path: ['limit'], code: 'NUMBER_TYPE_MAX', message: `int value should be between 1 and ${MESSAGE_HISTORY_MAX_LIMIT}.` },
    ]);
  }

  const oldestFirst = context.state.channelMessages(channel.id);
  const before = request.query.get('before');
  const after = request.query.get('after');
  const around = request.query.get('around');
  let selected: StoredMessage[];

  if (after) {
    selected = oldestFirst.filter((message) => compareSnowflakes(message.id, after) > 0).slice(0, limit);
  } else if (before) {
    selected = oldestFirst.filter((message) => compareSnowflakes(message.id, before) < 0).slice(-limit);
  } else if (around) {
    const center = oldestFirst.findIndex((message) => compareSnowflakes(message.id, around) >= 0);
    const start = Math.max(0, (center < 0 ? oldestFirst.length : center) - Math.floor(limit / 2));
    selected = oldestFirst.slice(start, start + limit);
  } else {
    selected = oldestFirst.slice(-limit);
  }

  return { status: 200, body: selected.reverse().map((message) => renderMessage(context, message)) };
}

function triggerTyping(context: FakeContext, request: RestRequest): RestResult {
  const channel = dmChannel(context, request.params.channel!);
  context.state.typing.set(channel.id, (context.state.typing.get(channel.id) ?? 0) + 1);
  context.state.changed();
  return { status: 204 };
}

const channelMajor = ['channel'];
const webhookMajor = ['application', 'token'];

/** Every REST route the fake serves. */
export const ROUTES: readonly RouteDefinition[] = [
  { method: 'GET', template: '/gateway', auth: false, handler: (context) => ({ status: 200, body: { url: context.gatewayUrl } }) },
  { method: 'GET', template: '/gateway/bot', auth: true, handler: getGatewayBot },
  { method: 'GET', template: '/users/@me', auth: true, handler: (context) => ({ status: 200, body: { ...userPayload(context.botUser), verified: true, mfa_enabled: false } }) },
  { method: 'GET', template: '/users/:user', auth: true, handler: getUser },
  { method: 'POST', template: '/users/@me/channels', auth: true, handler: createDm },
  { method: 'GET', template: '/applications/@me', auth: true, handler: getApplication },
  { method: 'GET', template: '/applications/:application/commands', auth: true, handler: handleListCommands },
  { method: 'PUT', template: '/applications/:application/commands', auth: true, handler: handleOverwriteCommands },
  { method: 'POST', template: '/applications/:application/commands', auth: true, handler: handleCreateCommand },
  { method: 'DELETE', template: '/applications/:application/commands/:command', auth: true, handler: handleDeleteCommand },
  { method: 'GET', template: '/channels/:channel', auth: true, majorParameters: channelMajor, handler: getChannel },
  { method: 'GET', template: '/channels/:channel/messages', auth: true, majorParameters: channelMajor, handler: listMessages },
  {
    method: 'POST',
    template: '/channels/:channel/messages',
    auth: true,
    majorParameters: channelMajor,
    bucket: (context) => context.rateLimits.messageCreate,
    handler: postMessage,
  },
  { method: 'GET', template: '/channels/:channel/messages/:message', auth: true, majorParameters: channelMajor, handler: getMessage },
  { method: 'PATCH', template: '/channels/:channel/messages/:message', auth: true, majorParameters: channelMajor, handler: patchMessage },
  { method: 'DELETE', template: '/channels/:channel/messages/:message', auth: true, majorParameters: channelMajor, handler: removeMessage },
  { method: 'POST', template: '/channels/:channel/typing', auth: true, majorParameters: channelMajor, handler: triggerTyping },
  { method: 'POST', template: '/interactions/:interaction/:token/callback', auth: false, majorParameters: ['interaction'], handler: handleInteractionCallback },
  { method: 'POST', template: '/webhooks/:application/:token', auth: false, majorParameters: webhookMajor, handler: handleCreateFollowup },
  { method: 'GET', template: '/webhooks/:application/:token/messages/:message', auth: false, majorParameters: webhookMajor, handler: handleGetWebhookMessage },
  { method: 'PATCH', template: '/webhooks/:application/:token/messages/:message', auth: false, majorParameters: webhookMajor, handler: handleEditWebhookMessage },
  { method: 'DELETE', template: '/webhooks/:application/:token/messages/:message', auth: false, majorParameters: webhookMajor, handler: handleDeleteWebhookMessage },
];
