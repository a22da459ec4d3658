import type { TurnOutcome } from '../../engine/types.js';
import { closeOpenCodeFence } from '../../render/code-fences.js';

/**
 * Markdown of the final reply to a chat message: the answer with its notices in italics, or
 * the refusal or error. When a stream was cut before every model failed, the text it had
 * written stays and the error follows it as a notice. A code block the text leaves open is
 * closed first, so the notice shows as text, not as code.
 */
export function finalReplyText(outcome: Exclude<TurnOutcome, { kind: 'delivered' }>): string {
  if (outcome.kind === 'answer') {
    return outcome.notices.length > 0 ? `${closeOpenCodeFence(outcome.text)}\n\n_${outcome.notices.join(' ')}_` : outcome.text;
  }
  if (outcome.kind === 'failed' && outcome.partialText.trim() !== '') return `${closeOpenCodeFence(outcome.partialText)}\n\n⚠️ _${outcome.text}_`;
  return outcome.text;
}
