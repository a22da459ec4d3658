import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { startApp, type RunningApp } from '../src/app.js';
import { parseEnv } from '../src/config/env.js';
import { startFakeOpenAI, type FakeOpenAI } from '../tests/support/fake-openai.js';
import { startFakeTelegram, type FakeTelegram } from '../tests/support/fake-telegram/fake-telegram.js';
import { FALLBACK_MODEL_ID, LOCAL_MODEL_ID, PRIMARY_MODEL_ID } from '../tests/support/bot-harness.js';

export { FALLBACK_MODEL_ID, PRIMARY_MODEL_ID };

/** The bot started as `npm start` starts it, with both fakes and a temporary database folder. */
export interface BenchStack {
  app: RunningApp;
  telegram: FakeTelegram;
  openai: FakeOpenAI;
  folder: string;
  databasePath: string;
  /** Stops the bot and both fakes and removes the database folder. */
  close(): Promise<void>;
}

export interface BenchStackOptions {
  /** Whether the fake Bot API enforces Telegram's flood limits; off by default. */
  telegramLimits?: boolean;
  /** Receives the bot's log; silent by default. */
  logger?: Logger;
}

/** Environment of a bot that talks only to the two fakes on 127.0.0.1. */
export function benchEnv(telegram: FakeTelegram, openai: FakeOpenAI, databasePath: string): Record<string, string> {
  return {
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    DATABASE_URL: databasePath,
    GROQ_API_KEY: 'gsk_bench_key_for_the_fake_server',
    GROQ_BASE_URL: openai.baseURL,
    LOCAL_LLM_BASE_URL: openai.baseURL,
    // Port 9 (discard) on loopback: image generation is never called by the bench.
    IMAGE_API_BASE_URL: 'http://127.0.0.1:9',
    // Once a year, so the scheduled summary job never runs during a measurement.
    SUMMARY_CRON: '0 0 1 1 *',
    LOG_LEVEL: 'silent',
  };
}

/** Starts both fakes with instant echo replies for every seeded model id. */
export async function startFakes(telegramLimits: boolean): Promise<{ telegram: FakeTelegram; openai: FakeOpenAI }> {
  const telegram = await startFakeTelegram(telegramLimits ? {} : { limits: false });
  const openai = await startFakeOpenAI();
  for (const model of [PRIMARY_MODEL_ID, FALLBACK_MODEL_ID, LOCAL_MODEL_ID]) openai.setDefault(model, {});
  return { telegram, openai };
}

/** Starts the bot with `startApp`, as `npm start` does, against fresh fakes and an empty SQLite file. */
export async function startBenchStack(options: BenchStackOptions = {}): Promise<BenchStack> {
  const folder = mkdtempSync(join(tmpdir(), 'bot-bench-'));
  const databasePath = join(folder, 'bot.sqlite');
  const { telegram, openai } = await startFakes(options.telegramLimits ?? false);
  const env = parseEnv(benchEnv(telegram, openai, databasePath));
  const logger = options.logger ?? pino({ level: 'silent' });

  let app: RunningApp;
  try {
    app = await startApp(env, logger);
    await allowUnlimitedTurns(app);
  } catch (error) {
    await Promise.all([telegram.close(), openai.close()]);
    rmSync(folder, { recursive: true, force: true });
    throw error;
  }

  return {
    app,
    telegram,
    openai,
    folder,
    databasePath,
    async close() {
      await app.stop(2_000);
      await Promise.all([telegram.close(), openai.close()]);
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/**
 * Lifts the per-user limits (daily counts, per minute) and the seeded 30 requests per minute
 * of the Groq row, through the same settings and rows an operator edits. Without this a bench
 * user is refused after 10 messages a minute and the router falls over to other models after
 * 30 requests. Telegram send pacing is left at its defaults; see `setSendPacing`.
 */
export async function allowUnlimitedTurns(app: RunningApp): Promise<void> {
  const { settings } = app.services;
  for (const role of ['user', 'vip']) {
    for (const limit of ['daily_chat', 'daily_cloud', 'daily_local', 'per_minute']) {
      await settings.set(`limits.${role}.${limit}`, '0', 'bench');
    }
  }
  await app.db.updateTable('api_configs').set({ rate_limit: 0 }).execute();
  await app.router.reload();
}

/** Sets the bot's Telegram send pacing; 0 turns a rate off, `defaults` restores 30 and 1 per second. */
export async function setSendPacing(app: RunningApp, pacing: 'off' | 'defaults'): Promise<void> {
  const { settings } = app.services;
  await settings.set('telegram.messages_per_second', pacing === 'off' ? '0' : '30', 'bench');
  await settings.set('telegram.chat_messages_per_second', pacing === 'off' ? '0' : '1', 'bench');
}

/** Returns the private-chat Telegram user of bench chat number `index`. Its chat id equals its user id. */
export function benchUser(index: number): { id: number; first_name: string; language_code: string } {
  return { id: 500_000 + index, first_name: `Bench${index}`, language_code: 'en' };
}
