import type { Kysely } from 'kysely';
import type { Logger } from 'pino';

import type { Database } from '../db/schema.js';
import type { ModelRouter, RouterAccess } from '../router/types.js';
import { setPreference } from './preferences.js';
import type { PreferenceEntry } from './prompt-builder.js';
import type { Locale } from './types.js';

/**
 * Keys a model may infer, with the category each is stored in. A fixed list keeps inferred
 * rows few and predictable: every active preference goes into each system prompt, and
 * `locale` and other `system` keys belong to the bot.
 */
export const INFERABLE_PREFERENCE_KEYS: Readonly<Record<string, 'style' | 'behavior' | 'personal'>> = {
  tone: 'style',
  verbosity: 'style',
  emoji_usage: 'style',
  humor: 'style',
  formality: 'style',
  answer_format: 'behavior',
  expertise_level: 'behavior',
  name: 'personal',
  occupation: 'personal',
  interests: 'personal',
};

/** Maximum length of an inferred value in characters; longer values are dropped, not cut. */
export const INFERRED_VALUE_MAX_LENGTH = 100;

/** Maximum number of preferences stored from one message. */
export const MAX_INFERRED_PER_MESSAGE = 5;

/** Completion budget for the JSON answer, which is a few short key/value pairs. */
const INFERENCE_MAX_TOKENS = 300;

export interface InferPreferencesInput {
  db: Kysely<Database>;
  router: ModelRouter;
  logger: Logger;
  userId: number;
  /** The user's last message. */
  userText: string;
  locale: Locale;
  /** Model access of the user; the default never routes to the local model. */
  access?: RouterAccess;
  /** Model purpose to route by; `summary` by default, a small and cheap model. */
  purpose?: string;
  /** Aborts the model call, and stops any write not yet made (`/forget_me` uses it). */
  signal?: AbortSignal;
}

/**
 * Asks a model for preferences the user states about themselves or about how they want
 * answers in their last message, and stores them with source `inferred` through
 * `setPreference`, which never replaces an explicit preference. Returns the entries stored.
 * Failures of the model call and answers that are not the expected JSON are logged and
 * return an empty list, so a caller can run this after a turn without guarding it.
 */
export async function inferPreferences(input: InferPreferencesInput): Promise<PreferenceEntry[]> {
  const log = input.logger.child({ component: 'preference-inference', userId: input.userId });
  const text = input.userText.trim();
  if (text === '') return [];

  let answer: string;
  try {
    const result = await input.router.complete({
      purpose: input.purpose ?? 'summary',
      messages: [
        { role: 'system', content: inferenceInstruction(input.locale) },
        { role: 'user', content: text },
      ],
      access: input.access ?? { canUseLocal: false, censorshipLevel: 1 },
      temperature: 0,
      maxTokens: INFERENCE_MAX_TOKENS,
      logContext: { userId: input.userId, task: 'preference-inference' },
      // No user waits for this request, so it must not use up the request limit chat turns need.
      background: true,
      ...(input.signal ? { signal: input.signal } : {}),
    });
    answer = result.text;
  } catch (error) {
    if (input.signal?.aborted) {
      log.info('preference inference cancelled; nothing stored');
      return [];
    }
    log.warn({ err: error }, 'preference inference call failed; nothing stored');
    return [];
  }

  const candidates = parseInferredPreferences(answer);
  if (candidates === undefined) {
    log.warn({ answerLength: answer.length }, 'preference inference answer is not the expected JSON; nothing stored');
    return [];
  }

  const stored: PreferenceEntry[] = [];
  for (const candidate of candidates.slice(0, MAX_INFERRED_PER_MESSAGE)) {
    if (input.signal?.aborted) break;
    const entry = { ...candidate, source: 'inferred' as const };
    if (await setPreference(input.db, input.userId, entry)) stored.push(entry);
  }
  if (stored.length > 0) log.info({ keys: stored.map((entry) => entry.key) }, 'preferences inferred');
  return stored;
}

/**
 * Reads `{"preferences": [{"key": ..., "value": ...}]}` from a model answer, tolerating a
 * Markdown code fence around it. Entries with an unknown key, a non-text value, or a value
 * that is empty or too long are dropped. Returns undefined when the answer is not that JSON.
 */
export function parseInferredPreferences(answer: string): Array<{ key: string; value: string; category: string }> | undefined {
  const json = answer.replace(/^\s*```(?:json)?\s*/i, '').replace(/\s*```\s*$/, '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray((parsed as { preferences?: unknown }).preferences)) {
    return undefined;
  }

  const entries: Array<{ key: string; value: string; category: string }> = [];
  for (const item of (parsed as { preferences: unknown[] }).preferences) {
    if (typeof item !== 'object' || item === null) continue;
    const { key, value } = item as { key?: unknown; value?: unknown };
    if (typeof key !== 'string' || typeof value !== 'string') continue;

    const category = Object.hasOwn(INFERABLE_PREFERENCE_KEYS, key) ? INFERABLE_PREFERENCE_KEYS[key] : undefined;
    const cleaned = value.replace(/\s+/g, ' ').trim();
    if (!category || cleaned === '' || cleaned.length > INFERRED_VALUE_MAX_LENGTH) continue;
    if (entries.some((entry) => entry.key === key)) continue;
    entries.push({ key, value: cleaned, category });
  }
  return entries;
}

function inferenceInstruction(locale: Locale): string {
  const keys = Object.keys(INFERABLE_PREFERENCE_KEYS).join(', ');
  return [
    'You extract user preferences from one chat message. Answer with JSON only, no other text, in exactly this form:',
    '{"preferences": [{"key": "<key>", "value": "<short value>"}]}',
    `Allowed keys: ${keys}.`,
    'Include only what the user clearly states about themselves or about how they want answers (for example "call me Ayşe", "keep answers short", "no emojis please").',
    'Do not guess from the topic of the message. Questions, requests for content and one-off instructions are not preferences.',
    `Write values as short phrases, at most ${INFERRED_VALUE_MAX_LENGTH} characters, in the language of the message; the user's interface language is ${locale}.`,
    'If there is nothing to store, answer {"preferences": []}.',
  ].join('\n');
}
