import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DestinationStream } from 'pino';
import { createLogger } from '../../src/logger.js';
import { startApp, type RunningApp } from '../../src/app.js';
import { parseEnv } from '../../src/config/env.js';
import { startFakeOpenAI, type FakeOpenAI } from './fake-openai.js';
import { startFakeTelegram, type FakeTelegram, type FakeTelegramOptions } from './fake-telegram/fake-telegram.js';

/** Model ids of the seeded Groq rows, as the fake OpenAI server sees them. */
export const PRIMARY_MODEL_ID = 'llama-3.3-70b-versatile';
export const FALLBACK_MODEL_ID = 'llama-3.1-8b-instant';
export const LOCAL_MODEL_ID = 'bela';

export interface BotHarness {
  app: RunningApp;
  telegram: FakeTelegram;
  openai: FakeOpenAI;
  databasePath: string;
  /** Stops the bot and both fakes and removes the database folder. */
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  telegram?: FakeTelegramOptions;
  /** Receives every log line at `trace` level, formatted as in production. */
  logSink?: DestinationStream;
}

/**
 * Starts the bot exactly as `npm start` does (`startApp` with a parsed environment) against a
 * fake Telegram Bot API and a fake OpenAI-compatible server on 127.0.0.1, with a real SQLite
 * file in a temporary folder.
 */
export async function startBotHarness(options: HarnessOptions = {}): Promise<BotHarness> {
  const folder = mkdtempSync(join(tmpdir(), 'bot-e2e-'));
  const databasePath = join(folder, 'bot.sqlite');
  const telegram = await startFakeTelegram(options.telegram);
  const openai = await startFakeOpenAI();
  // The fake answers 404 for models it does not list; these are the seeded model ids.
  for (const model of [PRIMARY_MODEL_ID, FALLBACK_MODEL_ID, LOCAL_MODEL_ID]) openai.setDefault(model, {});

  const env = parseEnv({
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    DATABASE_URL: databasePath,
    GROQ_API_KEY: 'gsk_test_key_for_the_fake_server',
    GROQ_BASE_URL: openai.baseURL,
    LOCAL_LLM_BASE_URL: openai.baseURL,
    IMAGE_API_BASE_URL: 'http://127.0.0.1:9',
    // Once a year: tests that need the job set their own schedule.
    SUMMARY_CRON: '0 0 1 1 *',
    LOG_LEVEL: 'silent',
    ...options.env,
  });

  const logger = options.logSink
    ? createLogger('trace', options.logSink)
    : createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  let app: RunningApp;
  try {
    app = await startApp(env, logger);
  } catch (error) {
    await Promise.all([telegram.close(), openai.close()]);
    rmSync(folder, { recursive: true, force: true });
    throw error;
  }

  return {
    app,
    telegram,
    openai,
    databasePath,
    async close() {
      await app.stop(2_000);
      await Promise.all([telegram.close(), openai.close()]);
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** Changes a system setting as an admin would, through the cached settings service. */
export async function setSetting(harness: BotHarness, key: string, value: string): Promise<void> {
  await harness.app.services.settings.set(key, value, 'test');
}
