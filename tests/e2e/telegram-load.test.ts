import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { PRIMARY_MODEL_ID, startBotHarness, type BotHarness } from '../support/bot-harness.js';

let harness: BotHarness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

function personFor(index: number) {
  return { id: 100_000 + index, first_name: `User${index}`, language_code: index % 2 === 0 ? 'tr' : 'en' };
}

/** Lifts the seeded Groq limit of 30 requests per minute, which a load test exceeds on purpose. */
async function liftProviderRateLimit(h: BotHarness): Promise<void> {
  await h.app.db.updateTable('api_configs').set({ rate_limit: 0 }).where('name', '=', 'groq').execute();
  await h.app.router.reload();
}

function rateLimitedCalls(h: BotHarness): number {
  return h.telegram.calls().filter((call) => (call.response as { error_code?: number }).error_code === 429).length;
}

async function deliveredReplies(h: BotHarness): Promise<number> {
  const rows = await h.app.db
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('role', '=', 'assistant')
    .where(({ eb, ref }) => eb(eb.fn('json_extract', [ref('extra_metadata'), eb.val('$.platform_message_ids')]), 'is not', null))
    .executeTakeFirst();
  return Number(rows?.count ?? 0);
}

describe('Telegram under load', () => {
  it('50 chats streaming at once receive no 429', async () => {
    harness = await startBotHarness();
    await liftProviderRateLimit(harness);
    const text = 'Akış halinde gelen bir yanıt, parça parça yazılıyor ve sonunda tamamlanıyor. '.repeat(3);
    harness.openai.setDefault(PRIMARY_MODEL_ID, { text, chunkSize: 12, delayMs: 120 });

    const people = Array.from({ length: 50 }, (_, index) => personFor(index));
    for (const person of people) harness.telegram.sendText(person, 'bir hikâye anlat');

    await eventually(async () => (await deliveredReplies(harness!)) === 50, 'all 50 replies to be delivered', 60_000);
    for (const person of people) {
      const messages = harness.telegram.sentMessages(person.id);
      expect(messages.at(-1)?.text).toBe(text.trim());
    }
    expect(harness.telegram.calls('sendMessageDraft').length).toBeGreaterThan(50);
    expect(rateLimitedCalls(harness)).toBe(0);
  });

  it('injected 429s are waited out and every reply arrives', async () => {
    harness = await startBotHarness();
    harness.telegram.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 1', retry_after: 1 }, 3);
    const people = Array.from({ length: 10 }, (_, index) => personFor(index));
    for (const person of people) harness.telegram.sendText(person, `hello ${person.id}`);

    await eventually(async () => (await deliveredReplies(harness!)) === 10, 'all 10 replies to be delivered', 30_000);
    for (const person of people) {
      expect(harness.telegram.sentMessages(person.id).at(-1)?.text).toBe(`Reply to: hello ${person.id}`);
    }
    expect(rateLimitedCalls(harness)).toBe(3);
  });

  it('200 users sending 10 messages each are all stored', async () => {
    harness = await startBotHarness({ telegram: { limits: false } });
    await liftProviderRateLimit(harness);
    await harness.app.services.settings.set('telegram.chat_messages_per_second', '0', 'test');
    await harness.app.services.settings.set('telegram.messages_per_second', '0', 'test');
    await harness.app.services.settings.set('limits.user.per_minute', '0', 'test');

    const people = Array.from({ length: 200 }, (_, index) => personFor(index));
    for (let round = 1; round <= 10; round += 1) {
      for (const person of people) harness.telegram.sendText(person, `round ${round} from ${person.id}`);
    }

    await eventually(async () => (await deliveredReplies(harness!)) === 2_000, 'all 2,000 replies to be delivered', 120_000);
    for (const person of people.slice(0, 5)) {
      const texts = harness.telegram.sentMessages(person.id).map((message) => message.text);
      expect(texts).toEqual(Array.from({ length: 10 }, (_, index) => `Reply to: round ${index + 1} from ${person.id}`));
    }

    const stored = await harness.app.db
      .selectFrom('messages')
      .select(['role', (eb) => eb.fn.countAll<number>().as('count')])
      .groupBy('role')
      .orderBy('role')
      .execute();
    expect(stored.map((row) => [row.role, Number(row.count)])).toEqual([
      ['assistant', 2_000],
      ['user', 2_000],
    ]);
    const failed = await harness.app.db
      .selectFrom('messages')
      .select('id')
      .where('role', '=', 'assistant')
      .where(({ eb, ref }) => eb(eb.fn('json_extract', [ref('extra_metadata'), eb.val('$.status')]), '!=', 'complete'))
      .execute();
    expect(failed).toHaveLength(0);
    const usage = await harness.app.db.selectFrom('usage_counters').select((eb) => eb.fn.sum<number>('total_chat_count').as('total')).executeTakeFirst();
    expect(Number(usage?.total)).toBe(2_000);

    const check = new Database(harness.databasePath, { readonly: true });
    const integrity = check.pragma('integrity_check', { simple: true });
    check.close();
    expect(integrity).toBe('ok');
  });
});
