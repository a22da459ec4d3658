import { sql, type Kysely, type RawBuilder } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../db/schema.js';
import { utcDate } from '../../db/values.js';
import { escapeMarkdown } from '../../engine/markdown-escape.js';
import type { CommandContext, CommandDefinition } from '../types.js';

const noOptions = z.object({});

/**
 * `/stats`: users in total and active today, today's replies by engine from
 * `messages.extra_metadata` (cache hits apart), and all likes and dislikes, in total and per
 * persona and model of the reply voted on. "Today" is the current UTC day, the same day
 * `usage_counters` counts.
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
    const byPersona = await feedbackBreakdown(db, sql`json_extract(messages.extra_metadata, '$.persona')`);
    // Image replies record the image configuration instead of a chat model.
    const byModel = await feedbackBreakdown(
      db,
      sql`coalesce(json_extract(messages.extra_metadata, '$.model'), json_extract(messages.extra_metadata, '$.image_config'))`,
    );

    return {
      title: context.t('command.stats.description'),
      text: [
        context.t('stats.header', { date: today }),
        '',
        ...lines.map((line) => `• ${line}`),
        ...breakdownLines(context, 'stats.feedback_by_persona', byPersona),
        ...breakdownLines(context, 'stats.feedback_by_model', byModel),
      ].join('\n'),
    };
  },
};

interface FeedbackGroup {
  /** Persona or model name, or null when the reply's metadata has none (cache hits, failed replies). */
  name: string | null;
  likes: number;
  dislikes: number;
}

/**
 * Counts likes and dislikes grouped by a value of the voted reply's `extra_metadata`. Votes
 * stored before `feedback.message_id` existed have no reply to read and are left out.
 */
async function feedbackBreakdown(db: Kysely<Database>, group: RawBuilder<unknown>): Promise<FeedbackGroup[]> {
  const rows = await db
    .selectFrom('feedback')
    .innerJoin('messages', 'messages.id', 'feedback.message_id')
    .select((eb) => [
      group.as('name'),
      eb.fn.sum<number>(sql`case when feedback.feedback_type = 'like' then 1 else 0 end`).as('likes'),
      eb.fn.sum<number>(sql`case when feedback.feedback_type = 'dislike' then 1 else 0 end`).as('dislikes'),
    ])
    .groupBy(group)
    .orderBy(group)
    .execute();
  return rows.map((row) => ({
    name: typeof row.name === 'string' && row.name !== '' ? row.name : null,
    likes: Number(row.likes ?? 0),
    dislikes: Number(row.dislikes ?? 0),
  }));
}

function breakdownLines(context: CommandContext<unknown>, headerKey: string, groups: readonly FeedbackGroup[]): string[] {
  if (groups.length === 0) return [];
  const unknown = context.t('stats.unknown_label');
  return [
    '',
    context.t(headerKey),
    ...groups.map(
      (group) =>
        `  ◦ ${context.t('stats.feedback_line', { name: group.name === null ? unknown : escapeMarkdown(group.name), likes: group.likes, dislikes: group.dislikes })}`,
    ),
  ];
}
