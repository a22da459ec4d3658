import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type pino from 'pino';

import type { Database } from '../db/schema.js';
import { loadSummarySettings } from '../engine/history.js';
import type { SummarySettings } from '../engine/history.js';
import { AllModelsFailedError } from '../router/errors.js';
import type { ModelRouter } from '../router/types.js';
import { summarizeConversation, type SummaryWriteGuard } from './summarizer.js';

/**
 * Maximum conversations summarized per pass when the caller sets no `limit`. Each costs at
 * most one model request.
 */
export const DEFAULT_SUMMARY_PASS_LIMIT = 50;

export interface SummaryPassOptions {
  db: Kysely<Database>;
  router: ModelRouter;
  logger: pino.Logger;
  /** Maximum conversations handled in this pass; the rest wait for the next one. */
  limit?: number;
  /** Called around each summary write, e.g. the engine's cache of prompt contexts. */
  guard?: SummaryWriteGuard;
  /** Stops the pass: aborts the model request in progress and starts no further conversation. */
  signal?: AbortSignal;
}

export interface SummaryPassResult {
  /**
   * `completed`, `disabled` (settings turn summaries off), `already_running` (another pass owns
   * the database), `rate_limited` (the pass stopped because every model was rate limited) or
   * `aborted` (the pass stopped because `signal` aborted).
   */
  status: 'completed' | 'disabled' | 'already_running' | 'rate_limited' | 'aborted';
  /** Candidate conversations handled. */
  checked: number;
  updated: number;
  /** Conversations whose summary failed. Their stored summary is unchanged. */
  failed: number;
}

/** Databases with a pass in progress, so that an overlapping pass returns at once. */
const runningPasses = new WeakSet<Kysely<Database>>();

/**
 * Runs one summary pass: finds conversations whose summary is due and folds each of them
 * with `summarizeConversation`.
 *
 * A failure on one conversation is logged with its id and counted in `failed`, and the pass
 * goes on. When every model was rate limited, the pass stops with status `rate_limited` and the
 * rest wait for the next pass. Each further request would fail the same way, and against a
 * provider's 429 it would prolong the limit that chat turns also wait on. When `signal` aborts,
 * the pass stops with status `aborted` and the rest wait for the next pass. The conversation in
 * progress keeps its stored summary, because a summary and its `last_message_id` are written in
 * one statement or not at all. A pass that starts while another runs on the same `db` in this
 * process returns at once with status `already_running`.
 */
export async function runSummaryPass(options: SummaryPassOptions): Promise<SummaryPassResult> {
  const { db, router, logger } = options;
  const limit = options.limit ?? DEFAULT_SUMMARY_PASS_LIMIT;

  if (runningPasses.has(db)) {
    logger.info('summary pass skipped: another pass is still running');
    return { status: 'already_running', checked: 0, updated: 0, failed: 0 };
  }

  runningPasses.add(db);
  try {
    const settings = await loadSummarySettings(db);
    if (!settings.enabled) {
      logger.debug('summary pass skipped: summaries are disabled in conversation_summary_settings');
      return { status: 'disabled', checked: 0, updated: 0, failed: 0 };
    }

    const conversationIds = await findDueConversations(db, settings, limit);
    logger.info({ candidates: conversationIds.length, limit }, 'summary pass started');

    let checked = 0;
    let updated = 0;
    let failed = 0;
    let rateLimited = false;
    let aborted = false;
    for (const [index, conversationId] of conversationIds.entries()) {
      if (options.signal?.aborted) {
        aborted = true;
        logAbort(logger, undefined, conversationIds.slice(index));
        break;
      }
      checked += 1;
      try {
        const outcome = await summarizeConversation({
          db,
          router,
          logger,
          conversationId,
          settings,
          guard: options.guard,
          signal: options.signal,
        });
        if (outcome === 'updated') {
          updated += 1;
        } else if (outcome === 'aborted') {
          aborted = true;
          logAbort(logger, conversationId, conversationIds.slice(index + 1));
          break;
        }
      } catch (error) {
        if (options.signal?.aborted) {
          // A CompletionAbortedError from the router, or a database error once the bot closed it.
          aborted = true;
          logAbort(logger, conversationId, conversationIds.slice(index + 1), error);
          break;
        }
        failed += 1;
        logger.error({ err: error, conversationId }, 'conversation summary failed');
        if (isRateLimited(error)) {
          rateLimited = true;
          logger.warn({ remaining: conversationIds.length - checked }, 'summary pass stopped: every model is rate limited');
          break;
        }
      }
    }

    let status: SummaryPassResult['status'] = 'completed';
    if (aborted) {
      status = 'aborted';
    } else if (rateLimited) {
      status = 'rate_limited';
    }
    const result: SummaryPassResult = {
      status,
      checked,
      updated,
      failed,
    };
    logger.info(result, 'summary pass finished');
    return result;
  } finally {
    runningPasses.delete(db);
  }
}

/**
 * Logs an aborted pass with the conversation it interrupted (undefined when it stopped between
 * two) and the due conversations it did not reach.
 */
function logAbort(
  logger: pino.Logger,
  conversationId: string | undefined,
  remainingConversationIds: string[],
  error?: unknown,
): void {
  logger.warn(
    { conversationId, remainingConversationIds, ...(error === undefined ? {} : { err: error }) },
    'summary pass aborted',
  );
}

/** True when every model tried was rate limited, by the provider (429) or by `api_configs.rate_limit`. */
function isRateLimited(error: unknown): boolean {
  return (
    error instanceof AllModelsFailedError &&
    error.attempts.length > 0 &&
    error.attempts.every((attempt) => attempt.errorKind === 'rate_limited' || attempt.errorKind === 'rate_limited_local')
  );
}

/**
 * Returns ids of conversations whose summary is due under the rule of `countMessagesToFold`,
 * most recently active first. Only messages after each summary's `last_message_id` are
 * counted, and the `(conversation_id, id)` index turns each count into a range scan, so a
 * pass does not reread summarized history.
 */
async function findDueConversations(
  db: Kysely<Database>,
  settings: Pick<SummarySettings, 'firstThreshold' | 'updateStep'>,
  limit: number,
): Promise<string[]> {
  // Same thresholds as countMessagesToFold: without a summary, at least `firstThreshold`
  // messages and at least one beyond the kept step. With one, a full step beyond the kept step.
  const firstMinimum = Math.max(settings.firstThreshold, settings.updateStep + 1);
  const updateMinimum = 2 * settings.updateStep;

  const rows = await db
    .selectFrom('conversations as c')
    .leftJoin('conversation_summaries as s', 's.conversation_id', 'c.id')
    .innerJoin('messages as m', (join) =>
      join
        .onRef('m.conversation_id', '=', 'c.id')
        .on(sql<boolean>`m.id > coalesce(s.last_message_id, 0)`),
    )
    .select(['c.id', 'c.updated_at'])
    .groupBy(['c.id', 'c.updated_at', 's.conversation_id'])
    .having((eb) =>
      eb.or([
        eb.and([
          eb('s.conversation_id', 'is', null),
          eb(eb.fn.countAll(), '>=', firstMinimum),
        ]),
        eb.and([
          eb('s.conversation_id', 'is not', null),
          eb(eb.fn.countAll(), '>=', updateMinimum),
        ]),
      ]),
    )
    .orderBy('c.updated_at', 'desc')
    .limit(Math.max(0, Math.floor(limit)))
    .execute();

  return rows.map((row) => row.id);
}
