import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { PerMinuteLimiter, countAnsweredChat, countGeneratedImage, readDailyUsage } from '../../../src/engine/usage.js';
import { openDatabase } from '../../../src/db/connection.js';
import { insertUser } from '../../support/db-fixtures.js';
import { createTempDatabase } from '../../support/temp-db.js';
import type { TempDatabase } from '../../support/temp-db.js';

const DAY = '2026-12-04';
const NEXT_DAY = '2026-12-05';

describe('usage counters', () => {
  let temp: TempDatabase;
  let userId: number;

  beforeEach(async () => {
    temp = await createTempDatabase();
    userId = await insertUser(temp.db, { username: 'telegram:1', created_at: '2026-12-04T00:00:00.000Z' });
  });

  afterEach(async () => {
    await temp.cleanup();
  });

  it('reads zeros without a row', async () => {
    expect(await readDailyUsage(temp.db, userId, DAY)).toEqual({ totalChat: 0, cloud: 0, local: 0, image: 0 });
  });

  it('counts a cloud answer', async () => {
    await countAnsweredChat(temp.db, userId, 'cloud', DAY);

    expect(await readDailyUsage(temp.db, userId, DAY)).toEqual({ totalChat: 1, cloud: 1, local: 0, image: 0 });
  });

  it('counts a local answer', async () => {
    await countAnsweredChat(temp.db, userId, 'local', DAY);

    expect(await readDailyUsage(temp.db, userId, DAY)).toEqual({ totalChat: 1, cloud: 0, local: 1, image: 0 });
  });

  it('counts a cache hit only in the total', async () => {
    await countAnsweredChat(temp.db, userId, null, DAY);

    expect(await readDailyUsage(temp.db, userId, DAY)).toEqual({ totalChat: 1, cloud: 0, local: 0, image: 0 });
  });

  it('increments one row per day', async () => {
    await countAnsweredChat(temp.db, userId, 'cloud', DAY);
    await countAnsweredChat(temp.db, userId, 'local', DAY);
    await countAnsweredChat(temp.db, userId, null, DAY);
    await countAnsweredChat(temp.db, userId, 'cloud', DAY);
    await countGeneratedImage(temp.db, userId, DAY);

    const rows = await temp.db.selectFrom('usage_counters').selectAll().execute();

    expect(rows).toHaveLength(1);
    expect(await readDailyUsage(temp.db, userId, DAY)).toEqual({ totalChat: 4, cloud: 2, local: 1, image: 1 });
  });

  it('keeps days apart', async () => {
    await countAnsweredChat(temp.db, userId, 'cloud', DAY);
    await countAnsweredChat(temp.db, userId, 'cloud', NEXT_DAY);
    await countAnsweredChat(temp.db, userId, 'cloud', NEXT_DAY);

    expect((await readDailyUsage(temp.db, userId, DAY)).totalChat).toBe(1);
    expect((await readDailyUsage(temp.db, userId, NEXT_DAY)).totalChat).toBe(2);
  });

  it('counts an image on a new row', async () => {
    await countGeneratedImage(temp.db, userId, DAY);

    expect(await readDailyUsage(temp.db, userId, DAY)).toEqual({ totalChat: 0, cloud: 0, local: 0, image: 1 });
  });

  it('adds up concurrent increments', async () => {
    const engines = ['cloud', 'local', null] as const;

    await Promise.all(Array.from({ length: 30 }, (_, index) => countAnsweredChat(temp.db, userId, engines[index % 3] ?? null, DAY)));

    expect(await readDailyUsage(temp.db, userId, DAY)).toEqual({ totalChat: 30, cloud: 10, local: 10, image: 0 });
  });

  it('adds up increments from several connections', async () => {
    const connections = Array.from({ length: 5 }, () => openDatabase(temp.path));

    try {
      await Promise.all(
        connections.flatMap((db) => Array.from({ length: 4 }, () => countAnsweredChat(db, userId, 'cloud', DAY))),
      );
    } finally {
      await Promise.all(connections.map((db) => db.destroy()));
    }

    expect(await readDailyUsage(temp.db, userId, DAY)).toEqual({ totalChat: 20, cloud: 20, local: 0, image: 0 });
  });
});

describe('PerMinuteLimiter', () => {
  const START = 1_000_000;

  function limiterAt(clock: { now: number }): PerMinuteLimiter {
    return new PerMinuteLimiter(() => clock.now);
  }

  it('allows up to the limit', () => {
    const clock = { now: START };
    const limiter = limiterAt(clock);

    expect(limiter.tryAcquire(1, 3)).toBe(0);
    expect(limiter.tryAcquire(1, 3)).toBe(0);
    expect(limiter.tryAcquire(1, 3)).toBe(0);
    expect(limiter.tryAcquire(1, 3)).toBeGreaterThan(0);
  });

  it('returns the seconds until the oldest message leaves', () => {
    const clock = { now: START };
    const limiter = limiterAt(clock);
    limiter.tryAcquire(1, 2);
    clock.now = START + 15_000;
    limiter.tryAcquire(1, 2);

    clock.now = START + 20_000;
    expect(limiter.tryAcquire(1, 2)).toBe(40);

    clock.now = START + 59_500;
    expect(limiter.tryAcquire(1, 2)).toBe(1);
  });

  it('slides the window', () => {
    const clock = { now: START };
    const limiter = limiterAt(clock);
    limiter.tryAcquire(1, 2);
    clock.now = START + 30_000;
    limiter.tryAcquire(1, 2);

    clock.now = START + 59_999;
    expect(limiter.tryAcquire(1, 2)).toBe(1);

    clock.now = START + 60_000;
    expect(limiter.tryAcquire(1, 2)).toBe(0);

    clock.now = START + 60_001;
    expect(limiter.tryAcquire(1, 2)).toBe(30);
  });

  it('does not count refused attempts', () => {
    const clock = { now: START };
    const limiter = limiterAt(clock);
    limiter.tryAcquire(1, 1);
    for (let second = 1; second < 60; second += 1) {
      clock.now = START + second * 1000;
      limiter.tryAcquire(1, 1);
    }

    clock.now = START + 60_000;
    expect(limiter.tryAcquire(1, 1)).toBe(0);
  });

  it('keeps users apart', () => {
    const clock = { now: START };
    const limiter = limiterAt(clock);
    limiter.tryAcquire(1, 1);

    expect(limiter.tryAcquire(2, 1)).toBe(0);
    expect(limiter.tryAcquire(1, 1)).toBe(60);
  });

  it('treats 0 as unlimited', () => {
    const clock = { now: START };
    const limiter = limiterAt(clock);

    for (let message = 0; message < 500; message += 1) {
      expect(limiter.tryAcquire(1, 0)).toBe(0);
    }
  });

  it('applies a lowered limit at once', () => {
    const clock = { now: START };
    const limiter = limiterAt(clock);
    limiter.tryAcquire(1, 10);
    limiter.tryAcquire(1, 10);
    limiter.tryAcquire(1, 10);

    expect(limiter.tryAcquire(1, 2)).toBe(60);
  });
});
