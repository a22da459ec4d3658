import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { catchUpPoints } from '../../../../src/adapters/discord/catch-up-points.js';
import { createTempDatabase, type TempDatabase } from '../../../support/temp-db.js';

let temp: TempDatabase;

beforeEach(async () => {
  temp = await createTempDatabase();
});

afterEach(async () => {
  await temp.cleanup();
});

async function journal(key: string, chatId: string, status: 'received' | 'handled' | 'failed', platform = 'discord'): Promise<void> {
  await temp.db
    .insertInto('platform_updates')
    .values({ platform, update_key: key, chat_id: chatId, payload: '{}', status, received_at: '2026-01-01T00:00:00.000Z', handled_at: null })
    .execute();
}

describe('catchUpPoints', () => {
  it('starts after the newest handled message, compared as numbers', async () => {
    await journal('999999999999999999', 'c1', 'handled');
    await journal('1000000000000000001', 'c1', 'handled');
    await journal('1000000000000000000', 'c1', 'failed');

    expect(await catchUpPoints(temp.db)).toEqual([{ channelId: 'c1', afterId: '1000000000000000001' }]);
  });

  it('starts before the oldest unfinished message', async () => {
    await journal('1000000000000000010', 'c1', 'handled');
    await journal('1000000000000000005', 'c1', 'received');
    await journal('1000000000000000007', 'c1', 'received');

    expect(await catchUpPoints(temp.db)).toEqual([{ channelId: 'c1', afterId: '1000000000000000004' }]);
  });

  it('keeps the older point when the unfinished message is newest', async () => {
    await journal('1000000000000000010', 'c1', 'handled');
    await journal('1000000000000000020', 'c1', 'received');

    expect(await catchUpPoints(temp.db)).toEqual([{ channelId: 'c1', afterId: '1000000000000000010' }]);
  });

  it('handles each channel on its own and ignores Telegram', async () => {
    await journal('1000000000000000001', 'c1', 'handled');
    await journal('1000000000000000002', 'c2', 'handled');
    await journal('1000000000000000003', 'c1', 'handled', 'telegram');

    const points = await catchUpPoints(temp.db);

    expect(points.sort((a, b) => a.channelId.localeCompare(b.channelId))).toEqual([
      { channelId: 'c1', afterId: '1000000000000000001' },
      { channelId: 'c2', afterId: '1000000000000000002' },
    ]);
  });

  it('returns nothing without journaled messages', async () => {
    expect(await catchUpPoints(temp.db)).toEqual([]);
  });
});
