import pino from 'pino';
import { expect } from 'vitest';
import { startApp, type RunningApp } from '../../src/app.js';
import { parseEnv } from '../../src/config/env.js';
import { eventually } from './eventually.js';
import { fakeBackendEnv, startAppOnFakes, startFakeBackends } from './fake-backends.js';
import {
  startFakeDiscord,
  type DispatchedInteraction,
  type FakeDiscord,
  type FakeDiscordOptions,
  type InteractionResponseRecord,
  type RecordedRequest,
  type StoredMessage,
} from './fake-discord/index.js';
import type { FakeOpenAI } from './fake-openai.js';

/** Fixed id of the Discord account the e2e tests name in ADMIN_IDS. */
export const ADMIN_ID = '300000000000000001';
/** Colours of the seeded active theme (config/themes.json, "default"). */
export const PRIMARY_COLOR = 0x5865f2;
export const ERROR_COLOR = 0xe5484d;

export interface DiscordHarness {
  /** The running bot; replaced by `restart`. */
  app: RunningApp;
  discord: FakeDiscord;
  openai: FakeOpenAI;
  databasePath: string;
  /** Stops the bot and starts it again on the same database and fakes, as after a crash-free restart. */
  restart(): Promise<RunningApp>;
  /** Stops the bot only; the fakes keep running, so a test can act while the bot is offline. */
  stopApp(): Promise<void>;
  /** Starts the bot again after `stopApp`. */
  startAppAgain(): Promise<RunningApp>;
  /** Stops the bot and both fakes and removes the database folder. */
  close(): Promise<void>;
}

export interface DiscordHarnessOptions {
  /** Extra environment variables, e.g. `ADMIN_IDS`. */
  env?: Record<string, string>;
  discord?: FakeDiscordOptions;
}

/**
 * Starts the bot exactly as `npm start` does (`startApp` with a parsed environment) with only
 * a Discord token, against the fake Discord (REST and gateway) and a fake OpenAI-compatible
 * server on 127.0.0.1, with a real SQLite file in a temporary folder.
 */
export async function startDiscordHarness(options: DiscordHarnessOptions = {}): Promise<DiscordHarness> {
  const backends = await startFakeBackends('bot-discord-e2e-', () => startFakeDiscord(options.discord));
  const { platform: discord, openai, databasePath } = backends;

  const env = parseEnv({
    DISCORD_BOT_TOKEN: discord.token,
    DISCORD_API_BASE: discord.restBase,
    ...fakeBackendEnv(openai, databasePath),
    ...options.env,
  });
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

  let app: RunningApp | undefined = await startAppOnFakes(backends, env, logger);

  const harness: DiscordHarness = {
    app,
    discord,
    openai,
    databasePath,
    async stopApp() {
      await app?.stop(2_000);
      app = undefined;
    },
    async startAppAgain() {
      app = await startApp(env, logger);
      harness.app = app;
      return app;
    },
    async restart() {
      await harness.stopApp();
      return harness.startAppAgain();
    },
    async close() {
      await app?.stop(2_000);
      await backends.close();
    },
  };
  return harness;
}

/** Messages the bot sent to a DM channel itself (not as interaction responses), oldest first. */
export function botMessages(discord: FakeDiscord, channelId: string): StoredMessage[] {
  return discord
    .channelMessages(channelId)
    .filter((message) => message.authorId === discord.botUser.id && message.interactionId === undefined);
}

/** Waits until the bot has at least `count` messages in the user's DM channel and returns them, oldest first. */
export function waitForBotMessages(discord: FakeDiscord, userId: string, count: number, timeoutMs = 10_000): Promise<StoredMessage[]> {
  const channelId = discord.dmChannelId(userId);
  return discord.waitFor(
    () => {
      const messages = botMessages(discord, channelId);
      return messages.length >= count ? messages : undefined;
    },
    timeoutMs,
    `${count} bot message(s) in channel ${channelId}`,
  );
}

/**
 * Waits until the deferred reply of an interaction was edited into the command's reply and
 * returns that message's first embed, with the record of everything sent for the interaction.
 */
export async function waitForInteractionReply(
  discord: FakeDiscord,
  interaction: DispatchedInteraction,
  timeoutMs = 10_000,
): Promise<{ embed: ReplyEmbed; record: InteractionResponseRecord }> {
  const record = await discord.waitFor(
    () => {
      const responses = discord.interactionResponses(interaction.id);
      return responses.originalEdits.length > 0 ? responses : undefined;
    },
    timeoutMs,
    `the reply to interaction ${interaction.id}`,
  );
  const embed = (record.original?.embeds[0] ?? {}) as ReplyEmbed;
  return { embed, record };
}

/** The embed fields the bot's command replies use. */
export interface ReplyEmbed {
  title?: string;
  description?: string;
  color?: number;
}

/**
 * Interaction callbacks Discord would have rejected: 10062 (not acknowledged within 3 s) and
 * 40060 (acknowledged twice) both come back as an error status on the callback route.
 */
export function rejectedInteractionCallbacks(discord: FakeDiscord): RecordedRequest[] {
  return discord.requests().filter((request) => INTERACTION_CALLBACK_PATH.test(request.path) && request.status >= 300);
}

/** Number of callback requests per interaction id. */
export function interactionCallbackCounts(discord: FakeDiscord): Map<string, number> {
  const counts = new Map<string, number>();
  for (const request of discord.requests()) {
    const match = INTERACTION_CALLBACK_PATH.exec(request.path);
    if (match?.[1]) counts.set(match[1], (counts.get(match[1]) ?? 0) + 1);
  }
  return counts;
}

const INTERACTION_CALLBACK_PATH = /^\/interactions\/(\d+)\/[^/]+\/callback$/;

/**
 * Checks that every dispatched interaction was acknowledged once and in time (no 10062, no
 * 40060), and was journaled once and marked handled.
 */
export async function expectInteractionsHandled(harness: DiscordHarness, dispatched: readonly DispatchedInteraction[]): Promise<void> {
  const { discord } = harness;
  const counts = interactionCallbackCounts(discord);
  expect(rejectedInteractionCallbacks(discord)).toEqual([]);
  for (const interaction of dispatched) expect(counts.get(interaction.id)).toBe(1);

  for (const interaction of dispatched) {
    await eventually(
      async () =>
        (await harness.app.db
          .selectFrom('platform_updates')
          .select('status')
          .where('update_key', '=', `interaction:${interaction.id}`)
          .executeTakeFirst())?.status === 'handled',
      `interaction ${interaction.id} to be marked handled`,
    );
  }
  const journaled = await harness.app.db
    .selectFrom('platform_updates')
    .select('update_key')
    .where('update_key', 'like', 'interaction:%')
    .execute();
  expect(journaled).toHaveLength(dispatched.length);
}

/** Reads the stored UI text of `key` in `locale`. */
export async function uiText(harness: DiscordHarness, key: string, locale: 'en' | 'tr' = 'en'): Promise<string> {
  const row = await harness.app.db
    .selectFrom('ui_text_configs')
    .select('value')
    .where('key', '=', key)
    .where('locale', '=', locale)
    .executeTakeFirstOrThrow();
  return row.value;
}
