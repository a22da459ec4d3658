import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { checkTelegramHtml } from '../support/telegram-html-checker.js';
import { PRIMARY_MODEL_ID, FALLBACK_MODEL_ID, startBotHarness, type BotHarness } from '../support/bot-harness.js';

const EMRE = { id: 4001, first_name: 'Emre', language_code: 'tr' };
const LEYLA = { id: 4002, first_name: 'Leyla', language_code: 'en' };
const COUNTING_TEXT = 'One two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen.';

let harness: BotHarness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function storedReplyMetadata(h: BotHarness): Promise<Record<string, unknown>> {
  return eventually(async () => {
    const row = await h.app.db.selectFrom('messages').select('extra_metadata').where('role', '=', 'assistant').executeTakeFirst();
    const metadata = JSON.parse(row?.extra_metadata ?? '{}') as Record<string, unknown>;
    return metadata.platform_message_ids || metadata.delivery_error ? metadata : undefined;
  }, 'the reply delivery to be recorded', 20_000);
}

/** Delivery metadata of the first reply to one Telegram user, once it is recorded. */
async function replyMetadataOf(h: BotHarness, telegramUserId: number): Promise<Record<string, unknown>> {
  return eventually(async () => {
    const row = await h.app.db
      .selectFrom('messages as m')
      .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
      .innerJoin('users as u', 'u.id', 'c.user_id')
      .select('m.extra_metadata')
      .where('u.username', '=', `telegram:${telegramUserId}`)
      .where('m.role', '=', 'assistant')
      .executeTakeFirst();
    const metadata = JSON.parse(row?.extra_metadata ?? '{}') as Record<string, unknown>;
    return metadata.platform_message_ids || metadata.delivery_error ? metadata : undefined;
  }, `the delivery of the reply to ${telegramUserId} to be recorded`, 20_000);
}

