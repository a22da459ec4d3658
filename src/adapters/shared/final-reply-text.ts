import type { CommandServices } from '../../commands/types.js';
import { chooseLocale } from '../../engine/actor.js';
import type { Locale, PlatformUser, TurnOutcome } from '../../engine/types.js';
import { closeOpenCodeFence } from '../../render/code-fences.js';
import { readUserLocale } from './user-locale.js';

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
  if (outcome.kind === 'failed') return failureText(outcome.partialText, outcome.text);
  return outcome.text;
}

/**
 * Markdown of the localized `error.internal` notice for a message whose handling failed (a
 * database failure, for example), after the text streamed before the failure.
 */
export async function internalErrorText(services: CommandServices, user: PlatformUser, streamedText: string): Promise<string> {
  let locale: Locale;
  try {
    locale = await readUserLocale(services, user);
  } catch {
    // The database may be what failed, and the platform's language still applies.
    locale = chooseLocale(services.settings, user.languageCode, []);
  }
  return failureText(streamedText, services.texts.t(locale, 'error.internal'));
}

/** Returns the notice alone, or the partial text with its open code block closed and the notice after it. */
function failureText(partialText: string, notice: string): string {
  return partialText.trim() === '' ? notice : `${closeOpenCodeFence(partialText)}\n\n⚠️ _${notice}_`;
}
