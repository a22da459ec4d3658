import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/values.js';
import { lowerCaseFor } from '../i18n/locale.js';
import type { Engine } from '../router/types.js';
import type { PreferenceEntry } from './prompt-builder.js';
import type { Locale } from './types.js';

/**
 * Normalizes a question for the cache key: Unicode NFKC, lower-cased with the locale's
 * rules (Turkish `I` → `ı`), white space collapsed, trailing punctuation ignored.
 */
export function normalizeQuestion(question: string, locale: Locale): string {
  const folded = lowerCaseFor(question.normalize('NFKC'), locale);
  return folded.replace(/\s+/g, ' ').trim().replace(/[\s?!.。？！]+$/u, '');
}

export interface CacheKeyParts {
  question: string;
  locale: Locale;
  /** The user's `selected_model` value, `auto` included, not the model that answered. */
  selectedModel: string;
  persona: string;
  presetId: number | null;
  /** The UTC date (`YYYY-MM-DD`) that the system prompt states, so an answer is reused only on the day it was given. */
  date: string;
  /**
   * The user's stored preferences. They shape the system prompt (tone, length, the name to
   * use), so an answer given under other preferences is not reused.
   */
  preferences?: ReadonlyArray<Pick<PreferenceEntry, 'key' | 'value'>>;
}

/** Orders `[key, value]` pairs by key, by UTF-16 code units, so the order does not depend on the locale. */
function byKey(leftPair: readonly string[], rightPair: readonly string[]): number {
  const left = leftPair[0] ?? '';
  const right = rightPair[0] ?? '';
  if (left < right) return -1;
  if (left > right) return 1;
  return 0;
}

export function answerCacheKey(parts: CacheKeyParts): string {
  // `locale` is a key part of its own. Sorting makes the key independent of row order.
  const preferences = (parts.preferences ?? [])
    .filter((preference) => preference.key !== 'locale')
    .map((preference) => [preference.key, preference.value])
    .sort(byKey);
  const material = JSON.stringify([
    normalizeQuestion(parts.question, parts.locale),
    parts.selectedModel,
    parts.persona,
    parts.presetId,
    parts.locale,
    parts.date,
    ...(preferences.length > 0 ? [preferences] : []),
  ]);
  return createHash('sha256').update(material).digest('hex');
}

export interface CachedAnswer {
  answer: string;
  engine: string;
}

/**
 * Returns the user's unexpired answer for `cacheKey` when an engine in `usableEngines` produced
 * it, so an answer from the local model is not served to a user who has lost local access.
 */
export async function lookupAnswer(
  db: Kysely<Database>,
  userId: number,
  cacheKey: string,
  usableEngines: readonly Engine[],
  now = new Date(),
): Promise<CachedAnswer | undefined> {
  if (usableEngines.length === 0) return undefined;
  return db
    .selectFrom('answer_cache')
    .select(['answer', 'engine'])
    .where('user_id', '=', userId)
    .where('cache_key', '=', cacheKey)
    .where('engine', 'in', usableEngines)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', nowIso(now))]))
    .executeTakeFirst();
}

export interface AnswerEntry {
  userId: number;
  cacheKey: string;
  question: string;
  answer: string;
  engine: Engine;
  /** Hours the answer stays valid, or 0 for no limit. */
  ttlHours: number;
  /**
   * The end of the UTC day that `CacheKeyParts.date` names. No lookup finds the row after it,
   * so the row expires then at the latest and the sweep of expired rows deletes it.
   */
  validUntil?: Date;
}

export async function storeAnswer(db: Kysely<Database>, entry: AnswerEntry, now = new Date()): Promise<void> {
  const ttlEnd = entry.ttlHours > 0 ? now.getTime() + entry.ttlHours * 3_600_000 : Number.POSITIVE_INFINITY;
  const end = Math.min(ttlEnd, entry.validUntil?.getTime() ?? Number.POSITIVE_INFINITY);
  const expiresAt = Number.isFinite(end) ? nowIso(new Date(end)) : null;
  await db
    .insertInto('answer_cache')
    .values({
      user_id: entry.userId,
      cache_key: entry.cacheKey,
      question: entry.question,
      answer: entry.answer,
      engine: entry.engine,
      created_at: nowIso(now),
      expires_at: expiresAt,
    })
    .onConflict((conflict) =>
      conflict.columns(['user_id', 'cache_key']).doUpdateSet({
        answer: entry.answer,
        engine: entry.engine,
        question: entry.question,
        created_at: nowIso(now),
        expires_at: expiresAt,
      }),
    )
    .execute();
}
