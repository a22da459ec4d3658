import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';

import { startScheduledJobs, sweepExpiredRows } from '../../../src/jobs/scheduler.js';
import type { ScheduledJobsHandle } from '../../../src/jobs/scheduler.js';
import { insertUser } from '../../support/db-fixtures.js';
import { createTempDatabase } from '../../support/temp-db.js';
import type { TempDatabase } from '../../support/temp-db.js';

const EVERY_SECOND = '* * * * * *';

interface LogLine {
  level: number;
  msg: string;
  job?: string;
  result?: unknown;
  err?: { message: string };
  runningJobs?: string[];
}

/** Creates a pino logger that keeps parsed lines and lets a test wait for a given message. */
function createCapturingLogger() {
  const lines: LogLine[] = [];
  const waiters: { message: string; resolve: (line: LogLine) => void }[] = [];

  const logger = pino(
    { level: 'debug' },
    {
      write(chunk: string) {
        const line = JSON.parse(chunk) as LogLine;
        lines.push(line);
        for (const waiter of waiters.filter((entry) => entry.message === line.msg)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      },
    },
  );

  const waitFor = (message: string): Promise<LogLine> => {
    const existing = lines.find((line) => line.msg === message);
    if (existing !== undefined) {
      return Promise.resolve(existing);
    }
    return new Promise((resolve) => waiters.push({ message, resolve }));
  };

  return { logger, lines, waitFor };
}

let handle: ScheduledJobsHandle | undefined;
let temp: TempDatabase | undefined;

afterEach(async () => {
  await handle?.stop();
  handle = undefined;
  await temp?.cleanup();
  temp = undefined;
});

describe('startScheduledJobs', () => {
  it.each(['bad', '61 * * * *', '* * * *', ''])('rejects cron expression %j', (expression) => {
    const { logger } = createCapturingLogger();

    expect(() =>
      startScheduledJobs({ cronExpression: expression, tasks: [], logger }),
    ).toThrow(`Invalid cron expression "${expression}"`);
  });

  it('accepts a seconds field', async () => {
    const { logger } = createCapturingLogger();

    handle = startScheduledJobs({ cronExpression: '0 */10 * * * *', tasks: [], logger });

    expect(handle).toBeDefined();
  });

  it('logs a run and its result', async () => {
    const { logger, waitFor } = createCapturingLogger();

    handle = startScheduledJobs({
      cronExpression: EVERY_SECOND,
      tasks: [{ name: 'counter', run: async () => ({ counted: 3 }) }],
      logger,
    });
    const started = await waitFor('scheduled job started');
    const finished = await waitFor('scheduled job finished');

    expect(started.job).toBe('counter');
    expect(finished.job).toBe('counter');
    expect(finished.result).toEqual({ counted: 3 });
  });

  it('logs a failed run without throwing', async () => {
    const { logger, waitFor } = createCapturingLogger();

    handle = startScheduledJobs({
      cronExpression: EVERY_SECOND,
      tasks: [
        {
          name: 'broken',
          run: async () => {
            throw new Error('database is locked');
          },
        },
      ],
      logger,
    });
    const failed = await waitFor('scheduled job failed');

    expect(failed.job).toBe('broken');
    expect(failed.err?.message).toBe('database is locked');
  });

  it('stop waits for a running job', async () => {
    const { logger } = createCapturingLogger();
    let release: () => void = () => undefined;
    let markStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => {
      markStarted = resolve;
    });
    let runs = 0;

    handle = startScheduledJobs({
      cronExpression: EVERY_SECOND,
      tasks: [
        {
          name: 'slow',
          run: () => {
            runs += 1;
            markStarted();
            return new Promise<void>((resolve) => {
              release = resolve;
            });
          },
        },
      ],
      logger,
    });
    await started;

    let stopResolved = false;
    const stopping = handle.stop().then(() => {
      stopResolved = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopResolved).toBe(false);

    release();
    await stopping;
    expect(stopResolved).toBe(true);
    expect(runs).toBe(1);
  });

  it('stop aborts a running job', async () => {
    const { logger, waitFor } = createCapturingLogger();
    let seen: AbortSignal | undefined;

    handle = startScheduledJobs({
      cronExpression: EVERY_SECOND,
      tasks: [
        {
          name: 'cancellable',
          run: (signal) => {
            seen = signal;
            return new Promise<string>((resolve) => {
              signal.addEventListener('abort', () => resolve('aborted'), { once: true });
            });
          },
        },
      ],
      logger,
    });
    await waitFor('scheduled job started');
    await handle.stop();

    expect(seen?.aborted).toBe(true);
    const finished = await waitFor('scheduled job finished');
    expect(finished.result).toBe('aborted');
  });

  it('stop gives up after the grace period', async () => {
    const { logger, lines, waitFor } = createCapturingLogger();
    let release: () => void = () => undefined;
    let runFinished = false;

    handle = startScheduledJobs({
      cronExpression: EVERY_SECOND,
      tasks: [
        {
          name: 'stuck',
          // Ignores its signal, as a run blocked on a call without one would.
          run: async () => {
            await new Promise<void>((resolve) => {
              release = resolve;
            });
            runFinished = true;
          },
        },
      ],
      logger,
    });
    await waitFor('scheduled job started');
    await handle.stop(50);

    expect(runFinished).toBe(false);
    const warning = lines.find((line) => line.msg === 'scheduled jobs stopped; aborted runs did not finish within the grace period');
    expect(warning).toMatchObject({ level: 40, runningJobs: ['stuck'] });
    release();
  });

  it('logs skipped ticks at debug', async () => {
    const { logger, lines, waitFor } = createCapturingLogger();
    let release: () => void = () => undefined;
    let runs = 0;

    handle = startScheduledJobs({
      cronExpression: EVERY_SECOND,
      tasks: [
        {
          name: 'slow',
          run: () => {
            runs += 1;
            return new Promise<void>((resolve) => {
              release = resolve;
            });
          },
        },
      ],
      logger,
    });
    // node-cron ticks once a second; the race keeps a missing line from hanging the test.
    const skipped = await Promise.race([
      waitFor('tick skipped: the previous run is still going'),
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 5_000)),
    ]);
    release();

    expect(skipped).toMatchObject({ level: 20, job: 'slow' });
    expect(runs).toBe(1);
    expect(lines.filter((line) => line.level >= 40)).toEqual([]);
  });

  it('stop can be called twice', async () => {
    const { logger, lines } = createCapturingLogger();
    handle = startScheduledJobs({ cronExpression: EVERY_SECOND, tasks: [], logger });

    await handle.stop();
    await handle.stop();

    expect(lines.filter((line) => line.msg === 'scheduled jobs stopped')).toHaveLength(1);
  });
});

