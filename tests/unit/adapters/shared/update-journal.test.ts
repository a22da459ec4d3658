import type { Update } from 'grammy/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { UpdateJournal } from '../../../../src/adapters/shared/update-journal.js';
import { telegramChatIdOf } from '../../../../src/adapters/telegram/mapping.js';
import { createTempDatabase } from '../../../support/temp-db.js';
import type { TempDatabase } from '../../../support/temp-db.js';

let temp: TempDatabase;

beforeEach(async () => {
  temp = await createTempDatabase();
});

afterEach(async () => {
  await temp.cleanup();
});

async function statusOf(key: string, platform = 'telegram'): Promise<string | undefined> {
  const row = await temp.db
    .selectFrom('platform_updates')
    .select('status')
    .where('platform', '=', platform)
    .where('update_key', '=', key)
    .executeTakeFirst();
  return row?.status;
}

describe('UpdateJournal.begin', () => {
  it('stores a received update', async () => {
    const journal = new UpdateJournal(temp.db);

    expect(await journal.begin('100', '5', { update_id: 100 })).toBe(true);

    const row = await temp.db.selectFrom('platform_updates').selectAll().executeTakeFirstOrThrow();
    expect(row.status).toBe('received');
    expect(row.chat_id).toBe('5');
    expect(JSON.parse(row.payload)).toEqual({ update_id: 100 });
    expect(row.handled_at).toBeNull();
  });

  it('rejects an update in flight', async () => {
    const journal = new UpdateJournal(temp.db);

    expect(await journal.begin('100', '5', {})).toBe(true);
    expect(await journal.begin('100', '5', {})).toBe(false);
  });

  it('rejects concurrent begins of one key', async () => {
    const journal = new UpdateJournal(temp.db);

    const results = await Promise.all([journal.begin('100', '5', {}), journal.begin('100', '5', {}), journal.begin('100', '5', {})]);

    expect(results.filter((started) => started)).toHaveLength(1);
  });

  it('rejects a handled update', async () => {
    const journal = new UpdateJournal(temp.db);
    await journal.begin('100', '5', {});
    await journal.finish('100', 'handled');

    expect(await journal.begin('100', '5', {})).toBe(false);
  });

  it('rejects a handled update after restart', async () => {
    await new UpdateJournal(temp.db).begin('100', '5', {});
    await new UpdateJournal(temp.db).finish('100', 'handled');

    expect(await new UpdateJournal(temp.db).begin('100', '5', {})).toBe(false);
  });

  it('rejects a failed update', async () => {
    const journal = new UpdateJournal(temp.db);
    await journal.begin('100', '5', {});
    await journal.finish('100', 'failed');

    expect(await journal.begin('100', '5', {})).toBe(false);
  });

  it('resumes an unfinished update after a restart', async () => {
    await new UpdateJournal(temp.db).begin('100', '5', { first: true });

    const restarted = new UpdateJournal(temp.db);

    expect(await restarted.begin('100', '5', { first: false })).toBe(true);
    const row = await temp.db.selectFrom('platform_updates').select('payload').executeTakeFirstOrThrow();
    expect(JSON.parse(row.payload)).toEqual({ first: true });
  });

  it('releases the key when storing fails', async () => {
    const journal = new UpdateJournal(temp.db);

    await expect(journal.begin('100', '5', { id: 1n })).rejects.toThrow();

    expect(await journal.begin('100', '5', { id: 1 })).toBe(true);
  });

  it('keeps platforms apart', async () => {
    const telegram = new UpdateJournal(temp.db, 'telegram');
    const discord = new UpdateJournal(temp.db, 'discord');
    await telegram.begin('100', null, {});
    await telegram.finish('100', 'handled');

    expect(await discord.begin('100', null, {})).toBe(true);
    expect(await statusOf('100', 'discord')).toBe('received');
  });
});

describe('UpdateJournal.finish', () => {
  it('marks the update handled', async () => {
    const journal = new UpdateJournal(temp.db);
    await journal.begin('100', '5', {});

    await journal.finish('100', 'handled');

    const row = await temp.db.selectFrom('platform_updates').selectAll().executeTakeFirstOrThrow();
    expect(row.status).toBe('handled');
    expect(row.handled_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('records a failure', async () => {
    const journal = new UpdateJournal(temp.db);
    await journal.begin('100', '5', {});

    await journal.finish('100', 'failed');

    expect(await statusOf('100')).toBe('failed');
  });
});

describe('UpdateJournal.unfinished', () => {
  it('lists only received updates, oldest first', async () => {
    const journal = new UpdateJournal(temp.db);
    await journal.begin('103', '5', { update_id: 103 });
    await journal.begin('101', '5', { update_id: 101 });
    await journal.begin('102', '6', { update_id: 102 });
    await journal.begin('104', '6', { update_id: 104 });
    await journal.finish('101', 'handled');
    await journal.finish('104', 'failed');

    expect(await journal.unfinished()).toEqual([
      { key: '103', payload: { update_id: 103 } },
      { key: '102', payload: { update_id: 102 } },
    ]);
  });

  it('lists only its own platform', async () => {
    await new UpdateJournal(temp.db, 'discord').begin('1', null, {});

    expect(await new UpdateJournal(temp.db, 'telegram').unfinished()).toEqual([]);
  });
});

describe('UpdateJournal.lastKey', () => {
  it('returns undefined when empty', async () => {
    expect(await new UpdateJournal(temp.db).lastKey()).toBeUndefined();
  });

  it('returns the newest stored key', async () => {
    const journal = new UpdateJournal(temp.db);
    await journal.begin('7', null, {});
    await journal.begin('8', null, {});

    expect(await journal.lastKey()).toBe('8');
  });
});

describe('telegramChatIdOf', () => {
  const chat = { id: -1001234, type: 'supergroup', title: 'Group' } as const;

  it('reads a message chat', () => {
    const update = { update_id: 1, message: { message_id: 1, date: 0, chat, text: 'hi' } } as unknown as Update;

    expect(telegramChatIdOf(update)).toBe('-1001234');
  });

  it('reads a callback query chat', () => {
    const update = {
      update_id: 1,
      callback_query: { id: 'q', chat_instance: 'c', from: { id: 1, is_bot: false, first_name: 'A' }, message: { message_id: 1, date: 0, chat } },
    } as unknown as Update;

    expect(telegramChatIdOf(update)).toBe('-1001234');
  });

  it('returns null without a chat', () => {
    expect(telegramChatIdOf({ update_id: 1 } as Update)).toBeNull();
  });
});
