import { z } from 'zod';
import { escapeMarkdown } from '../../engine/markdown-escape.js';
import type { CommandDefinition } from '../types.js';

/** Conversations `/history` lists, newest first. */
export const HISTORY_LENGTH = 10;

const noOptions = z.object({});

/**
 * `/history`: the user's most recent conversations by last activity, with title, the UTC date
 * of the last message and the message count. The user's active conversation in this chat is
 * marked. Conversations without messages, such as one `/new` started that was never written
 * to, are left out, so repeated `/new` commands do not push real conversations off the list.
 */
export const historyCommand: CommandDefinition<typeof noOptions> = {
  name: 'history',
  nameTr: 'gecmis',
  usage: '/history',
  schema: noOptions,
  parse: () => ({}),
  async handle(context) {
    const conversations = await context.services.db
      .selectFrom('conversations')
      .leftJoin('messages', 'messages.conversation_id', 'conversations.id')
      .select((eb) => [
        'conversations.id as id',
        'conversations.title as title',
        'conversations.updated_at as updatedAt',
        'conversations.is_active as isActive',
        'conversations.platform as platform',
        'conversations.chat_id as chatId',
        eb.fn.count<number>('messages.id').as('messageCount'),
      ])
      .where('conversations.user_id', '=', context.actor.user.id)
      .groupBy('conversations.id')
      .having((eb) => eb(eb.fn.count('messages.id'), '>', 0))
      .orderBy('conversations.updated_at', 'desc')
      .limit(HISTORY_LENGTH)
      .execute();
    if (conversations.length === 0) return { text: context.t('history.empty') };

    const lines = conversations.map((conversation, index) => {
      const title = conversation.title ? escapeMarkdown(conversation.title) : context.t('history.untitled');
      const current =
        conversation.isActive === 1 && conversation.platform === context.platform && conversation.chatId === context.chatId
          ? ` ${context.t('history.current_label')}`
          : '';
      const details = context.t('history.details', {
        date: conversation.updatedAt.slice(0, 10),
        count: Number(conversation.messageCount),
      });
      return `${index + 1}. **${title}**${current} – ${details}`;
    });

    return {
      title: context.t('command.history.description'),
      text: [context.t('history.header', { count: conversations.length }), '', ...lines].join('\n'),
    };
  },
};
