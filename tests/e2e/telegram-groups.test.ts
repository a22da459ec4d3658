import { sql, type Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/schema.js';
import { startBotHarness, type BotHarness } from '../support/bot-harness.js';
import { eventually } from '../support/eventually.js';
import type { SentMessage } from '../support/fake-telegram/types.js';
import { startFakeTxt2Img, type FakeTxt2Img } from '../support/fake-txt2img.js';

const ADMIN = { id: 8001, first_name: 'Ada', username: 'ada_admin', language_code: 'en' };
const UMUT = { id: 8002, first_name: 'Umut', username: 'umut', language_code: 'tr' };
const EVE = { id: 8003, first_name: 'Eve', username: 'eve', language_code: 'en' };

type Member = typeof ADMIN;

const SUPERGROUP = { id: -1_001_234_567_890, type: 'supergroup', title: 'Team' };

/** Telegram caps the text of a callback query answer at 200 characters. */
const CALLBACK_ANSWER_MAX_LENGTH = 200;

let harness: BotHarness | undefined;
let txt2img: FakeTxt2Img | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
  await txt2img?.close();
  txt2img = undefined;
});

/** Builds the `message` update of `from` writing `text` in the supergroup, with the entity a client adds to a command. */
function groupMessage(from: Member, text: string): Record<string, unknown> {
  const command = /^\/[A-Za-z0-9_]{1,32}(?:@\w+)?/.exec(text);
  return {
    message: {
      chat: SUPERGROUP,
      from: { is_bot: false, ...from },
      text,
      ...(command ? { entities: [{ type: 'bot_command', offset: 0, length: command[0].length }] } : {}),
    },
  };
}

let callbackCounter = 0;

/** Builds the `callback_query` update of `from` pressing a button with `data` under bot message `message` in the supergroup. */
function groupButtonPress(harnessInUse: BotHarness, from: Member, message: SentMessage, data: string): Record<string, unknown> {
  callbackCounter += 1;
  const bot = harnessInUse.telegram.botInfo;
  return {
    callback_query: {
      id: `group-callback-${callbackCounter}`,
      from: { is_bot: false, ...from },
      message: {
        message_id: message.message_id,
        date: Math.floor(message.sent_at / 1000),
        chat: SUPERGROUP,
        from: { id: bot.id, is_bot: true, first_name: bot.first_name, username: bot.username },
        text: message.text,
        reply_markup: { inline_keyboard: [[{ text: 'OK', callback_data: data }]] },
      },
      chat_instance: `chat-instance-${SUPERGROUP.id}`,
      data,
    },
  };
}

/**
 * Reads every row of every table except `platform_updates`, the journal that records each
 * update whatever its handler does. Rows are sorted JSON, so the order of a table does not matter.
 */
async function snapshotDatabase(db: Kysely<Database>): Promise<Record<string, string[]>> {
  const tables = await sql<{ name: string }>`
    select name from sqlite_master
    where type = 'table' and name not like 'sqlite_%' and name != 'platform_updates'
    order by name`.execute(db);
  const snapshot: Record<string, string[]> = {};
  for (const { name } of tables.rows) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(db);
    snapshot[name] = rows.rows.map((row) => JSON.stringify(row)).sort();
  }
  return snapshot;
}

/** Starts the bot with `ADMIN` listed as an admin and no pacing, and lets each member write to it in private once. */
async function startWithMembers(): Promise<BotHarness> {
  const started = await startBotHarness({ env: { ADMIN_IDS: `telegram:${ADMIN.id}` }, telegram: { limits: false } });
  await started.app.services.settings.set('telegram.chat_messages_per_second', '0', 'test');
  started.telegram.sendText(UMUT, 'merhaba');
  started.telegram.sendText(EVE, 'hello');
  started.telegram.sendText(ADMIN, '/start');
  await started.telegram.waitForMessages(UMUT.id, 1);
  await started.telegram.waitForMessages(EVE.id, 1);
  await started.telegram.waitForMessages(ADMIN.id, 1);
  // The delivery of a chat reply is written after it was sent, so a snapshot waits for it.
  await eventually(async () => {
    const replies = await started.app.db.selectFrom('messages').select('extra_metadata').where('role', '=', 'assistant').execute();
    return replies.length === 2 && replies.every((reply) => reply.extra_metadata.includes('platform_message_ids'));
  }, 'both chat replies to be recorded as delivered');
  return started;
}

