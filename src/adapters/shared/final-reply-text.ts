import type { TurnOutcome } from '../../engine/types.js';

/**
 * Markdown of the final reply to a chat message: the answer with its notices in italics, or
 * the refusal or error. When a stream was cut before every model failed, the text it had
 * written stays and the error follows it as a notice.
 */
export function finalReplyText(outcome: Exclude<TurnOutcome, { kind: 'delivered' }>): string {
  if (outcome.kind === 'answer') {
    return outcome.notices.length > 0 ? `${outcome.text}\n\n_${outcome.notices.join(' ')}_` : outcome.text;
  }
  if (outcome.kind === 'failed' && outcome.partialText.trim() !== '') return `${outcome.partialText}\n\n⚠️ _${outcome.text}_`;
  return outcome.text;
}
