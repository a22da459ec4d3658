import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.js';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram/fake-telegram.js';
import { FALLBACK_MODEL_ID, PRIMARY_MODEL_ID } from '../support/bot-harness.js';
import { spawnBot as runBot } from '../support/bot-process.js';

const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe('npm start', () => {
  it('answers a DM and stores both messages, then stops on SIGTERM', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'bot-start-'));
    cleanups.push(() => rmSync(folder, { recursive: true, force: true }));
    const telegram: FakeTelegram = await startFakeTelegram();
    const openai: FakeOpenAI = await startFakeOpenAI();
    cleanups.push(() => telegram.close(), () => openai.close());
    openai.setDefault(PRIMARY_MODEL_ID, { text: 'Hello from the **model**.' });
    openai.setDefault(FALLBACK_MODEL_ID, {});

    const databasePath = join(folder, 'bot.sqlite');
    const bot = runBot({
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      DATABASE_URL: databasePath,
      GROQ_API_KEY: 'gsk_start_test_key',
      GROQ_BASE_URL: openai.baseURL,
      LOCAL_LLM_BASE_URL: openai.baseURL,
      LOG_LEVEL: 'info',
    });
    cleanups.push(() => {
      if (bot.child.exitCode === null) bot.child.kill('SIGKILL');
    });

    telegram.sendText({ id: 3001, first_name: 'Deniz', language_code: 'en' }, 'Hi bot');
    const [reply] = await telegram.waitForMessages(3001, 1, 20_000);
    expect(reply?.text).toBe('Hello from the model.');
    expect(reply?.params.text).toBe('Hello from the <b>model</b>.');

    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    expect(bot.output()).toContain('bot stopped');
    expect(bot.output()).not.toContain('gsk_start_test_key');
    expect(bot.output()).not.toContain(telegram.token.split(':')[1]);

    const db = new Database(databasePath, { readonly: true });
    const rows = db.prepare('SELECT role, content FROM messages ORDER BY id').all();
    db.close();
    expect(rows).toEqual([
      { role: 'user', content: 'Hi bot' },
      { role: 'assistant', content: 'Hello from the **model**.' },
    ]);
  });

  it('refuses to start without any platform token', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'bot-start-'));
    cleanups.push(() => rmSync(folder, { recursive: true, force: true }));
    const bot = runBot({ DATABASE_URL: join(folder, 'bot.sqlite'), LOG_LEVEL: 'silent' });
    expect(await bot.exited).not.toBe(0);
    expect(bot.output()).toContain('TELEGRAM_BOT_TOKEN');
    expect(bot.output()).toContain('DISCORD_BOT_TOKEN');
  });

  it('names DATABASE_URL when the file cannot be opened', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'bot-start-'));
    cleanups.push(() => rmSync(folder, { recursive: true, force: true }));
    const plainFile = join(folder, 'plain');
    writeFileSync(plainFile, 'not a folder');
    // Every address points at 127.0.0.1 port 9, where nothing listens; the database fails first.
    const bot = runBot({
      TELEGRAM_BOT_TOKEN: '123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      TELEGRAM_API_ROOT: 'http://127.0.0.1:9',
      GROQ_API_KEY: 'gsk_start_test_key',
      GROQ_BASE_URL: 'http://127.0.0.1:9/v1',
      LOCAL_LLM_BASE_URL: 'http://127.0.0.1:9/v1',
      DATABASE_URL: join(plainFile, 'bot.sqlite'),
      LOG_LEVEL: 'silent',
    });

    expect(await bot.exited).toBe(2);
    expect(bot.output()).toContain(`DATABASE_URL "${join(plainFile, 'bot.sqlite')}" cannot be opened`);
    expect(bot.output()).not.toMatch(/^\s+at /m);
  });

  it('names a malformed variable in one line', async () => {
    const bot = runBot({ TELEGRAM_BOT_TOKEN: '123:abc', ADMIN_IDS: 'alice', LOG_LEVEL: 'silent' });
    expect(await bot.exited).not.toBe(0);
    const lines = bot.output().trim().split('\n');
    expect(lines.find((line) => line.includes('TELEGRAM_BOT_TOKEN'))).toMatch(/^Invalid environment variable TELEGRAM_BOT_TOKEN: /);
    expect(lines.find((line) => line.includes('ADMIN_IDS'))).toMatch(/telegram:123,discord:456/);
    expect(bot.output()).not.toContain('123:abc');
  });
});
