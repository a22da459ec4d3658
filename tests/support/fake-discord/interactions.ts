import { InteractionResponseType, InteractionType, MessageFlags } from 'discord.js';
import type { FakeContext } from './context.js';
import { discordErrors, invalidFormBody } from './errors.js';
import { createMessage, deleteMessage, editMessage, renderMessage, takeEditSlot } from './messages.js';
import type { RestRequest, RestResult } from './rest-server.js';
import type { StoredInteraction, StoredMessage } from './state.js';

/** Time a bot has to send the initial interaction response (Discord docs, Receiving and Responding). */
export const INTERACTION_RESPONSE_WINDOW_MS = 3_000;

/** Lifetime of an interaction token for followups and edits (Discord docs, Receiving and Responding). */
export const INTERACTION_TOKEN_LIFETIME_MS = 15 * 60 * 1_000;

/** Callback types each interaction type accepts. */
const ALLOWED_CALLBACKS: Record<number, readonly number[]> = {
  [InteractionType.ApplicationCommand]: [
    InteractionResponseType.ChannelMessageWithSource,
    InteractionResponseType.DeferredChannelMessageWithSource,
    InteractionResponseType.Modal,
  ],
  [InteractionType.MessageComponent]: [
    InteractionResponseType.ChannelMessageWithSource,
    InteractionResponseType.DeferredChannelMessageWithSource,
    InteractionResponseType.DeferredMessageUpdate,
    InteractionResponseType.UpdateMessage,
    InteractionResponseType.Modal,
  ],
  [InteractionType.ApplicationCommandAutocomplete]: [InteractionResponseType.ApplicationCommandAutocompleteResult],
  [InteractionType.ModalSubmit]: [
    InteractionResponseType.ChannelMessageWithSource,
    InteractionResponseType.DeferredChannelMessageWithSource,
    InteractionResponseType.DeferredMessageUpdate,
    InteractionResponseType.UpdateMessage,
  ],
};

function liveMessage(context: FakeContext, id: string | undefined): StoredMessage {
  const message = id ? context.state.messages.get(id) : undefined;
  if (!message || message.deleted) {
    throw discordErrors.unknownMessage();
  }
  return message;
}

/** POST /interactions/{id}/{token}/callback: the initial response, accepted once within 3 s. */
export function handleInteractionCallback(context: FakeContext, request: RestRequest): RestResult {
  const interaction = context.state.interactions.get(request.params.interaction!);
  if (!interaction || interaction.token !== request.params.token) {
    throw discordErrors.unknownInteraction();
  }
  if (interaction.callback) {
    throw discordErrors.alreadyAcknowledged();
  }
  if (context.clock.now() - interaction.dispatchedAt > INTERACTION_RESPONSE_WINDOW_MS) {
    throw discordErrors.unknownInteraction();
  }

  const type = request.body?.type;
  const data = request.body?.data ?? {};
  if (!(ALLOWED_CALLBACKS[interaction.type] ?? []).includes(type)) {
    throw invalidFormBody([
      { path: ['type'], code: 'INTERACTION_RESPONSE_TYPE_INVALID', message: `Invalid callback type ${String(type)} for interaction type ${interaction.type}` },
    ]);
  }

  const ephemeral = ((data.flags ?? 0) & MessageFlags.Ephemeral) !== 0;
  let resourceMessage: StoredMessage | undefined;
  switch (type) {
    case InteractionResponseType.ChannelMessageWithSource:
      resourceMessage = createInteractionMessage(context, interaction, data, request, { ephemeral });
      interaction.originalMessageId = resourceMessage.id;
      break;
    case InteractionResponseType.DeferredChannelMessageWithSource:
      resourceMessage = createInteractionMessage(context, interaction, {}, request, { ephemeral, loading: true });
      interaction.originalMessageId = resourceMessage.id;
      break;
    case InteractionResponseType.DeferredMessageUpdate:
      interaction.originalMessageId = interaction.sourceMessageId;
      break;
    case InteractionResponseType.UpdateMessage:
      resourceMessage = editMessage(context, liveMessage(context, interaction.sourceMessageId), data, request.files);
      interaction.originalMessageId = resourceMessage.id;
      break;
    default:
      break;
  }

  interaction.callback = { type, data, at: context.clock.now() };
  context.state.changed();

  if (request.query.get('with_response') !== 'true') {
    return { status: 204 };
  }
  return {
    status: 200,
    body: {
      interaction: {
        id: interaction.id,
        type: interaction.type,
        response_message_id: resourceMessage?.id,
        response_message_loading: type === InteractionResponseType.DeferredChannelMessageWithSource,
        response_message_ephemeral: resourceMessage?.ephemeral ?? false,
      },
      resource: {
        type,
        ...(resourceMessage && type !== InteractionResponseType.DeferredChannelMessageWithSource
          ? { message: renderMessage(context, resourceMessage) }
          : {}),
      },
    },
  };
}

