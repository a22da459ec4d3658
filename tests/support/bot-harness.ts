import type { DestinationStream } from 'pino';
import { createLogger } from '../../src/logger.js';
import type { RunningApp } from '../../src/app.js';
import { parseEnv } from '../../src/config/env.js';
import type { FakeOpenAI } from './fake-openai.js';
import { fakeBackendEnv, startAppOnFakes, startFakeBackends } from './fake-backends.js';
import { startFakeTelegram, type FakeTelegram, type FakeTelegramOptions } from './fake-telegram/fake-telegram.js';

export { FALLBACK_MODEL_ID, LOCAL_MODEL_ID, PRIMARY_MODEL_ID } from './fake-backends.js';

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
  const backends = await startFakeBackends('bot-e2e-', () => startFakeTelegram(options.telegram));
  const { platform: telegram, openai, databasePath } = backends;

  const env = parseEnv({
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    ...fakeBackendEnv(openai, databasePath),
    ...options.env,
  });

  const logger = options.logSink
    ? createLogger('trace', options.logSink)
    : createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const app = await startAppOnFakes(backends, env, logger);

  return {
    app,
    telegram,
    openai,
    databasePath,
    async close() {
      await app.stop(2_000);
      await backends.close();
    },
  };
}

/** Changes a system setting as an admin would, through the cached settings service. */
export async function setSetting(harness: BotHarness, key: string, value: string): Promise<void> {
  await harness.app.services.settings.set(key, value, 'test');
}
