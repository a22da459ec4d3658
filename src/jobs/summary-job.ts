import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type pino from 'pino';

import type { Database } from '../db/schema.js';
import { loadSummarySettings } from '../engine/history.js';
import type { SummarySettings } from '../engine/history.js';
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
}

export interface SummaryPassResult {
  /** `completed`, `disabled` (settings turn summaries off) or `already_running` (another pass owns the database). */
  status: 'completed' | 'disabled' | 'already_running';
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
 * goes on. A pass that starts while another runs on the same `db` in this process returns at
 * once with status `already_running`.
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

    let updated = 0;
    let failed = 0;
    for (const conversationId of conversationIds) {
      try {
        const outcome = await summarizeConversation({
          db,
          router,
          logger,
          conversationId,
          settings,
          guard: options.guard,
        });
        if (outcome === 'updated') {
          updated += 1;
        }
      } catch (error) {
        failed += 1;
        logger.error({ err: error, conversationId }, 'conversation summary failed');
      }
    }

    const result: SummaryPassResult = {
      status: 'completed',
      checked: conversationIds.length,
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
