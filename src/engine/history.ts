import { sql, type RawBuilder } from 'kysely';
import type { Kysely } from 'kysely';

import type { Database } from '../db/schema.js';
import { fromBool } from '../db/values.js';

/** `conversation_summary_settings` row 1, with whole-word names and booleans. */
export interface SummarySettings {
  enabled: boolean;
  /** Message count at which a conversation without a summary gets its first one. */
  firstThreshold: number;
  /** Number of newest messages kept out of the summary, and the size of each later fold. */
  updateStep: number;
  /** Maximum number of messages after the summary that go into a chat prompt. */
  maxMessages: number;
}

/** Values used when row 1 of `conversation_summary_settings` is missing. */
export const DEFAULT_SUMMARY_SETTINGS: Readonly<SummarySettings> = {
  enabled: true,
  firstThreshold: 12,
  updateStep: 10,
  maxMessages: 40,
};

export interface HistoryMessage {
  /** `messages.id`. */
  id: number;
  role: 'user' | 'assistant';
  content: string;
}

/** Stored conversation context for a chat prompt, placed after the system prompt. */
export interface PromptHistory {
  /** Rolling summary of the messages up to `conversation_summaries.last_message_id`, or null. */
  summary: string | null;
  /** Messages after the summary, oldest first, at most `maxMessages` of them. */
  messages: HistoryMessage[];
  /**
   * Rows returned by SQLite: the summary row (0 or 1) plus the message rows. Rows that SQLite
   * examined and filtered out (system rows, unfinished replies) are not counted. 0 when the
   * engine's context cache supplied the history.
   */
  rowsRead: number;
}

/**
 * Reads the summary settings, falling back to `DEFAULT_SUMMARY_SETTINGS` when the row is
 * missing. Counts below 1 are raised to 1, because a step or limit of 0 would make the
 * summary job fold nothing forever or the prompt carry no messages.
 */
export async function loadSummarySettings(db: Kysely<Database>): Promise<SummarySettings> {
  const row = await db
    .selectFrom('conversation_summary_settings')
    .selectAll()
    .where('id', '=', 1)
    .executeTakeFirst();

  if (row === undefined) {
    return { ...DEFAULT_SUMMARY_SETTINGS };
  }

  return {
    enabled: fromBool(row.summary_enabled),
    firstThreshold: Math.max(1, row.summary_first_threshold),
    updateStep: Math.max(1, row.summary_update_step),
    maxMessages: Math.max(1, row.summary_max_messages),
  };
}

/**
 * Loads the summary and the newest messages after it for a chat prompt.
 *
 * Only user messages and assistant replies whose `extra_metadata.status` is `complete` are
 * returned. System rows, and replies that were interrupted, failed or carry no status, never
 * go back to the model. The query walks the `(conversation_id, id)` index backwards with a
 * LIMIT, so the number of rows returned is at most `maxMessages + 1` however long the
 * conversation is.
 *
 * NOTE: an assistant row without `status` (for example one imported from a store that did not
 * record it) is treated as unfinished and left out. Backfill `status` to include such rows.
 */
export async function loadPromptHistory(
  db: Kysely<Database>,
  conversationId: string,
  settings: { maxMessages: number },
): Promise<PromptHistory> {
  const limit = Math.max(0, Math.floor(settings.maxMessages));

  // The summary row and the messages after it come from one statement, so they are one
  // consistent snapshot even while the summary job moves `last_message_id`. The summary row,
  // if any, is tagged with the role `summary`.
  const summaryQuery = db
    .selectFrom('conversation_summaries')
    .select((eb) => [eb.fn.coalesce('last_message_id', eb.lit(0)).as('id'), sql<string>`'summary'`.as('role'), 'summary as content'])
    .where('conversation_id', '=', conversationId);
  const summarizedUpTo = db
    .selectFrom('conversation_summaries')
    .select('last_message_id')
    .where('conversation_id', '=', conversationId);
  const recent = db
    .selectFrom('messages')
    .select(['id', 'role', 'content'])
    .where('conversation_id', '=', conversationId)
    .where('id', '>', (eb) => eb.fn.coalesce(summarizedUpTo, eb.lit(0)))
    .where((eb) => eb.or([eb('role', '=', 'user'), eb.and([eb('role', '=', 'assistant'), isCompleteReply()])]))
    // Image turns (`/imagine` and its caption) are not part of the chat.
    .where(isChatTurn())
    .orderBy('id', 'desc')
    .limit(limit)
    .as('recent');
  const rows = await summaryQuery.unionAll(db.selectFrom(recent).select(['id', 'role', 'content'])).execute();

  let summaryRow: { content: string } | undefined;
  const messages: HistoryMessage[] = [];
  for (const row of rows) {
    if (row.role === 'summary') summaryRow = row;
    else messages.push({ id: row.id, role: row.role === 'user' ? 'user' : 'assistant', content: row.content });
  }
  // The newest messages were taken first, and the prompt wants them oldest first.
  messages.sort((a, b) => a.id - b.id);

  return {
    summary: summaryRow === undefined || summaryRow.content === '' ? null : summaryRow.content,
    messages,
    rowsRead: rows.length,
  };
}

/**
 * SQL condition: the message is not part of an image turn, whose prompt (`kind` `image_prompt`)
 * and caption (`kind` `image`) stay out of the chat's context.
 */
export function isChatTurn(): RawBuilder<boolean> {
  return sql<boolean>`(CASE WHEN json_valid(extra_metadata)
    THEN coalesce(json_extract(extra_metadata, '$.kind') NOT IN ('image', 'image_prompt'), 1) ELSE 1 END)`;
}

/**
 * SQL condition: `messages.extra_metadata.status` is `complete`. `json_extract` raises an
 * error on malformed JSON, and CASE evaluates it only for valid text, so one bad row written
 * by hand counts as not complete instead of failing the whole query.
 */
export function isCompleteReply() {
  return sql<boolean>`(case when json_valid(extra_metadata) then json_extract(extra_metadata, '$.status') end) = 'complete'`;
}