describe('Telegram streaming', () => {
  it('streams drafts and ends with one complete message', async () => {
    harness = await startBotHarness();
    const { telegram, openai } = harness;
    const text = 'Birinci cümle burada. **İkinci** cümle `kod` içeriyor ve biraz daha uzun bir metin olarak akıyor.';
    openai.script(PRIMARY_MODEL_ID, { text, chunkSize: 4, delayMs: 60 });
    telegram.sendText(EMRE, 'bir şey anlat');

    const metadata = await storedReplyMetadata(harness);
    const messages = telegram.sentMessages(EMRE.id);
    expect(messages).toHaveLength(1);
    expect(messages[0]?.text).toBe('Birinci cümle burada. İkinci cümle kod içeriyor ve biraz daha uzun bir metin olarak akıyor.');
    expect(metadata.platform_message_ids).toEqual([String(messages[0]?.message_id)]);

    const drafts = telegram.drafts(EMRE.id);
    expect(drafts.length).toBeGreaterThanOrEqual(2);
    const texts = drafts.map((draft) => draft.text);
    expect(new Set(texts).size).toBe(texts.length);
    for (const draft of drafts) {
      expect(draft.text.trim()).not.toBe('');
      expect(checkTelegramHtml(draft.html ?? draft.text).ok).toBe(true);
      expect(messages[0]!.text!.startsWith(draft.text.slice(0, 10))).toBe(true);
    }
    expect(new Set(drafts.map((draft) => draft.draft_id)).size).toBe(1);
  });

  it('falls back to editing a message when drafts fail', async () => {
    harness = await startBotHarness();
    const { telegram, openai } = harness;
    telegram.failNext('sendMessageDraft', { error_code: 400, description: 'Bad Request: method is not available' });
    const text = 'One two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen.';
    openai.script(PRIMARY_MODEL_ID, { text, chunkSize: 3, delayMs: 60 });
    telegram.sendText(EMRE, 'count');

    await storedReplyMetadata(harness);
    const messages = telegram.sentMessages(EMRE.id);
    expect(messages).toHaveLength(1);
    expect(messages[0]?.text).toBe(text);
    expect(messages[0]?.history.length).toBeGreaterThanOrEqual(1);
    expect(telegram.calls('sendMessageDraft')).toHaveLength(1);

    // The next reply goes straight to editing: drafts are remembered as unavailable.
    openai.script(PRIMARY_MODEL_ID, { text: 'Short second answer here.', chunkSize: 3, delayMs: 30 });
    telegram.sendText(EMRE, 'again');
    await telegram.waitForMessages(EMRE.id, 2, 20_000);
    expect(telegram.calls('sendMessageDraft')).toHaveLength(1);
  });

  it('turns drafts off for every chat on 404', async () => {
    harness = await startBotHarness();
    const { telegram, openai } = harness;
    telegram.failNext('sendMessageDraft', { error_code: 404, description: 'Not Found' });
    openai.script(PRIMARY_MODEL_ID, { text: COUNTING_TEXT, chunkSize: 3, delayMs: 60 });
    telegram.sendText(EMRE, 'count');
    await replyMetadataOf(harness, EMRE.id);
    expect(telegram.sentMessages(EMRE.id)[0]?.text).toBe(COUNTING_TEXT);

    openai.script(PRIMARY_MODEL_ID, { text: COUNTING_TEXT, chunkSize: 3, delayMs: 60 });
    telegram.sendText(LEYLA, 'count');
    await replyMetadataOf(harness, LEYLA.id);
    expect(telegram.calls('sendMessageDraft')).toHaveLength(1);
    expect(telegram.sentMessages(LEYLA.id)[0]?.history.length).toBeGreaterThanOrEqual(1);
  });

  const chatErrors = [
    { name: 'blocked by the user', error: { error_code: 403, description: 'Forbidden: bot was blocked by the user' } },
    { name: 'chat not found', error: { error_code: 400, description: 'Bad Request: chat not found' } },
    { name: 'unparsable text', error: { error_code: 400, description: "Bad Request: can't parse entities: Unsupported start tag \"x\" at byte offset 0" } },
    { name: 'text too long', error: { error_code: 400, description: 'Bad Request: message is too long' } },
  ];
  it.each(chatErrors)('draft error spares other chats: $name', async ({ error }) => {
    harness = await startBotHarness();
    const { telegram, openai } = harness;
    telegram.failNext('sendMessageDraft', error);
    openai.script(PRIMARY_MODEL_ID, { text: COUNTING_TEXT, chunkSize: 3, delayMs: 60 });
    telegram.sendText(EMRE, 'count');
    const first = await replyMetadataOf(harness, EMRE.id);
    expect(first.status).toBe('complete');
    expect(telegram.sentMessages(EMRE.id).at(-1)?.text).toBe(COUNTING_TEXT);
    const failedDraft = telegram.calls('sendMessageDraft')[0];
    expect(failedDraft?.params.chat_id).toBe(EMRE.id);
    expect(failedDraft?.response.ok).toBe(false);

    openai.script(PRIMARY_MODEL_ID, { text: COUNTING_TEXT, chunkSize: 3, delayMs: 60 });
    telegram.sendText(LEYLA, 'count');
    const second = await replyMetadataOf(harness, LEYLA.id);
    expect(second.status).toBe('complete');
    expect(telegram.drafts(LEYLA.id).length).toBeGreaterThanOrEqual(1);
    const messages = telegram.sentMessages(LEYLA.id);
    expect(messages).toHaveLength(1);
    expect(messages[0]?.text).toBe(COUNTING_TEXT);
    expect(messages[0]?.history).toHaveLength(0);
  });

  it('a reply outgrowing one message continues in the next', async () => {
    harness = await startBotHarness({ telegram: { limits: false } });
    const { telegram, openai } = harness;
    await harness.app.services.settings.set('telegram.chat_messages_per_second', '20', 'test');
    const text = Array.from({ length: 120 }, (_, index) => `Line ${index}: ${'word '.repeat(10)}`).join('\n');
    openai.script(PRIMARY_MODEL_ID, { text, chunkSize: 400, delayMs: 40 });
    telegram.sendText(EMRE, 'long please');

    const metadata = await storedReplyMetadata(harness);
    const messages = telegram.sentMessages(EMRE.id);
    expect(messages.length).toBeGreaterThanOrEqual(2);
    expect(metadata.platform_message_ids).toEqual(messages.map((message) => String(message.message_id)));
    const joined = messages.map((message) => message.text ?? '').join('\n');
    expect(joined).toContain('Line 0:');
    expect(joined).toContain('Line 119:');
    for (const message of messages) expect((message.text ?? '').length).toBeLessThanOrEqual(4096);
  });

  it('a stream cut mid-way falls back and the stored reply is complete', async () => {
    harness = await startBotHarness();
    const { telegram, openai, app } = harness;
    openai.script(PRIMARY_MODEL_ID, { cutAfterChunks: 3, text: 'This answer will be cut somewhere in the middle.' });
    openai.script(FALLBACK_MODEL_ID, { text: 'Fallback answer.' });
    telegram.sendText(EMRE, 'cut test');

    await storedReplyMetadata(harness);
    const messages = telegram.sentMessages(EMRE.id);
    expect(messages.at(-1)?.text).toBe('Fallback answer.');
    const reply = await app.db.selectFrom('messages').selectAll().where('role', '=', 'assistant').executeTakeFirstOrThrow();
    expect(reply.content).toBe('Fallback answer.');
    expect(JSON.parse(reply.extra_metadata).status).toBe('complete');
  });

  it('an interrupted stream with no fallback is stored as interrupted with a notice', async () => {
    harness = await startBotHarness();
    const { telegram, openai, app } = harness;
    openai.script(PRIMARY_MODEL_ID, { cutAfterChunks: 4, text: 'Partial words then nothing more arrives here.', delayMs: 40 });
    openai.script(FALLBACK_MODEL_ID, { status: 500, error: { message: 'down', type: 'server_error', code: null } });
    telegram.sendText(EMRE, 'fail test');

    const metadata = await storedReplyMetadata(harness);
    expect(metadata.status).toBe('interrupted');
    const reply = await app.db.selectFrom('messages').select('content').where('role', '=', 'assistant').executeTakeFirstOrThrow();
    expect(reply.content.length).toBeGreaterThan(0);
    expect('Partial words then nothing more arrives here.'.startsWith(reply.content)).toBe(true);
    const notice = app.services.texts.t('tr', 'error.all_models_failed');
    const last = telegram.sentMessages(EMRE.id).at(-1);
    expect(last?.text).toContain(notice);
    expect(last?.text).toContain(reply.content);
  });

  it('a cut-off notice after open code stays outside it', async () => {
    harness = await startBotHarness();
    const { telegram, openai, app } = harness;
    openai.script(PRIMARY_MODEL_ID, { text: 'Kod:\n\n```python\nfor i in range(3):\n    print(i)', finishReason: 'length' });
    telegram.sendText(EMRE, 'kod yaz');

    await storedReplyMetadata(harness);
    const html = telegram.sentMessages(EMRE.id).at(-1)?.html ?? '';
    const notice = app.services.texts.t('tr', 'notice.cut_off');
    expect(checkTelegramHtml(html).ok).toBe(true);
    expect(html).toContain('<pre><code class="language-python">for i in range(3):\n    print(i)</code></pre>');
    expect(html.endsWith(`</pre>\n\n<i>${notice}</i>`)).toBe(true);
  });

  it('an error after cut open code stays outside it', async () => {
    harness = await startBotHarness();
    const { telegram, openai, app } = harness;
    openai.script(PRIMARY_MODEL_ID, { cutAfterChunks: 3, text: '```js\nconst a = 1;\nconst b = 2;', chunkSize: 8 });
    openai.script(FALLBACK_MODEL_ID, { status: 500, error: { message: 'down', type: 'server_error', code: null } });
    telegram.sendText(EMRE, 'kod yaz');

    const metadata = await storedReplyMetadata(harness);
    expect(metadata.status).toBe('interrupted');
    const html = telegram.sentMessages(EMRE.id).at(-1)?.html ?? '';
    const error = app.services.texts.t('tr', 'error.all_models_failed');
    expect(checkTelegramHtml(html).ok).toBe(true);
    expect(html.startsWith('<pre><code class="language-js">')).toBe(true);
    expect(html.endsWith(`</pre>\n\n⚠️ <i>${error}</i>`)).toBe(true);
  });
});