function createInteractionMessage(
  context: FakeContext,
  interaction: StoredInteraction,
  data: Record<string, any>,
  request: RestRequest,
  options: { ephemeral: boolean; loading?: boolean },
): StoredMessage {
  return createMessage(context, interaction.channelId, context.botUser, data, request.files, {
    interactionId: interaction.id,
    ephemeral: options.ephemeral,
    loading: options.loading ?? false,
  });
}

/**
 * Finds the interaction behind a webhook URL and enforces the token rules: 15 minutes of life,
 * and invalid at once if the first response did not come within 3 s.
 */
function interactionForWebhook(context: FakeContext, request: RestRequest): StoredInteraction {
  if (request.params.application !== context.applicationId) {
    throw discordErrors.unknownWebhook();
  }
  const id = context.state.interactionByToken.get(request.params.token!);
  const interaction = id ? context.state.interactions.get(id) : undefined;
  if (!interaction) {
    throw discordErrors.unknownWebhook();
  }

  const age = context.clock.now() - interaction.dispatchedAt;
  if (age > INTERACTION_TOKEN_LIFETIME_MS) {
    throw discordErrors.invalidWebhookToken();
  }
  if (!interaction.callback && age > INTERACTION_RESPONSE_WINDOW_MS) {
    throw discordErrors.invalidWebhookToken();
  }
  return interaction;
}

function webhookMessage(context: FakeContext, interaction: StoredInteraction, messageId: string): StoredMessage {
  if (messageId === '@original') {
    return liveMessage(context, interaction.originalMessageId);
  }
  if (!interaction.followupIds.includes(messageId) && interaction.originalMessageId !== messageId) {
    throw discordErrors.unknownMessage();
  }
  return liveMessage(context, messageId);
}

/** GET /webhooks/{application}/{token}/messages/{message | @original} */
export function handleGetWebhookMessage(context: FakeContext, request: RestRequest): RestResult {
  const interaction = interactionForWebhook(context, request);
  return { status: 200, body: renderMessage(context, webhookMessage(context, interaction, request.params.message!)) };
}

/** PATCH /webhooks/{application}/{token}/messages/{message | @original}; counts toward the edit limit. */
export function handleEditWebhookMessage(context: FakeContext, request: RestRequest): RestResult {
  const interaction = interactionForWebhook(context, request);
  const message = webhookMessage(context, interaction, request.params.message!);

  takeEditSlot(context, message.channelId);
  editMessage(context, message, request.body ?? {}, request.files);
  if (message.id === interaction.originalMessageId) {
    interaction.originalEdits.push(request.body);
  }
  context.state.changed();
  return { status: 200, body: renderMessage(context, message) };
}

/** DELETE /webhooks/{application}/{token}/messages/{message | @original} */
export function handleDeleteWebhookMessage(context: FakeContext, request: RestRequest): RestResult {
  const interaction = interactionForWebhook(context, request);
  deleteMessage(context, webhookMessage(context, interaction, request.params.message!));
  return { status: 204 };
}

/**
 * POST /webhooks/{application}/{token}: a followup message. Right after a deferred reply it edits
 * the "thinking" message instead, the deprecated behaviour Discord documents for this endpoint.
 */
export function handleCreateFollowup(context: FakeContext, request: RestRequest): RestResult {
  const interaction = interactionForWebhook(context, request);
  if (!interaction.callback) {
    throw discordErrors.unknownWebhook();
  }

  const original = interaction.originalMessageId ? context.state.messages.get(interaction.originalMessageId) : undefined;
  if (original && !original.deleted && (original.flags & MessageFlags.Loading) !== 0) {
    editMessage(context, original, request.body ?? {}, request.files);
    interaction.originalEdits.push(request.body);
    return { status: 200, body: renderMessage(context, original) };
  }

  const ephemeral = ((request.body?.flags ?? 0) & MessageFlags.Ephemeral) !== 0;
  const message = createInteractionMessage(context, interaction, request.body ?? {}, request, { ephemeral });
  interaction.followupIds.push(message.id);
  context.state.changed();
  return { status: 200, body: renderMessage(context, message) };
}
