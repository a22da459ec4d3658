import { z } from 'zod';
import { utcDate } from '../../db/values.js';
import { canUseLocal, effectiveLimits, type LimitKey } from '../../engine/permissions.js';
import { readDailyUsage, type DailyUsage } from '../../engine/usage.js';
import type { CommandDefinition } from '../types.js';

const noOptions = z.object({});

/** Daily counter that each daily limit is checked against. */
const USAGE_BY_LIMIT: ReadonlyArray<{ limit: Exclude<LimitKey, 'per_minute'>; used: keyof DailyUsage }> = [
  { limit: 'daily_chat', used: 'totalChat' },
  { limit: 'daily_cloud', used: 'cloud' },
  { limit: 'daily_local', used: 'local' },
  { limit: 'daily_image', used: 'image' },
];

/**
 * `/usage`: today's counts (UTC day) against the user's effective limits. A limit of 0 means
 * no limit and shows as unlimited. The local model line is shown only to users who may use it.
 */
export const usageCommand: CommandDefinition<typeof noOptions> = {
  name: 'usage',
  nameTr: 'kullanim',
  usage: '/usage',
  schema: noOptions,
  parse: () => ({}),
  async handle(context) {
    const { user } = context.actor;
    const date = utcDate();
    const limits = effectiveLimits(user, context.services.settings);
    const usage = await readDailyUsage(context.services.db, user.id, date);
    const unlimited = context.t('usage.unlimited');
    const shown = (limit: number): string | number => (limit > 0 ? limit : unlimited);

    const lines = USAGE_BY_LIMIT.filter(({ limit }) => limit !== 'daily_local' || canUseLocal(user)).map(
      ({ limit, used }) => `• ${context.t(`usage.${limit}`, { used: usage[used], limit: shown(limits[limit]) })}`,
    );
    lines.push(`• ${context.t('usage.per_minute', { limit: shown(limits.per_minute) })}`);

    return {
      title: context.t('command.usage.description'),
      text: [context.t('usage.header', { date }), '', ...lines].join('\n'),
    };
  },
};
