import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import SqliteDatabase from 'better-sqlite3';
import pino from 'pino';
import { openDatabase } from '../src/db/connection.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { loadSeedData } from '../src/seed/load-seed-data.js';
import { seedDatabase } from '../src/seed/seed-database.js';
import type { FakeTelegram } from '../tests/support/fake-telegram/fake-telegram.js';
import type { ChildCommand, ChildReport } from './bot-child.js';
import { CallWatcher, isMethod } from './call-watcher.js';
import { benchEnv, benchUser, startFakes } from './stack.js';
import { withTimeout } from './stats.js';

export interface MemoryStartupPlan {
  /** Conversations, one per user, that each get one turn before the loaded measurement. */
  activeConversations: number;
  /** Messages in the prebuilt database of the second start-up. */
  prebuiltMessages: number;
}

export interface StartupFigures {
  /** `startApp` from call to resolve, measured inside the bot process. */
  startAppMs: number;
  /** From spawning `node` to the bot's ready message, module loading included. */
  spawnToReadyMs: number;
}

export interface MemoryStartupFigures {
  plan: MemoryStartupPlan;
  idleRssBytes: number;
  loadedRssBytes: number;
  idleHeapUsedBytes: number;
  loadedHeapUsedBytes: number;
  emptyStart: StartupFigures;
  prebuiltStart: StartupFigures;
}

const CHILD_SCRIPT = fileURLToPath(new URL('./bot-child.ts', import.meta.url));

/** Starts the bot in a child on an empty database, measures memory idle and after load, then starts one on a prebuilt database. */
export async function measureMemoryAndStartup(plan: MemoryStartupPlan): Promise<MemoryStartupFigures> {
  const folder = mkdtempSync(join(tmpdir(), 'bot-bench-child-'));
  try {
    const empty = await withChild(join(folder, 'empty.sqlite'), async (child, telegram) => {
      const idle = await measureChild(child);
      await answerOneTurnEach(telegram, plan.activeConversations);
      const loaded = await measureChild(child);
      return { idle, loaded };
    });

    const prebuiltPath = join(folder, 'prebuilt.sqlite');
    await buildDatabase(prebuiltPath, plan.prebuiltMessages);
    const prebuilt = await withChild(prebuiltPath, async () => undefined);

    return {
      plan,
      idleRssBytes: empty.result.idle.rssBytes,
      loadedRssBytes: empty.result.loaded.rssBytes,
      idleHeapUsedBytes: empty.result.idle.heapUsedBytes,
      loadedHeapUsedBytes: empty.result.loaded.heapUsedBytes,
      emptyStart: empty.startup,
      prebuiltStart: prebuilt.startup,
    };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

async function withChild<T>(
  databasePath: string,
  body: (child: ChildProcess, telegram: FakeTelegram) => Promise<T>,
): Promise<{ startup: StartupFigures; result: T }> {
  const { telegram, openai } = await startFakes(false);
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', CHILD_SCRIPT], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...benchEnv(telegram, openai, databasePath) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const ready = await withTimeout(nextReport(child, 'ready'), 60_000, () => 'bot child: no ready message within 60 s');
    const startup = { startAppMs: ready.startAppMs, spawnToReadyMs: performance.now() - spawnedAt };
    const result = await body(child, telegram);
    return { startup, result };
  } finally {
    if (child.connected) child.send({ type: 'stop' } satisfies ChildCommand);
    else child.kill();
    await withTimeout(exited, 10_000, () => 'bot child did not exit').catch(() => child.kill('SIGKILL'));
    await Promise.all([telegram.close(), openai.close()]);
  }
}

function nextReport<K extends ChildReport['type']>(child: ChildProcess, type: K): Promise<Extract<ChildReport, { type: K }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (report: ChildReport): void => {
      if (report.type !== type) return;
      cleanUp();
      resolve(report as Extract<ChildReport, { type: K }>);
    };
    const onExit = (code: number | null): void => {
      cleanUp();
      reject(new Error(`bot child exited with code ${code} before sending '${type}'`));
    };
    const cleanUp = (): void => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

async function measureChild(child: ChildProcess): Promise<Extract<ChildReport, { type: 'memory' }>> {
  const report = nextReport(child, 'memory');
  child.send({ type: 'measure' } satisfies ChildCommand);
  return withTimeout(report, 30_000, () => 'bot child: no memory report within 30 s');
}

/** Sends one message from each of `count` new users and waits for every reply. */
async function answerOneTurnEach(telegram: FakeTelegram, count: number): Promise<void> {
  const watcher = new CallWatcher(telegram);
  let answered = 0;
  const done = new Promise<void>((resolve) => {
    watcher.onCall(({ call }) => {
      if (isMethod(call, 'sendMessage') && call.response.ok && ++answered === count) resolve();
    });
  });
  for (let index = 0; index < count; index += 1) {
    telegram.sendText(benchUser(10_000 + index), `Hello from conversation ${index}, what can you do?`);
  }
  try {
    await withTimeout(done, 60_000 + count * 50, () => `memory: ${answered} of ${count} replies arrived`);
  } finally {
    watcher.stop();
  }
}

/**
 * Builds a migrated, seeded database holding `messages` messages: conversations of 100
 * messages, one user each, inserted with better-sqlite3 in one transaction.
 */
async function buildDatabase(path: string, messages: number): Promise<void> {
  const logger = pino({ level: 'silent' });
  const db = openDatabase(path);
  await migrateToLatest(db, logger);
  await seedDatabase(db, loadSeedData(), logger);
  await db.destroy();

  const sqlite = new SqliteDatabase(path);
  const insertUser = sqlite.prepare('INSERT INTO users (username, display_name, created_at) VALUES (?, ?, ?) RETURNING id');
  const insertConversation = sqlite.prepare(
    'INSERT INTO conversations (id, user_id, title, platform, chat_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const insertMessage = sqlite.prepare(
    'INSERT INTO messages (conversation_id, role, content, extra_metadata, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  const perConversation = 100;
  const now = new Date().toISOString();
  sqlite.transaction(() => {
    for (let conversation = 0; conversation * perConversation < messages; conversation += 1) {
      const chatId = 800_000 + conversation;
      const user = insertUser.get(`telegram:${chatId}`, `Stored ${conversation}`, now) as { id: number };
      const conversationId = randomUUID();
      insertConversation.run(conversationId, user.id, 'Stored conversation', 'telegram', String(chatId), now, now);
      const count = Math.min(perConversation, messages - conversation * perConversation);
      for (let index = 0; index < count; index += 1) {
        const isUser = index % 2 === 0;
        insertMessage.run(
          conversationId,
          isUser ? 'user' : 'assistant',
          isUser ? `Stored question number ${index} with a sentence of ordinary length.` : `Stored answer number ${index}, also of ordinary length.`,
          isUser ? '{}' : '{"status":"complete"}',
          now,
        );
      }
    }
  })();
  sqlite.close();
}
