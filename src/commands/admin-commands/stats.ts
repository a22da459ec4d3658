import { sql } from 'kysely';
import { z } from 'zod';
import { utcDate } from '../../db/values.js';
import type { CommandDefinition } from '../types.js';

const noOptions = z.object({});

/**
 * `/stats`: users in total and active today, today's replies by engine from
 * `messages.extra_metadata` (cache hits apart), and all likes and dislikes. "Today" is the
 * current UTC day, the same day `usage_counters` counts.
 */
export const statsCommand: CommandDefinition<typeof noOptions> = {
  name: 'stats',
  nameTr: 'istatistik',
  usage: '/stats',
  adminOnly: true,
  schema: noOptions,
  parse: () => ({}),
  async handle(context) {
    const { db } = context.services;
    const today = utcDate();
    const tomorrow = utcDate(new Date(Date.parse(`${today}T00:00:00.000Z`) + 24 * 60 * 60 * 1000));

    const users = await db
      .selectFrom('users')
      .select((eb) => [
        eb.fn.countAll<number>().as('total'),
        eb.fn.sum<number>(sql`case when last_seen_at >= ${today} then 1 else 0 end`).as('activeToday'),
      ])
      .executeTakeFirstOrThrow();

    // Timestamps are ISO-8601 text, so a day is the half-open text range [today, tomorrow).
    const replies = await db
      .selectFrom('messages')
      .select((eb) => [
        eb.fn.sum<number>(sql`case when json_extract(extra_metadata, '$.cached') = 1 then 1 else 0 end`).as('cached'),
        eb.fn
          .sum<number>(sql`case when coalesce(json_extract(extra_metadata, '$.cached'), 0) = 0 and json_extract(extra_metadata, '$.engine') = 'cloud' then 1 else 0 end`)
          .as('cloud'),
        eb.fn
          .sum<number>(sql`case when coalesce(json_extract(extra_metadata, '$.cached'), 0) = 0 and json_extract(extra_metadata, '$.engine') = 'local' then 1 else 0 end`)
          .as('local'),
        eb.fn.sum<number>(sql`case when json_extract(extra_metadata, '$.status') = 'failed' then 1 else 0 end`).as('failed'),
      ])
      .where('role', '=', 'assistant')
      .where('created_at', '>=', today)
      .where('created_at', '<', tomorrow)
      .executeTakeFirstOrThrow();

    const userMessages = await db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('role', '=', 'user')
      .where('created_at', '>=', today)
      .where('created_at', '<', tomorrow)
      .executeTakeFirstOrThrow();

    const feedback = await db
      .selectFrom('feedback')
      .select((eb) => [
        eb.fn.sum<number>(sql`case when feedback_type = 'like' then 1 else 0 end`).as('likes'),
        eb.fn.sum<number>(sql`case when feedback_type = 'dislike' then 1 else 0 end`).as('dislikes'),
      ])
      .executeTakeFirstOrThrow();

    const lines = [
      context.t('stats.users', { total: Number(users.total), active: Number(users.activeToday ?? 0) }),
      context.t('stats.messages_today', { count: Number(userMessages.count) }),
      context.t('stats.replies_today', {
        cloud: Number(replies.cloud ?? 0),
        local: Number(replies.local ?? 0),
        cached: Number(replies.cached ?? 0),
        failed: Number(replies.failed ?? 0),
      }),
      context.t('stats.feedback', { likes: Number(feedback.likes ?? 0), dislikes: Number(feedback.dislikes ?? 0) }),
    ];
    return {
      title: context.t('command.stats.description'),
      text: [context.t('stats.header', { date: today }), '', ...lines.map((line) => `• ${line}`)].join('\n'),
    };
  },
};
