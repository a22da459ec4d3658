import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { DiscordAdapter } from './adapters/discord/discord-adapter.js';
import { TelegramAdapter } from './adapters/telegram/telegram-adapter.js';
import type { CommandServices } from './commands/types.js';
import { enabledPlatforms, type EnvConfig } from './config/env.js';
import { openDatabase } from './db/connection.js';
import { migrateToLatest } from './db/migrate.js';
import type { Database } from './db/schema.js';
import { ConversationEngine } from './engine/conversation-engine.js';
import { SystemSettings } from './engine/settings.js';
import { applyAdminIds } from './engine/users.js';
import { TextCatalog } from './i18n/texts.js';
import { startScheduledJobs, sweepExpiredRows, type ScheduledJobsHandle } from './jobs/scheduler.js';
import { runSummaryPass } from './jobs/summary-job.js';
import { hasUsableChatModel } from './router/catalog.js';
import { createModelRouter, type ReloadableModelRouter } from './router/model-router.js';
import { ImageService } from './images/image-service.js';
import { loadSeedData } from './seed/load-seed-data.js';
import { seedDatabase } from './seed/seed-database.js';
import { StartupError } from './startup-error.js';

/** A platform adapter as the app sees it. */
export interface PlatformAdapter {
  start(): Promise<void>;
  /** Stops taking updates and waits up to `graceMs` for running handlers. */
  stop(graceMs?: number): Promise<void>;
}

export interface RunningApp {
  db: Kysely<Database>;
  engine: ConversationEngine;
  router: ReloadableModelRouter;
  services: CommandServices;
  telegram?: TelegramAdapter;
  discord?: DiscordAdapter;
  /**
   * Stops taking updates, aborts a running summary pass, lets running turns and the aborted
   * pass finish (at most `graceMs` in all), then closes the database.
   */
  stop(graceMs?: number): Promise<void>;
}

export { StartupError };

/** Default bound on how long a stop waits for running turns. */
export const DEFAULT_STOP_GRACE_MS = 10_000;

/**
 * Starts the bot: database and migrations, seed data, `ADMIN_IDS`, model router, engine,
 * scheduled jobs, then every platform adapter that has a token.
 */
export async function startApp(env: EnvConfig, logger: Logger): Promise<RunningApp> {
  const platforms = enabledPlatforms(env);
  if (platforms.length === 0) {
    throw new StartupError(
      'No platform token is set: set TELEGRAM_BOT_TOKEN (from @BotFather) and/or DISCORD_BOT_TOKEN (from the Discord developer portal).',
    );
  }

  let db: Kysely<Database>;
  try {
    db = openDatabase(env.DATABASE_URL, logger);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new StartupError(
      `DATABASE_URL "${env.DATABASE_URL}" cannot be opened as a SQLite file (${reason}). Point it at a writable file path, such as ./data/bot.sqlite.`,
    );
  }
  const stopped: Array<(graceMs: number) => Promise<void>> = [];
  let jobs: ScheduledJobsHandle | undefined;
  try {
    await migrateToLatest(db, logger);
    await seedDatabase(db, loadSeedData(), logger);
    const promoted = await applyAdminIds(db, env.ADMIN_IDS);
    if (promoted > 0) logger.info({ promoted }, 'ADMIN_IDS applied');

    const settings = new SystemSettings(db);
    await settings.load();
    const texts = new TextCatalog(db);
    await texts.load();

    const router = createModelRouter({
      db,
      env: { GROQ_API_KEY: env.GROQ_API_KEY, LOCAL_LLM_API_KEY: env.LOCAL_LLM_API_KEY },
      baseUrlOverrides: { groq: env.GROQ_BASE_URL, ollama: env.LOCAL_LLM_BASE_URL, forge: env.IMAGE_API_BASE_URL },
      logger,
      maxRetryAfterSeconds: settings.number('router.max_retry_after_seconds', 5),
    });
    const catalog = await router.catalog();
    if (!hasUsableChatModel(catalog)) {
      throw new StartupError(
        'No chat model is usable: set GROQ_API_KEY, or keep an active model_configs row of purpose "chat" on a provider that needs no key.',
      );
    }

    const engine = new ConversationEngine({ db, router, settings, texts, logger, adminIds: new Set(env.ADMIN_IDS) });
    const services: CommandServices = { db, engine, settings, texts, logger };
    services.images = new ImageService({
      db,
      settings,
      texts,
      logger,
      baseUrlOverride: env.IMAGE_API_BASE_URL,
      runInChat: (platform, chatId, task) => engine.runInChat(platform, chatId, task),
    });

    const scheduledJobs = startScheduledJobs({
      cronExpression: env.SUMMARY_CRON,
      tasks: [
        {
          name: 'summary-compaction',
          run: (signal) => runSummaryPass({ db, router, logger, guard: engine.contexts, signal }),
        },
        sweepExpiredRows(db),
      ],
      logger,
    });
    jobs = scheduledJobs;

    let telegram: TelegramAdapter | undefined;
    if (env.TELEGRAM_BOT_TOKEN) {
      telegram = new TelegramAdapter({ token: env.TELEGRAM_BOT_TOKEN, apiRoot: env.TELEGRAM_API_ROOT, services, logger });
      await telegram.start();
      const adapter = telegram;
      stopped.unshift((graceMs) => adapter.stop(graceMs));
    }
    let discord: DiscordAdapter | undefined;
    if (env.DISCORD_BOT_TOKEN) {
      discord = new DiscordAdapter({ token: env.DISCORD_BOT_TOKEN, apiBase: env.DISCORD_API_BASE, services, logger });
      const adapter = discord;
      // Pushed before start, so a failed start still closes the gateway connection.
      stopped.unshift((graceMs) => adapter.stop(graceMs));
      await adapter.start();
    }

    logger.info({ platforms, database: env.DATABASE_URL }, 'bot started');

    let stopping: Promise<void> | undefined;
    const stop = (graceMs = DEFAULT_STOP_GRACE_MS): Promise<void> => {
      stopping ??= (async () => {
        logger.info('bot stopping');
        // One deadline for the whole stop: each step and the drain get what is left of it.
        const deadline = Date.now() + graceMs;
        const remaining = () => Math.max(0, deadline - Date.now());
        // The jobs are aborted first, so a summary pass winds down while the adapters stop.
        const jobsStopped = scheduledJobs.stop(graceMs);
        for (const step of stopped) await step(remaining());
        await jobsStopped;
        const drained = await Promise.race([
          engine.drain().then(() => true),
          new Promise<boolean>((resolve) => setTimeout(() => resolve(false), remaining()).unref()),
        ]);
        if (!drained) logger.warn({ graceMs }, 'running turns did not finish in time; closing anyway');
        await db.destroy();
        logger.info('bot stopped');
      })();
      return stopping;
    };

    return { db, engine, router, services, telegram, discord, stop };
  } catch (error) {
    for (const step of stopped) await step(0).catch(() => undefined);
    await jobs?.stop(0).catch(() => undefined);
    await db.destroy();
    throw error;
  }
}
