import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { FALLBACK_MODEL_ID, PRIMARY_MODEL_ID, startBotHarness, type BotHarness } from '../support/bot-harness.js';
import { spawnBot, type BotProcess } from '../support/bot-process.js';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.js';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram/fake-telegram.js';

const GUL = { id: 6001, first_name: 'Gül', language_code: 'tr' };

const cleanups: Array<() => Promise<unknown> | unknown> = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function rows(path: string, query: string): unknown[] {
  // The bot creates the file at start; until then there is nothing to read.
  if (!existsSync(path)) return [];
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(query).all();
  } catch (error) {
    // Before the migrations have run, the tables do not exist yet.
    if (error instanceof Error && /no such table/.test(error.message)) return [];
    throw error;
  } finally {
    db.close();
  }
}

interface Rig {
  telegram: FakeTelegram;
  openai: FakeOpenAI;
  databasePath: string;
  env: Record<string, string>;
}

async function rig(): Promise<Rig> {
  const folder = mkdtempSync(join(tmpdir(), 'bot-order-'));
  cleanups.push(() => rmSync(folder, { recursive: true, force: true }));
  const telegram = await startFakeTelegram();
  const openai = await startFakeOpenAI();
  cleanups.push(() => telegram.close(), () => openai.close());
  openai.setDefault(PRIMARY_MODEL_ID, {});
  openai.setDefault(FALLBACK_MODEL_ID, {});
  const databasePath = join(folder, 'bot.sqlite');
  const env = {
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    DATABASE_URL: databasePath,
    GROQ_API_KEY: 'gsk_order_test_key',
    GROQ_BASE_URL: openai.baseURL,
    LOCAL_LLM_BASE_URL: openai.baseURL,
    LOG_LEVEL: 'info',
  };
  return { telegram, openai, databasePath, env };
}

function started(bot: BotProcess): BotProcess {
  cleanups.push(() => {
    if (bot.child.exitCode === null && bot.child.signalCode === null) bot.child.kill('SIGKILL');
    return bot.exited;
  });
  return bot;
}

describe('ordering and duplicates', () => {
  it('five quick messages get five replies in order', async () => {
    const harness: BotHarness = await startBotHarness({ telegram: { limits: false } });
    cleanups.push(() => harness.close());
    await harness.app.services.settings.set('telegram.chat_messages_per_second', '0', 'test');
    harness.openai.setDefault(PRIMARY_MODEL_ID, { delayMs: 15 });

    for (let index = 1; index <= 5; index += 1) harness.telegram.sendText(GUL, `mesaj ${index}`);
    const messages = await harness.telegram.waitForMessages(GUL.id, 5, 20_000);
    expect(messages.map((message) => message.text)).toEqual([1, 2, 3, 4, 5].map((index) => `Reply to: mesaj ${index}`));

    const requests = harness.openai.requests.filter((request) => request.body.model === PRIMARY_MODEL_ID);
    expect(requests).toHaveLength(5);
    for (const [index, request] of requests.entries()) {
      const contents = request.body.messages.filter((message) => message.role !== 'system').map((message) => message.content);
      const expected = [];
      for (let turn = 1; turn <= index; turn += 1) expected.push(`mesaj ${turn}`, `Reply to: mesaj ${turn}`);
      expected.push(`mesaj ${index + 1}`);
      expect(contents.slice(-expected.length)).toEqual(expected);
    }
  });

  it('after SIGKILL and a restart the message is answered once', async () => {
    const { telegram, openai, databasePath, env } = await rig();
    // The first model call hangs, so the process dies with the turn in progress.
    openai.script(PRIMARY_MODEL_ID, { hang: true });
    const first = started(spawnBot(env));
    telegram.sendText(GUL, 'kaybolmasın');
    await eventually(
      () => rows(databasePath, "SELECT id FROM messages WHERE role = 'user'").length === 1,
      'the user message to be stored',
      20_000,
    );
    await eventually(() => openai.requests.length === 1, 'the hanging model request', 20_000);
    first.child.kill('SIGKILL');
    await first.exited;
    expect(telegram.sentMessages(GUL.id)).toHaveLength(0);

    const second = started(spawnBot(env));
    await telegram.waitForMessages(GUL.id, 1, 20_000);
    // Give a duplicate delivery time to show up before counting.
    telegram.sendText(GUL, 'ikinci');
    await telegram.waitForMessages(GUL.id, 2, 20_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\n--- bot output ---\n${second.output()}`);
    });

    expect(telegram.sentMessages(GUL.id).map((message) => message.text)).toEqual(['Reply to: kaybolmasın', 'Reply to: ikinci']);
    expect(rows(databasePath, 'SELECT role, content FROM messages ORDER BY id')).toEqual([
      { role: 'user', content: 'kaybolmasın' },
      { role: 'assistant', content: 'Reply to: kaybolmasın' },
      { role: 'user', content: 'ikinci' },
      { role: 'assistant', content: 'Reply to: ikinci' },
    ]);
    await eventually(
      () => rows(databasePath, "SELECT status FROM platform_updates WHERE status != 'handled'").length === 0,
      'every stored update to be marked handled',
    );
    const botId = telegram.botInfo.id;
    expect(rows(databasePath, 'SELECT update_key, payload, chat_id FROM platform_updates ORDER BY id')).toEqual([
      { update_key: `${botId}:1`, payload: '{}', chat_id: null },
      { update_key: `${botId}:2`, payload: '{}', chat_id: null },
    ]);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('SIGTERM lets a running turn finish, then closes', async () => {
    const { telegram, openai, databasePath, env } = await rig();
    openai.script(PRIMARY_MODEL_ID, { text: 'Slow but complete.', delayMs: 1_500 });
    const bot = started(spawnBot(env));
    telegram.sendText(GUL, 'yavaş cevap');
    await eventually(
      () => rows(databasePath, "SELECT id FROM messages WHERE role = 'user'").length === 1,
      'the user message to be stored',
      20_000,
    );
    bot.child.kill('SIGTERM');

    expect(await bot.exited).toBe(0);
    expect(telegram.sentMessages(GUL.id).map((message) => message.text)).toEqual(['Slow but complete.']);
    const stored = rows(databasePath, "SELECT content, json_extract(extra_metadata, '$.status') AS status FROM messages WHERE role = 'assistant'");
    expect(stored).toEqual([{ content: 'Slow but complete.', status: 'complete' }]);
    expect(bot.output()).toContain('bot stopped');
  });
});