describe('Telegram commands in a supergroup', () => {
  it('private commands get the private-only text', async () => {
    harness = await startWithMembers();
    const { telegram, app, openai } = harness;
    const texts = app.services.texts;
    const before = await snapshotDatabase(app.db);
    const chatRequests = openai.requests.length;

    const cases: Array<{ from: Member; text: string; locale: 'en' | 'tr' }> = [
      { from: UMUT, text: '/forget_me', locale: 'tr' },
      { from: UMUT, text: '/forget_me@nova_test_bot confirm', locale: 'tr' },
      { from: ADMIN, text: '/invite create 1', locale: 'en' },
      { from: ADMIN, text: '/config list', locale: 'en' },
      { from: EVE, text: '/usage', locale: 'en' },
      { from: EVE, text: '/history', locale: 'en' },
      { from: EVE, text: '/prefs', locale: 'en' },
      { from: EVE, text: '/persona coder', locale: 'en' },
      { from: EVE, text: '/ciz@nova_test_bot kırmızı bir tilki', locale: 'en' },
      { from: UMUT, text: '/imagine a red fox', locale: 'tr' },
    ];
    for (const { from, text } of cases) telegram.sendUpdate(groupMessage(from, text));
    // Updates of one chat are handled in order, so this one is done when the last reply arrives.
    telegram.sendUpdate(groupMessage(EVE, '/forget_me@other_bot confirm'));
    telegram.sendUpdate(groupMessage(EVE, '/usage@nova_test_bot'));

    const replies = await telegram.waitForMessages(SUPERGROUP.id, cases.length + 1);
    for (const [index, { text, locale }] of [...cases, { text: '/usage@nova_test_bot', locale: 'en' as const }].entries()) {
      expect(replies[index]?.text, text).toBe(texts.t(locale, 'command.private_only'));
      expect(replies[index]?.reply_markup, text).toBeUndefined();
    }
    expect(replies).toHaveLength(cases.length + 1);
    expect(replies.some((reply) => reply.text?.includes('t.me/'))).toBe(false);

    expect(await app.db.selectFrom('invites').selectAll().execute()).toEqual([]);
    expect(await snapshotDatabase(app.db)).toEqual(before);
    expect(openai.requests.length).toBe(chatRequests);
    expect(telegram.chatActions(SUPERGROUP.id)).toEqual([]);
    expect(telegram.sentMessages(UMUT.id)).toHaveLength(1);
    expect(telegram.sentMessages(EVE.id)).toHaveLength(1);
  });

  it('/help, /yardim and /start still answer', async () => {
    harness = await startWithMembers();
    const { telegram, app } = harness;
    const texts = app.services.texts;

    telegram.sendUpdate(groupMessage(EVE, '/help'));
    telegram.sendUpdate(groupMessage(UMUT, '/yardim@nova_test_bot'));
    telegram.sendUpdate(groupMessage(EVE, '/start'));

    const [help, yardim, start] = await telegram.waitForMessages(SUPERGROUP.id, 3);
    expect(help?.text).toContain(texts.t('en', 'help').split('\n')[0]);
    expect(yardim?.text).toContain(texts.t('tr', 'help').split('\n')[0]);
    expect(start?.text).toBe(`${texts.t('en', 'welcome', { name: 'Eve', assistant: 'Nova' })}\n\n${texts.t('en', 'notice.private_chat')}`);
  });

  it('/start and /help point to the private chat', async () => {
    harness = await startWithMembers();
    const { telegram, app } = harness;
    const note = app.services.texts.t('tr', 'notice.private_chat');

    telegram.sendUpdate(groupMessage(UMUT, '/start'));
    telegram.sendUpdate(groupMessage(UMUT, '/help'));

    const [start, help] = await telegram.waitForMessages(SUPERGROUP.id, 2);
    expect(start?.text?.endsWith(`\n\n${note}`)).toBe(true);
    expect(help?.text?.endsWith(`\n\n${note}`)).toBe(true);
    expect(note).toBe('Mesajlara yalnızca özel sohbette yanıt veriyorum, bu yüzden bana oradan yaz.');
  });

  it('/new still explains that conversations are private', async () => {
    harness = await startWithMembers();
    const { telegram, app } = harness;
    const conversations = await app.db.selectFrom('conversations').select('id').execute();

    telegram.sendUpdate(groupMessage(UMUT, '/new'));

    const [reply] = await telegram.waitForMessages(SUPERGROUP.id, 1);
    expect(reply?.text).toBe(app.services.texts.t('tr', 'conversation.private_only'));
    expect(await app.db.selectFrom('conversations').select('id').execute()).toEqual(conversations);
  });

  it('button presses run nothing and answer with a notice', async () => {
    harness = await startWithMembers();
    const { telegram, app } = harness;
    const texts = app.services.texts;
    telegram.sendUpdate(groupMessage(UMUT, '/help'));
    const [helpReply] = await telegram.waitForMessages(SUPERGROUP.id, 1);
    const before = await snapshotDatabase(app.db);
    const eveMessages = await app.db
      .selectFrom('messages')
      .innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
      .innerJoin('users', 'users.id', 'conversations.user_id')
      .select('messages.id')
      .where('users.username', '=', `telegram:${EVE.id}`)
      .execute();
    expect(eveMessages.length).toBeGreaterThan(0);

    const presses: Array<{ from: Member; data: string; locale: 'en' | 'tr' }> = [
      { from: EVE, data: '/forget_me confirm', locale: 'en' },
      { from: EVE, data: '/persona coder', locale: 'en' },
      { from: UMUT, data: '/language en', locale: 'tr' },
      { from: UMUT, data: '/vote like 1', locale: 'tr' },
      { from: EVE, data: '/help', locale: 'en' },
    ];
    for (const { from, data } of presses) telegram.sendUpdate(groupButtonPress(harness, from, helpReply!, data));

    const answers = await telegram.waitFor((fake) => (fake.callbackAnswers().length === presses.length ? fake.callbackAnswers() : undefined));
    for (const [index, { data, locale }] of presses.entries()) {
      expect(answers[index]?.text, data).toBe(texts.t(locale, 'command.private_only'));
      expect(answers[index]?.show_alert, data).toBeUndefined();
      expect(answers[index]?.text?.length ?? 0, data).toBeLessThanOrEqual(CALLBACK_ANSWER_MAX_LENGTH);
    }

    expect(await snapshotDatabase(app.db)).toEqual(before);
    expect(telegram.sentMessages(SUPERGROUP.id)).toHaveLength(1);
    expect(telegram.sentMessages(SUPERGROUP.id)[0]?.history).toEqual([]);
    expect(telegram.calls('editMessageReplyMarkup')).toEqual([]);
  });
});