describe('Telegram streaming edits', () => {
  it('"message is not modified" counts as success', async () => {
    harness = await startBotHarness();
    const { telegram, openai } = harness;
    telegram.failNext('sendMessageDraft', { error_code: 400, description: 'Bad Request: method is not available' });
    telegram.failNext(
      'editMessageText',
      {
        error_code: 400,
        description:
          'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
      },
      5,
    );
    const text = 'Edited answer that grows over several chunks until it is complete.';
    openai.script(PRIMARY_MODEL_ID, { text, chunkSize: 5, delayMs: 80 });
    telegram.sendText(EMRE, 'edit me');

    const metadata = await storedReplyMetadata(harness);
    expect(metadata.delivery_error).toBeUndefined();
    expect(metadata.status).toBe('complete');
    expect((metadata.platform_message_ids as string[]).length).toBe(1);
  });
});

describe('Telegram typing indicator', () => {
  it('follows chat.typing_interval_seconds', async () => {
    harness = await startBotHarness();
    const { telegram, openai, app } = harness;
    await app.services.settings.set('chat.typing_interval_seconds', '1', 'test');
    // One chunk after 2.5 s, so the typing indicator runs alone until then.
    openai.setDefault(PRIMARY_MODEL_ID, { text: 'Done.', chunkSize: 100, delayMs: 2_500 });

    telegram.sendText(LEYLA, 'Take your time');
    await telegram.waitForMessages(LEYLA.id, 1, 20_000);

    const times = telegram.chatActions(LEYLA.id).map((action) => action.at);
    expect(times.length).toBeGreaterThanOrEqual(3);
    for (const [index, at] of times.slice(1).entries()) expect(at - times[index]!).toBeGreaterThanOrEqual(900);
  });
});

describe('Telegram final message after drafts', () => {
  it('follows the last draft without waiting a second', async () => {
    // The fake enforces Telegram's flood limits, which count drafts in the chat's rate.
    harness = await startBotHarness();
    const { telegram, openai } = harness;
    // About 3.3 s of streaming. Drafts go out about once a second, so the last one comes about
    // 0.2 s before the stream ends.
    openai.setDefault(PRIMARY_MODEL_ID, { text: 'x'.repeat(330), chunkSize: 10, delayMs: 100 });

    telegram.sendText(LEYLA, 'Stream a long answer');
    const [final] = await telegram.waitForMessages(LEYLA.id, 1, 20_000);

    const lastDraft = telegram.drafts(LEYLA.id).at(-1);
    expect(lastDraft).toBeDefined();
    // Before the per-chat burst, the final sendMessage waited for the slot a second after it.
    expect(final!.sent_at - lastDraft!.at).toBeLessThan(900);
    expect(telegram.calls().filter((call) => (call.response as { error_code?: number }).error_code === 429)).toEqual([]);
  });
});
