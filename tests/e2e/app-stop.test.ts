import { Writable } from 'node:stream';

import SqliteDatabase from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';

import { FALLBACK_MODEL_ID, PRIMARY_MODEL_ID, startBotHarness, type BotHarness } from '../support/bot-harness.js';
import { insertConversation, insertMessage, insertUser } from '../support/db-fixtures.js';
import { eventually } from '../support/eventually.js';
import type { FakeOpenAI } from '../support/fake-openai.js';

let harness: BotHarness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

interface LogLine {
  msg: string;
  errorKind?: string;
  conversationId?: string;
  remainingConversationIds?: string[];
}

/** Keeps every pino line written to it, parsed. */
class LogLines extends Writable {
  readonly lines: LogLine[] = [];
  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    for (const text of chunk.toString().split('\n')) {
      if (text.trim() !== '') this.lines.push(JSON.parse(text) as LogLine);
    }
    callback();
  }
}

function summaryRequests(openai: FakeOpenAI) {
  return openai.requests.filter((request) => String(request.body.messages[0]?.content).includes('running summary'));
}

describe('app.stop', () => {
  it('keeps to one grace period with a turn running', async () => {
    harness = await startBotHarness();
    const { app, telegram, openai } = harness;
    // About 40 s of streaming, far longer than the grace period.
    openai.setDefault(PRIMARY_MODEL_ID, { text: 'word '.repeat(400), chunkSize: 5, delayMs: 100 });
    telegram.sendText({ id: 4101, first_name: 'Selin', language_code: 'tr' }, 'Uzun bir cevap yaz');
    await telegram.waitFor(() => openai.requests.length > 0);

    const started = Date.now();
    await app.stop(2_000);
    const elapsed = Date.now() - started;

    // Before, the adapter and the drain each waited the whole grace period, about 4 s in all.
    expect(elapsed).toBeLessThan(3_500);
  });

  it('aborts a summary pass on a hanging model', async () => {
    const logs = new LogLines();
    // Every second, so a summary pass starts soon after the conversations become due.
    harness = await startBotHarness({ env: { SUMMARY_CRON: '* * * * * *' }, logSink: logs });
    const { app, openai, databasePath } = harness;
    // The summary model accepts each request and never responds.
    openai.setDefault(FALLBACK_MODEL_ID, { hang: true });
    // A stop that waits for the pass returns only after the router gives up on the request, and
    // this short provider timeout makes that happen inside the test's own time limit.
    await app.db.updateTable('api_configs').set({ timeout: 5 }).where('name', '=', 'groq').execute();
    await app.router.reload();

    // Two due conversations (14 messages, over the first threshold of 12), written at once so
    // the pass finds both. The newer one is summarized first.
    const [newer, older] = await app.db.transaction().execute(async (trx) => {
      const userId = await insertUser(trx, { username: 'telegram:4102' });
      const ids = [
        await insertConversation(trx, userId, { updated_at: '2026-12-04T20:00:00.000Z' }),
        await insertConversation(trx, userId),
      ];
      for (const id of ids) {
        for (let turn = 1; turn <= 7; turn += 1) {
          await insertMessage(trx, id, 'user', `question ${turn}`);
          await insertMessage(trx, id, 'assistant', `answer ${turn}`);
        }
      }
      return ids;
    });
    await eventually(() => summaryRequests(openai).length > 0, 'the summary request');

    await app.stop(1_000);
    // Taken as stop resolves, before any timer can fire, so these lines show what had happened by then.
    const linesAtStop = [...logs.lines];

    // The request was still unanswered and not timed out: stop ended it, not the provider timeout.
    expect(linesAtStop.filter((line) => line.errorKind === 'timeout')).toEqual([]);
    const aborted = linesAtStop.find((line) => line.msg === 'summary pass aborted');
    expect(aborted?.conversationId).toBe(newer);
    // The pass did not go on to the second conversation.
    expect(summaryRequests(openai)).toHaveLength(1);
    expect(aborted?.remainingConversationIds).toEqual([older]);

    const file = new SqliteDatabase(databasePath, { readonly: true });
    try {
      expect(file.prepare('SELECT count(*) AS count FROM conversation_summaries').get()).toEqual({ count: 0 });
    } finally {
      file.close();
    }
  });
});
