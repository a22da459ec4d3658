import { DiscordAPIError, type RepliableInteraction } from 'discord.js';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { deliverInteractionReply } from '../../../../src/adapters/discord/interaction-replies.js';
import { INTERACTION_TOKEN_LIFETIME_MS } from '../../../../src/adapters/discord/limits.js';
import type { OutgoingMessage, PostableChannel } from '../../../../src/adapters/discord/message-delivery.js';

const logger = pino({ level: 'silent' });
const CREATED_AT = 1_000_000;

interface Recorded {
  calls: string[];
  channelMessages: OutgoingMessage[];
}

function apiError(code: number, status: number): DiscordAPIError {
  return new DiscordAPIError({ code, message: 'failure' }, code, status, 'PATCH', 'http://127.0.0.1/api', { body: undefined, files: undefined });
}

/** Builds a stand-in interaction whose editReply and followUp fail with `failures` in call order. */
function stubInteraction(recorded: Recorded, failures: Array<unknown> = []): RepliableInteraction {
  let counter = 0;
  const respond = async (kind: string): Promise<{ id: string }> => {
    recorded.calls.push(kind);
    const failure = failures.shift();
    if (failure) throw failure;
    counter += 1;
    return { id: `${kind}-${counter}` };
  };
  return {
    id: 'interaction-1',
    createdTimestamp: CREATED_AT,
    editReply: () => respond('edit'),
    followUp: () => respond('followUp'),
  } as unknown as RepliableInteraction;
}

function stubChannel(recorded: Recorded): PostableChannel {
  return {
    id: 'channel-1',
    async send(message) {
      recorded.channelMessages.push(message as OutgoingMessage);
      return { id: `channel-${recorded.channelMessages.length}` };
    },
  };
}

const MESSAGES: OutgoingMessage[] = [{ content: 'one' }, { content: 'two' }, { content: 'three' }];

describe('deliverInteractionReply', () => {
  it('edits the deferred reply, then follows up', async () => {
    const recorded: Recorded = { calls: [], channelMessages: [] };

    const result = await deliverInteractionReply(stubInteraction(recorded), MESSAGES, {
      ephemeral: false,
      fallbackChannel: async () => stubChannel(recorded),
      logger,
      now: () => CREATED_AT + 1_000,
    });

    expect(recorded.calls).toEqual(['edit', 'followUp', 'followUp']);
    expect(result).toEqual({ messageIds: ['edit-1', 'followUp-2', 'followUp-3'] });
    expect(recorded.channelMessages).toEqual([]);
  });

  it('sends to the channel when the token is about to expire', async () => {
    const recorded: Recorded = { calls: [], channelMessages: [] };

    const result = await deliverInteractionReply(stubInteraction(recorded), MESSAGES, {
      ephemeral: false,
      fallbackChannel: async () => stubChannel(recorded),
      logger,
      now: () => CREATED_AT + INTERACTION_TOKEN_LIFETIME_MS,
    });

    expect(recorded.calls).toEqual([]);
    expect(recorded.channelMessages.map((message) => message.content)).toEqual(['one', 'two', 'three']);
    expect(result.messageIds).toEqual(['channel-1', 'channel-2', 'channel-3']);
  });

  it('continues in the channel after 50027', async () => {
    const recorded: Recorded = { calls: [], channelMessages: [] };

    const result = await deliverInteractionReply(stubInteraction(recorded, [undefined, apiError(50027, 401)]), MESSAGES, {
      ephemeral: false,
      fallbackChannel: async () => stubChannel(recorded),
      logger,
      now: () => CREATED_AT,
    });

    expect(recorded.calls).toEqual(['edit', 'followUp']);
    expect(recorded.channelMessages.map((message) => message.content)).toEqual(['two', 'three']);
    expect(result.messageIds).toEqual(['edit-1', 'channel-1', 'channel-2']);
    expect(result.error).toBeUndefined();
  });

  it('stops at another error and returns it', async () => {
    const recorded: Recorded = { calls: [], channelMessages: [] };
    const failure = apiError(50035, 400);

    const result = await deliverInteractionReply(stubInteraction(recorded, [failure]), MESSAGES, {
      ephemeral: false,
      fallbackChannel: async () => stubChannel(recorded),
      logger,
      now: () => CREATED_AT,
    });

    expect(result.error).toBe(failure);
    expect(result.messageIds).toEqual([]);
    expect(recorded.calls).toEqual(['edit']);
  });
});