describe('Telegram /imagine captions', () => {
  /** Starts the bot with a fake image server. */
  async function startWithImages(): Promise<BotHarness> {
    txt2img = await startFakeTxt2Img();
    return startBotHarness({ env: { IMAGE_API_BASE_URL: txt2img.baseUrl } });
  }

  /** Resolves with the platform message ids recorded for the stored image reply. */
  async function recordedMessageIds(db: Kysely<Database>): Promise<unknown[]> {
    return eventually(async () => {
      const row = await db.selectFrom('messages').select('extra_metadata').where('role', '=', 'assistant').executeTakeFirst();
      const metadata = JSON.parse(row?.extra_metadata ?? '{}') as { platform_message_ids?: unknown[] };
      return metadata.platform_message_ids;
    }, 'the image delivery to be recorded');
  }

  it('caption shows the prompt as typed', async () => {
    harness = await startWithImages();
    const { telegram, app } = harness;
    const prompt = '**kırmızı** bir _tilki_ <b>karda</b> & `kod`';

    telegram.sendText(UMUT, `/imagine ${prompt}`);

    const [photo] = await telegram.waitForMessages(UMUT.id, 1, 10_000);
    expect(photo?.method).toBe('sendPhoto');
    expect(photo?.parse_mode).toBe('HTML');
    expect(photo?.caption).toBe(app.services.texts.t('tr', 'image.caption', { prompt }));
    expect(photo?.caption).not.toContain('\\');
    expect(txt2img?.requests[0]?.body.prompt).toContain(prompt);
    expect(await recordedMessageIds(app.db)).toEqual([String(photo?.message_id)]);
  });

  it('caption over 1024 after rendering continues in a message', async () => {
    harness = await startWithImages();
    const { telegram, app } = harness;
    // A thematic break is 3 characters of Markdown and renders as a 10-character line, so
    // this caption fits 1024 characters as Markdown but not once rendered.
    const breaks = 124;
    const prompt = `${'x\n\n---\n\n'.repeat(breaks)}end`;
    const markdown = app.services.texts.t('tr', 'image.caption', { prompt });
    expect(markdown.length).toBeLessThanOrEqual(1024);

    telegram.sendText(UMUT, `/imagine ${prompt}`);

    const messages = await telegram.waitForMessages(UMUT.id, 2, 10_000);
    const [photo, followUp] = messages;
    expect(photo?.method).toBe('sendPhoto');
    expect(photo?.parse_mode).toBe('HTML');
    expect(photo?.caption?.length ?? 0).toBeLessThanOrEqual(1024);
    expect(followUp?.method).toBe('sendMessage');
    expect(followUp?.parse_mode).toBe('HTML');

    const visibleText = [photo?.caption ?? '', ...messages.slice(1).map((message) => message.text ?? '')].join('\n');
    expect(visibleText.match(/─{10}/g)).toHaveLength(breaks);
    expect(visibleText.match(/x/g)).toHaveLength(breaks);
    expect(visibleText.endsWith('end')).toBe(true);
    expect(await recordedMessageIds(app.db)).toEqual(messages.map((message) => String(message.message_id)));
  });

  it('caption falls back to plain text when Telegram rejects its HTML', async () => {
    harness = await startWithImages();
    const { telegram, app } = harness;
    const prompt = '**kırmızı** bir _tilki_';
    telegram.failNext('sendPhoto', { error_code: 400, description: "Bad Request: can't parse entities: unexpected end tag at byte offset 3" });

    telegram.sendText(UMUT, `/imagine ${prompt}`);

    const [photo] = await telegram.waitForMessages(UMUT.id, 1, 10_000);
    expect(photo?.method).toBe('sendPhoto');
    expect(photo?.parse_mode).toBeUndefined();
    expect(photo?.caption).toBe(app.services.texts.t('tr', 'image.caption', { prompt }));
    expect(telegram.calls('sendPhoto')).toHaveLength(2);
    expect(await recordedMessageIds(app.db)).toEqual([String(photo?.message_id)]);
  });
});
