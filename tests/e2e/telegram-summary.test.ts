import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { PRIMARY_MODEL_ID, setSetting, startBotHarness, type BotHarness } from '../support/bot-harness.js';

const BORA = { id: 2001, first_name: 'Bora', language_code: 'tr' };

let harness: BotHarness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

function chatRequestsOf(h: BotHarness) {
  return h.openai.requests.filter((request) => request.body.model === PRIMARY_MODEL_ID);
}

function promptChars(request: { body: { messages: Array<{ content: unknown }> } }): number {
  return request.body.messages.reduce((total, message) => total + String(message.content).length, 0);
}

describe('Telegram summary compaction end to end', () => {
  it('after the threshold a summary exists and the prompt stops growing', async () => {
    // Every second, so the scheduled job runs while the conversation goes on.
    harness = await startBotHarness({ env: { SUMMARY_CRON: '* * * * * *' }, telegram: { limits: false } });
    const { telegram, app, openai } = harness;
    await setSetting(harness, 'telegram.chat_messages_per_second', '0');
    openai.setDefault('llama-3.1-8b-instant', { text: 'Özet: Bora sayıları tek tek saydı ve asistan her birini onayladı.' });

    const settings = await app.db.selectFrom('conversation_summary_settings').selectAll().executeTakeFirstOrThrow();
    let summarized = false;
    for (let turn = 1; turn <= 45; turn += 1) {
      telegram.sendText(BORA, `Sayı ${turn}: bu mesaj konuşmayı uzatmak için yazıldı ve biraz metin taşıyor.`);
      await telegram.waitForMessages(BORA.id, turn, 10_000);
      if (!summarized && turn * 2 >= settings.summary_first_threshold) {
        // Give the job one tick to fold the messages before the conversation goes on.
        summarized = Boolean(
          await eventually(
            () => app.db.selectFrom('conversation_summaries').selectAll().executeTakeFirst(),
            'the first summary',
            5_000,
          ),
        );
      }
    }

    const summary = await app.db.selectFrom('conversation_summaries').selectAll().executeTakeFirstOrThrow();
    expect(summary.summary).toContain('Özet');
    expect(summary.last_message_id).not.toBeNull();

    const summaryRequests = openai.requests.filter((request) =>
      String(request.body.messages[0]?.content).toLowerCase().includes('summar'),
    );
    expect(summaryRequests.length).toBeGreaterThanOrEqual(1);

    // The chat prompt carries the summary, and its size stays bounded after the threshold.
    const chat = chatRequestsOf(harness);
    const last = chat.at(-1)!;
    expect(last.body.messages.some((message) => String(message.content).includes('Özet: Bora'))).toBe(true);
    expect(last.body.messages.some((message) => String(message.content).includes('Sayı 1:'))).toBe(false);
    // 45 turns stored 90 messages; the prompt carries only those after the summary.
    const summaryIndex = last.body.messages.findIndex((message) => String(message.content).includes('Özet: Bora'));
    const recent = last.body.messages.slice(summaryIndex + 1);
    expect(recent.length).toBeLessThanOrEqual(2 * settings.summary_update_step);

    const sizes = chat.map(promptChars);
    const middle = Math.max(...sizes.slice(15, 30));
    const late = Math.max(...sizes.slice(30));
    expect(late).toBeLessThanOrEqual(middle * 1.1);
  });
});
