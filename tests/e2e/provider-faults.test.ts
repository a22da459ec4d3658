import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { FALLBACK_MODEL_ID, PRIMARY_MODEL_ID, startBotHarness, type BotHarness } from '../support/bot-harness.js';

const FATMA = { id: 5001, first_name: 'Fatma', language_code: 'tr' };
const JOHN = { id: 5002, first_name: 'John', language_code: 'en' };

let harness: BotHarness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function finalReply(h: BotHarness, chatId: number) {
  const row = await eventually(async () => {
    const reply = await h.app.db.selectFrom('messages').selectAll().where('role', '=', 'assistant').orderBy('id', 'desc').executeTakeFirst();
    const metadata = JSON.parse(reply?.extra_metadata ?? '{}') as Record<string, unknown>;
    return metadata.platform_message_ids ? { reply: reply!, metadata } : undefined;
  }, 'the reply delivery to be recorded', 20_000);
  return { ...row, messages: h.telegram.sentMessages(chatId) };
}

describe('provider faults in the stream', () => {
  it('empty choices and usage-only chunks are ignored', async () => {
    harness = await startBotHarness();
    harness.openai.script(PRIMARY_MODEL_ID, { text: 'Clean answer.', emptyChoicesChunk: true, usage: { prompt_tokens: 11, completion_tokens: 3 } });
    harness.telegram.sendText(JOHN, 'hi');
    const { reply, metadata, messages } = await finalReply(harness, JOHN.id);
    expect(messages.at(-1)?.text).toBe('Clean answer.');
    expect(reply.content).toBe('Clean answer.');
    expect(metadata.usage).toEqual({ promptTokens: 11, completionTokens: 3, totalTokens: 14 });
  });

  it('an error object after HTTP 200 falls back', async () => {
    harness = await startBotHarness();
    harness.openai.script(PRIMARY_MODEL_ID, { errorAfterChunks: 2, text: 'This will break after a while.' });
    harness.telegram.sendText(JOHN, 'hi');
    const { reply, metadata } = await finalReply(harness, JOHN.id);
    expect(reply.content).toBe('Reply to: hi');
    expect(metadata.model).toBe('groq-llama-3.1-8b');
  });

  it('a stream ending without finish_reason keeps its text', async () => {
    harness = await startBotHarness();
    harness.openai.script(PRIMARY_MODEL_ID, { text: 'No finish reason here.', finishReason: null });
    harness.telegram.sendText(JOHN, 'hi');
    const { reply, metadata } = await finalReply(harness, JOHN.id);
    expect(reply.content).toBe('No finish reason here.');
    expect(metadata.status).toBe('complete');
    expect(metadata.finish_reason).toBeNull();
  });

  it('finish_reason length shows a localized cut-off note', async () => {
    harness = await startBotHarness();
    harness.openai.script(PRIMARY_MODEL_ID, { text: 'Bu yanıt uzunluk sınırında', finishReason: 'length' });
    harness.telegram.sendText(FATMA, 'uzun yaz');
    const { messages, metadata } = await finalReply(harness, FATMA.id);
    const note = harness.app.services.texts.t('tr', 'notice.cut_off');
    expect(messages.at(-1)?.text).toContain('Bu yanıt uzunluk sınırında');
    expect(messages.at(-1)?.text).toContain(note);
    expect(metadata.finish_reason).toBe('length');
  });

  it('think blocks split across chunks never reach the user', async () => {
    harness = await startBotHarness();
    harness.openai.script(PRIMARY_MODEL_ID, { think: 'secret reasoning about the user', text: 'Visible answer.', chunkSize: 3, delayMs: 20 });
    harness.telegram.sendText(JOHN, 'think');
    const { reply, messages } = await finalReply(harness, JOHN.id);
    expect(reply.content).toBe('Visible answer.');
    expect(messages.at(-1)?.text).toBe('Visible answer.');
    for (const draft of harness.telegram.drafts(JOHN.id)) {
      expect(draft.text).not.toContain('secret');
      expect(draft.text).not.toContain('think');
    }
  });

  it('an unfinished stream is never cached', async () => {
    harness = await startBotHarness();
    const { app, openai, telegram } = harness;
    openai.script(PRIMARY_MODEL_ID, { endAfterChunks: 3, text: 'The first model gave up on this answer.' });
    openai.script(FALLBACK_MODEL_ID, { endAfterChunks: 2, text: 'The second model gave up too.' });
    telegram.sendText(JOHN, 'hi');
    const { reply, metadata, messages } = await finalReply(harness, JOHN.id);

    expect(metadata.status).toBe('interrupted');
    expect(reply.content).toBe('The second');
    expect(messages.at(-1)?.text).toContain(app.services.texts.t('en', 'error.all_models_failed'));
    const attempts = metadata.attempts as Array<{ errorKind?: string }>;
    expect(attempts.map((attempt) => attempt.errorKind)).toEqual(['stream_cut', 'stream_cut']);
    const cached = await app.db.selectFrom('answer_cache').selectAll().execute();
    expect(cached).toEqual([]);
    const usage = await app.db.selectFrom('usage_counters').selectAll().execute();
    expect(usage.every((row) => row.total_chat_count === 0)).toBe(true);
  });

  it('a stalled stream is aborted and the next model answers', async () => {
    harness = await startBotHarness();
    await harness.app.db.updateTable('api_configs').set({ timeout: 1 }).where('name', '=', 'groq').execute();
    await harness.app.router.reload();
    harness.openai.script(PRIMARY_MODEL_ID, { stallAfterChunks: 2, text: 'Stalling answer text' });
    harness.telegram.sendText(JOHN, 'stall');
    const { reply, metadata } = await finalReply(harness, JOHN.id);
    expect(reply.content).toBe('Reply to: stall');
    const attempts = metadata.attempts as Array<{ errorKind?: string; ok: boolean }>;
    expect(attempts[0]?.ok).toBe(false);
    expect(attempts[0]?.errorKind).toBe('timeout');
  });

  // Groq answers a request over the tokens-per-minute limit of its free tier with 413.
  it.each([
    {
      name: 'a context-length error',
      status: 400,
      error: { message: 'Please reduce the length of the messages.', type: 'invalid_request_error', code: 'context_length_exceeded' },
    },
    {
      name: 'a request too large for the TPM limit',
      status: 413,
      error: {
        message:
          'Request too large for model `llama-3.3-70b-versatile` on tokens per minute (TPM): Limit 12000, Requested 14137, please reduce your message size and try again.',
        type: 'tokens',
        code: 'rate_limit_exceeded',
      },
    },
  ])('$name trims the history and retries once', async ({ status, error }) => {
    harness = await startBotHarness({ telegram: { limits: false } });
    await harness.app.services.settings.set('telegram.chat_messages_per_second', '0', 'test');
    for (let turn = 1; turn <= 6; turn += 1) {
      harness.telegram.sendText(JOHN, `message ${turn}`);
      await harness.telegram.waitForMessages(JOHN.id, turn, 10_000);
    }
    const before = harness.openai.requests.length;
    harness.openai.script(PRIMARY_MODEL_ID, { status, error });
    harness.telegram.sendText(JOHN, 'one more');
    const messages = await harness.telegram.waitForMessages(JOHN.id, 7, 10_000);
    expect(messages.at(-1)?.text).toBe('Reply to: one more');

    const [rejected, retried] = harness.openai.requests.slice(before);
    expect(rejected?.body.model).toBe(PRIMARY_MODEL_ID);
    expect(retried?.body.model).toBe(PRIMARY_MODEL_ID);
    expect(retried!.body.messages.length).toBeLessThan(rejected!.body.messages.length);
    expect(harness.openai.requests.slice(before).some((request) => request.body.model === FALLBACK_MODEL_ID)).toBe(false);
  });
});