describe('sweepExpiredRows', () => {
  it('deletes only expired rows', async () => {
    temp = await createTempDatabase();
    const { db } = temp;
    const now = new Date('2026-12-04T12:00:00.000Z');
    const past = '2026-12-04T11:59:59.000Z';
    const future = '2026-12-04T12:00:01.000Z';
    const userId = await insertUser(db, { username: 'telegram:4004', created_at: past });
    await db
      .insertInto('sessions')
      .values([
        { id: 'expired', user_id: userId, type: 'active_session', expires_at: past, created_at: past },
        { id: 'valid', user_id: userId, type: 'remember_token', expires_at: future, created_at: past },
      ])
      .execute();
    const cacheRow = { user_id: userId, question: 'q', answer: 'a', engine: 'cloud', created_at: past };
    await db
      .insertInto('answer_cache')
      .values([
        { ...cacheRow, cache_key: 'expired', expires_at: past },
        { ...cacheRow, cache_key: 'valid', expires_at: future },
        { ...cacheRow, cache_key: 'no-expiry', expires_at: null },
      ])
      .execute();

    const job = sweepExpiredRows(db, () => now);
    const result = await job.run(new AbortController().signal);

    expect(result).toEqual({ deletedSessions: 1, deletedAnswerCacheRows: 1, deletedPlatformUpdates: 0 });
    const sessions = await db.selectFrom('sessions').select('id').execute();
    expect(sessions.map((row) => row.id)).toEqual(['valid']);
    const cache = await db.selectFrom('answer_cache').select('cache_key').orderBy('cache_key').execute();
    expect(cache.map((row) => row.cache_key)).toEqual(['no-expiry', 'valid']);
  });

  it('deletes old handled updates but keeps each Discord channel newest', async () => {
    temp = await createTempDatabase();
    const { db } = temp;
    const now = new Date('2026-12-10T12:00:00.000Z');
    const old = '2026-12-01T00:00:00.000Z';
    const recent = '2026-12-10T11:00:00.000Z';
    const row = (platform: string, key: string, chatId: string | null, status: string, handledAt: string | null) => ({
      platform,
      update_key: key,
      chat_id: chatId,
      payload: '{}',
      status,
      received_at: handledAt ?? old,
      handled_at: handledAt,
    });
    await db
      .insertInto('platform_updates')
      .values([
        row('telegram', '1:1', null, 'handled', old),
        row('telegram', '1:2', null, 'handled', recent),
        row('telegram', '1:3', '7', 'received', null),
        row('discord', '100', 'dm-a', 'handled', old),
        row('discord', '101', 'dm-a', 'handled', old),
        row('discord', '200', 'dm-b', 'failed', old),
      ])
      .execute();

    const result = await sweepExpiredRows(db, () => now).run(new AbortController().signal);

    expect(result).toEqual({ deletedSessions: 0, deletedAnswerCacheRows: 0, deletedPlatformUpdates: 2 });
    const kept = await db.selectFrom('platform_updates').select('update_key').orderBy('id').execute();
    expect(kept.map((entry) => entry.update_key)).toEqual(['1:2', '1:3', '101', '200']);
  });
});
