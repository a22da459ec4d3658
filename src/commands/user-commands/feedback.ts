import { z } from 'zod';

import { FEEDBACK_TYPES, recordFeedback } from '../../engine/feedback.js';
import type { CommandDefinition, ReplyButton } from '../types.js';

/** Labels of the vote buttons; emoji read the same in every locale. */
export const LIKE_LABEL = '👍';
export const DISLIKE_LABEL = '👎';

/**
 * Builds the 👍/👎 button row that adapters put under a stored reply. Each button runs the
 * hidden `/vote` command with the reply's `messages.id`.
 */
export function feedbackButtons(replyMessageId: number): ReplyButton[][] {
  return [
    [
      { label: LIKE_LABEL, command: `/vote like ${replyMessageId}` },
      { label: DISLIKE_LABEL, command: `/vote dislike ${replyMessageId}` },
    ],
  ];
}

const voteOptions = z.object({
  type: z.enum(FEEDBACK_TYPES),
  replyMessageId: z.coerce.number().int().positive(),
});

/**
 * `/vote like|dislike MESSAGE_ID`: records a vote on a reply. Hidden from the command menus,
 * because the feedback buttons send it.
 */
export const voteCommand: CommandDefinition<typeof voteOptions> = {
  name: 'vote',
  nameTr: 'oy',
  usage: '/vote like|dislike MESSAGE_ID',
  hidden: true,
  schema: voteOptions,
  parse(argumentText) {
    const [type, id] = argumentText.trim().split(/\s+/);
    return { type: type?.toLowerCase(), replyMessageId: id };
  },
  async handle(context) {
    const userId = context.actor.user.id;
    const { type, replyMessageId } = context.options;
    const result = await recordFeedback(context.services.db, { userId, replyMessageId, type });
    if (result.kind === 'not_found') {
      context.services.logger.warn({ userId, replyMessageId }, 'vote on a message that is not a reply of this user');
      return { text: context.t('feedback.not_found'), isError: true };
    }

    context.services.logger.info({ userId, replyMessageId, type, changed: result.changed }, 'feedback recorded');
    return { text: context.t('feedback.thanks') };
  },
};
