import pino, { type Logger } from 'pino';
import type { RunningApp } from '../src/app.js';
import { parseEnv } from '../src/config/env.js';
import type { FakeOpenAI } from '../tests/support/fake-openai.js';
import { startFakeTelegram, type FakeTelegram } from '../tests/support/fake-telegram/fake-telegram.js';
import {
  FALLBACK_MODEL_ID,
  PRIMARY_MODEL_ID,
  fakeBackendEnv,
  startAppOnFakes,
  startFakeBackends,
  startSeededFakeOpenAI,
} from '../tests/support/fake-backends.js';

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
    ...fakeBackendEnv(openai, databasePath),
  };
}

/** Starts both fakes with instant echo replies for every seeded model id. */
export async function startFakes(telegramLimits: boolean): Promise<{ telegram: FakeTelegram; openai: FakeOpenAI }> {
  const telegram = await startBenchTelegram(telegramLimits);
  const openai = await startSeededFakeOpenAI();
  return { telegram, openai };
}

function startBenchTelegram(telegramLimits: boolean): Promise<FakeTelegram> {
  return startFakeTelegram(telegramLimits ? {} : { limits: false });
}

/** Starts the bot with `startApp`, as `npm start` does, against fresh fakes and an empty SQLite file. */
export async function startBenchStack(options: BenchStackOptions = {}): Promise<BenchStack> {
  const backends = await startFakeBackends('bot-bench-', () => startBenchTelegram(options.telegramLimits ?? false));
  const { platform: telegram, openai, folder, databasePath } = backends;
  const env = parseEnv(benchEnv(telegram, openai, databasePath));
  const logger = options.logger ?? pino({ level: 'silent' });

  const app = await startAppOnFakes(backends, env, logger, allowUnlimitedTurns);

  return {
    app,
    telegram,
    openai,
    folder,
    databasePath,
    async close() {
      await app.stop(2_000);
      await backends.close();
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
