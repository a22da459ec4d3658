import type { Kysely } from 'kysely';
import cron from 'node-cron';
import type { Logger as CronLogger, ScheduledTask } from 'node-cron';
import type pino from 'pino';

import type { Database } from '../db/schema.js';
import { nowIso } from '../db/values.js';

/** A named unit of background work. Its resolved value is logged as the run's result. */
export interface ScheduledJob {
  name: string;
  /** `signal` aborts when the schedule stops, so a long run should check it and return early. */
  run: (signal: AbortSignal) => Promise<unknown>;
}

export interface StartScheduledJobsOptions {
  /**
   * node-cron expression: five fields (minute hour day-of-month month day-of-week) or six with
   * a leading seconds field, e.g. `0 *\/10 * * * *` for every ten minutes.
   */
  cronExpression: string;
  tasks: readonly ScheduledJob[];
  logger: pino.Logger;
}

export interface ScheduledJobsHandle {
  /**
   * Stops the schedule, aborts the signal of every run in progress, and resolves once those
   * runs have finished or `graceMs` has passed, whichever comes first. Without `graceMs` it
   * waits for the runs however long they take. A later call returns the first call's promise.
   */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Schedules each job on `cronExpression` with node-cron. Each job gets its own cron task with
 * overlap prevention, so a slow run makes that job skip its next tick instead of running
 * twice at once. Every run logs its start, its result or its error. An error is logged and
 * not rethrown, so one failed run does not stop the schedule.
 *
 * Throws when `cronExpression` is not valid for node-cron, naming the expression.
 */
export function startScheduledJobs(options: StartScheduledJobsOptions): ScheduledJobsHandle {
  const { cronExpression, tasks, logger } = options;
  validateCronExpression(cronExpression);

  /** Runs in progress, with their job names. */
  const running = new Map<Promise<void>, string>();
  const cronTasks: ScheduledTask[] = [];
  const abortRuns = new AbortController();
  let stopped = false;

  for (const job of tasks) {
    const jobLogger = logger.child({ job: job.name });

    const trigger = (): Promise<void> | undefined => {
      if (stopped) {
        return undefined;
      }
      const execution = runJob(job, jobLogger, abortRuns.signal).finally(() => running.delete(execution));
      running.set(execution, job.name);
      // Returning the promise lets node-cron's `noOverlap` see that the run is still busy.
      return execution;
    };

    cronTasks.push(
      cron.schedule(cronExpression, trigger, {
        name: job.name,
        noOverlap: true,
        logger: toCronLogger(jobLogger),
      }),
    );
  }

  logger.info(
    { cronExpression, jobs: tasks.map((job) => job.name) },
    'scheduled jobs started',
  );

  let stopping: Promise<void> | undefined;
  const stop = (graceMs?: number): Promise<void> => {
    stopping ??= (async () => {
      stopped = true;
      abortRuns.abort();
      for (const task of cronTasks) {
        await task.stop();
        await task.destroy();
      }
      const finished = await waitUpTo(Promise.all(running.keys()), graceMs);
      if (finished) {
        logger.info({ cronExpression }, 'scheduled jobs stopped');
      } else {
        logger.warn(
          { cronExpression, graceMs, runningJobs: [...running.values()] },
          'scheduled jobs stopped; aborted runs did not finish within the grace period',
        );
      }
    })();
    return stopping;
  };

  return { stop };
}

/** How long a handled platform update stays in the journal. */
export const HANDLED_UPDATE_RETENTION_MS = 3 * 24 * 3_600_000;

/**
 * Returns a job that deletes `sessions` and `answer_cache` rows whose `expires_at` has passed,
 * and platform updates handled more than three days ago. Cache rows with a null `expires_at`
 * never expire and stay. Timestamps are compared as ISO-8601 UTC text, which sorts in time order.
 */
export function sweepExpiredRows(
  db: Kysely<Database>,
  clock: () => Date = () => new Date(),
): ScheduledJob {
  return {
    name: 'sweep-expired-rows',
    run: async () => {
      const now = nowIso(clock());

      const sessions = await db
        .deleteFrom('sessions')
        .where('expires_at', '<', now)
        .executeTakeFirst();
      const answerCache = await db
        .deleteFrom('answer_cache')
        .where('expires_at', 'is not', null)
        .where('expires_at', '<', now)
        .executeTakeFirst();

      // Handled updates are kept a few days to recognise a redelivery. Telegram picks a random
      // next update id after a week without updates, so rows older than that could collide.
      // The newest Discord row of each channel stays: the start-up catch-up reads from it.
      const updateCutoff = nowIso(new Date(clock().getTime() - HANDLED_UPDATE_RETENTION_MS));
      const updates = await db
        .deleteFrom('platform_updates')
        .where('status', '!=', 'received')
        .where('handled_at', '<', updateCutoff)
        .where((eb) =>
          eb.or([
            eb('platform', '!=', 'discord'),
            eb(
              'id',
              'not in',
              eb.selectFrom('platform_updates').select((inner) => inner.fn.max('id').as('id')).where('platform', '=', 'discord').groupBy('chat_id'),
            ),
          ]),
        )
        .executeTakeFirst();

      return {
        deletedSessions: Number(sessions.numDeletedRows),
        deletedAnswerCacheRows: Number(answerCache.numDeletedRows),
        deletedPlatformUpdates: Number(updates.numDeletedRows),
      };
    },
  };
}

function validateCronExpression(expression: string): void {
  if (cron.validate(expression)) {
    return;
  }

  const details = cron
    .validateDetailed(expression)
    .errors.map((error) => error.message)
    .join('; ');
  throw new Error(
    `Invalid cron expression "${expression}"${details === '' ? '' : `: ${details}`}. ` +
      'Use five fields (minute hour day-of-month month day-of-week) or six with a leading seconds field, ' +
      'e.g. "0 */10 * * * *".',
  );
}

/** Resolves true once `work` settles, or false when `timeoutMs` passes first. Undefined waits without a bound. */
async function waitUpTo(work: Promise<unknown>, timeoutMs: number | undefined): Promise<boolean> {
  const settled = work.then(
    () => true,
    () => true,
  );
  if (timeoutMs === undefined) {
    return settled;
  }

  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([settled, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

async function runJob(job: ScheduledJob, logger: pino.Logger, signal: AbortSignal): Promise<void> {
  logger.info('scheduled job started');
  try {
    const result = await job.run(signal);
    logger.info({ result }, 'scheduled job finished');
  } catch (error) {
    logger.error({ err: error }, 'scheduled job failed');
  }
}

/**
 * node-cron's warning when `noOverlap` skips a tick. A skip is the intended behaviour, and with
 * a short schedule it would fill the log with a warning every tick, so it is logged at debug.
 */
const OVERLAP_WARNING = 'new execution blocked by overlap prevention';

/** Routes node-cron's own warnings (missed or blocked ticks) into the job's pino logger. */
function toCronLogger(logger: pino.Logger): CronLogger {
  return {
    info: (message) => logger.info(message),
    warn: (message) => {
      if (message.includes(OVERLAP_WARNING)) logger.debug('tick skipped: the previous run is still going');
      else logger.warn(message);
    },
    error: (message, error) => logError(logger, 'error', message, error),
    debug: (message, error) => logError(logger, 'debug', message, error),
  };
}

function logError(
  logger: pino.Logger,
  level: 'error' | 'debug',
  message: string | Error,
  error: Error | undefined,
): void {
  if (message instanceof Error) {
    logger[level]({ err: message }, 'node-cron reported an error');
  } else if (error !== undefined) {
    logger[level]({ err: error }, message);
  } else {
    logger[level](message);
  }
}
