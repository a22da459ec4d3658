import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { utcDate } from '../db/values.js';
import type { Engine } from '../router/types.js';

export interface DailyUsage {
  totalChat: number;
  cloud: number;
  local: number;
  image: number;
}

export async function readDailyUsage(db: Kysely<Database>, userId: number, date = utcDate()): Promise<DailyUsage> {
  const row = await db
    .selectFrom('usage_counters')
    .select(['total_chat_count', 'groq_count', 'local_count', 'image_count'])
    .where('user_id', '=', userId)
    .where('usage_date', '=', date)
    .executeTakeFirst();
  return {
    totalChat: row?.total_chat_count ?? 0,
    cloud: row?.groq_count ?? 0,
    local: row?.local_count ?? 0,
    image: row?.image_count ?? 0,
  };
}

/**
 * Counts one answered chat message in one atomic upsert. `engine` is the engine that
 * answered, or null for a cache hit, which counts as a chat but not as a model call.
 */
export async function countAnsweredChat(
  db: Kysely<Database>,
  userId: number,
  engine: Engine | null,
  date = utcDate(),
): Promise<void> {
  const cloud = engine === 'cloud' ? 1 : 0;
  const local = engine === 'local' ? 1 : 0;
  await db
    .insertInto('usage_counters')
    .values({ user_id: userId, usage_date: date, total_chat_count: 1, groq_count: cloud, local_count: local })
    .onConflict((conflict) =>
      conflict.columns(['user_id', 'usage_date']).doUpdateSet({
        total_chat_count: sql`total_chat_count + 1`,
        groq_count: sql`groq_count + ${cloud}`,
        local_count: sql`local_count + ${local}`,
      }),
    )
    .execute();
}

export async function countGeneratedImage(db: Kysely<Database>, userId: number, date = utcDate()): Promise<void> {
  await db
    .insertInto('usage_counters')
    .values({ user_id: userId, usage_date: date, image_count: 1 })
    .onConflict((conflict) =>
      conflict.columns(['user_id', 'usage_date']).doUpdateSet({ image_count: sql`image_count + 1` }),
    )
    .execute();
}

/** Counts that one reply added to a day's counters, to be taken back when it reached no one. */
export interface UsageRefund {
  chat: number;
  cloud: number;
  local: number;
  image: number;
}

/**
 * Takes back counts of a reply that was never delivered, in one atomic update that never
 * goes below zero. A user should not spend a daily allowance on a reply they never saw.
 */
export async function refundUsage(db: Kysely<Database>, userId: number, date: string, refund: UsageRefund): Promise<void> {
  await db
    .updateTable('usage_counters')
    .set({
      total_chat_count: sql`max(total_chat_count - ${refund.chat}, 0)`,
      groq_count: sql`max(groq_count - ${refund.cloud}, 0)`,
      local_count: sql`max(local_count - ${refund.local}, 0)`,
      image_count: sql`max(image_count - ${refund.image}, 0)`,
    })
    .where('user_id', '=', userId)
    .where('usage_date', '=', date)
    .execute();
}

/**
 * Sliding one-minute window of message times per user, kept in memory: the per-minute
 * limit guards against bursts, so losing it on restart costs nothing.
 */
export class PerMinuteLimiter {
  #hits = new Map<number, number[]>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Records a message when the user is under `limit` (0 = no limit) and returns 0; otherwise
   * returns the seconds until the oldest message leaves the window.
   */
  tryAcquire(userId: number, limit: number): number {
    if (limit <= 0) return 0;
    const now = this.now();
    const windowStart = now - 60_000;
    const recent = (this.#hits.get(userId) ?? []).filter((time) => time > windowStart);
    if (recent.length >= limit) {
      this.#hits.set(userId, recent);
      return Math.max(1, Math.ceil(((recent[0] ?? now) - windowStart) / 1000));
    }
    recent.push(now);
    this.#hits.set(userId, recent);
    return 0;
  }
}
