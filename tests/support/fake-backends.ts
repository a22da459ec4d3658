import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Logger } from 'pino';

import { startApp, type RunningApp } from '../../src/app.js';
import type { EnvConfig } from '../../src/config/env.js';
import { startFakeOpenAI, type FakeOpenAI } from './fake-openai.js';

/** Model ids of the seeded Groq rows, as they appear in requests to the fake OpenAI server. */
export const PRIMARY_MODEL_ID = 'llama-3.3-70b-versatile';
export const FALLBACK_MODEL_ID = 'llama-3.1-8b-instant';
/** Model id of the seeded local row. */
export const LOCAL_MODEL_ID = 'bela';

/** Everything the bot talks to when it runs under a test or a bench, apart from the bot itself. */
export interface FakeBackends<Platform> {
  /** The platform fake: the fake Telegram Bot API or the fake Discord. */
  platform: Platform;
  openai: FakeOpenAI;
  /** Temporary folder that contains the SQLite file. */
  folder: string;
  databasePath: string;
  /** Closes both fakes and removes the folder. Stop the bot first. */
  close(): Promise<void>;
}

/**
 * Creates a temporary folder for the SQLite file and starts the platform fake and a fake
 * OpenAI-compatible server on 127.0.0.1. When a fake fails to start, closes what did start,
 * removes the folder and rethrows.
 */
export async function startFakeBackends<Platform extends { close(): Promise<void> }>(
  folderPrefix: string,
  startPlatform: () => Promise<Platform>,
): Promise<FakeBackends<Platform>> {
  const folder = mkdtempSync(join(tmpdir(), folderPrefix));
  const removeFolder = (): void => rmSync(folder, { recursive: true, force: true });

  let platform: Platform;
  try {
    platform = await startPlatform();
  } catch (error) {
    removeFolder();
    throw error;
  }

  let openai: FakeOpenAI;
  try {
    openai = await startSeededFakeOpenAI();
  } catch (error) {
    await platform.close();
    removeFolder();
    throw error;
  }

  return {
    platform,
    openai,
    folder,
    databasePath: join(folder, 'bot.sqlite'),
    async close() {
      await Promise.all([platform.close(), openai.close()]);
      removeFolder();
    },
  };
}

/** Starts a fake OpenAI-compatible server that returns an instant echo reply for every seeded model id. */
export async function startSeededFakeOpenAI(): Promise<FakeOpenAI> {
  const openai = await startFakeOpenAI();
  // The fake returns 404 for models it does not list, so the seeded model ids are listed here.
  for (const model of [PRIMARY_MODEL_ID, FALLBACK_MODEL_ID, LOCAL_MODEL_ID]) openai.setDefault(model, {});
  return openai;
}

/**
 * Environment variables, apart from the platform ones, of a bot that talks only to fakes on
 * 127.0.0.1: the database file, and the fake OpenAI server as both the Groq and the local LLM
 * endpoint.
 */
export function fakeBackendEnv(openai: FakeOpenAI, databasePath: string): Record<string, string> {
  return {
    DATABASE_URL: databasePath,
    GROQ_API_KEY: 'gsk_test_key_for_the_fake_server',
    GROQ_BASE_URL: openai.baseURL,
    LOCAL_LLM_BASE_URL: openai.baseURL,
    // Port 9 (discard) on loopback: tests of image generation set their own fake.
    IMAGE_API_BASE_URL: 'http://127.0.0.1:9',
    // Once a year, so the scheduled summary job never runs by itself: tests that need it set
    // their own schedule.
    SUMMARY_CRON: '0 0 1 1 *',
    LOG_LEVEL: 'silent',
  };
}

/**
 * Starts the bot with `startApp`, as `npm start` does, then runs `prepare` on it. When either
 * fails, stops the bot if it started, closes `backends` and rethrows, so a failed start leaves
 * nothing running.
 */
export async function startAppOnFakes(
  backends: FakeBackends<unknown>,
  env: EnvConfig,
  logger: Logger,
  prepare?: (app: RunningApp) => Promise<void>,
): Promise<RunningApp> {
  let app: RunningApp | undefined;
  try {
    app = await startApp(env, logger);
    await prepare?.(app);
    return app;
  } catch (error) {
    try {
      await app?.stop(2_000);
    } finally {
      await backends.close();
    }
    throw error;
  }
}
