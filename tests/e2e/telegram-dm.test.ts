import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { checkTelegramHtml } from '../support/telegram-html-checker.js';
import { FALLBACK_MODEL_ID, LOCAL_MODEL_ID, PRIMARY_MODEL_ID, setSetting, startBotHarness, type BotHarness } from '../support/bot-harness.js';

const ALICE = { id: 1001, first_name: 'Alice', username: 'alice', language_code: 'en' };
const AYSE = { id: 1002, first_name: 'Ayşe', username: 'ayse', language_code: 'tr' };

let harness: BotHarness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function start(options?: Parameters<typeof startBotHarness>[0]): Promise<BotHarness> {
  harness = await startBotHarness(options);
  return harness;
}

function systemPromptOf(request: { body: { messages: Array<{ role: string; content: unknown }> } }): string {
  return String(request.body.messages[0]?.content ?? '');
}

describe('Telegram DM end to end', () => {
  it('first DM creates the user, a conversation and two messages', async () => {
    const { telegram, app } = await start();
    telegram.sendText(ALICE, 'What is the capital of France?');

    const [reply] = await telegram.waitForMessages(ALICE.id, 1);
    expect(reply?.text).toBe('Reply to: What is the capital of France?');

    const user = await app.db.selectFrom('users').selectAll().where('username', '=', 'telegram:1001').executeTakeFirstOrThrow();
    expect(user.role).toBe('user');
    expect(user.active_persona).toBe('standard');
    expect(user.display_name).toBe('Alice');
    expect(user.platform_username).toBe('alice');

    const conversations = await app.db.selectFrom('conversations').selectAll().where('user_id', '=', user.id).execute();
    expect(conversations).toHaveLength(1);
    expect(conversations[0]?.title).toBe('What is the capital of France?');
    expect(conversations[0]?.platform).toBe('telegram');
    expect(conversations[0]?.chat_id).toBe('1001');

    const messages = await app.db.selectFrom('messages').selectAll().orderBy('id').execute();
    expect(messages.map((message) => message.role)).toEqual(['user', 'assistant']);
    expect(messages[0]?.content).toBe('What is the capital of France?');
    const metadata = JSON.parse(messages[1]?.extra_metadata ?? '{}') as Record<string, unknown>;
    expect(metadata.status).toBe('complete');
    expect(metadata.model).toBe('groq-llama-3.3-70b');
    expect(metadata.provider).toBe('groq');
    expect(metadata.engine).toBe('cloud');
    expect(metadata.cached).toBe(false);
    expect(typeof metadata.latency_ms).toBe('number');

    const delivered = await eventually(async () => {
      const row = await app.db.selectFrom('messages').select('extra_metadata').where('id', '=', messages[1]!.id).executeTakeFirst();
      return (JSON.parse(row?.extra_metadata ?? '{}') as { platform_message_ids?: string[] }).platform_message_ids;
    }, 'the reply delivery to be recorded');
    expect(delivered).toEqual([String(reply?.message_id)]);

    const usage = await app.db.selectFrom('usage_counters').selectAll().where('user_id', '=', user.id).executeTakeFirstOrThrow();
    expect(usage.total_chat_count).toBe(1);
    expect(usage.groq_count).toBe(1);
    expect(usage.local_count).toBe(0);
    expect(telegram.chatActions(ALICE.id).some((action) => action.action === 'typing')).toBe(true);
  });

  it('second DM sends the first turn as context', async () => {
    const { telegram, openai } = await start();
    telegram.sendText(ALICE, 'My name is Alice.');
    await telegram.waitForMessages(ALICE.id, 1);
    telegram.sendText(ALICE, 'What is my name?');
    await telegram.waitForMessages(ALICE.id, 2);

    const second = openai.requests.at(-1)!;
    const turns = second.body.messages.filter((message) => message.role !== 'system').map((message) => message.content);
    expect(turns.slice(-3)).toEqual(['My name is Alice.', 'Reply to: My name is Alice.', 'What is my name?']);
  });

  it('persona set in the database changes the system prompt', async () => {
    const { telegram, openai, app } = await start();
    telegram.sendText(ALICE, 'hello');
    await telegram.waitForMessages(ALICE.id, 1);
    expect(systemPromptOf(openai.requests.at(-1)!)).toContain('Persona "');

    const coder = await app.db.selectFrom('persona_configs').selectAll().where('name', '=', 'coder').executeTakeFirstOrThrow();
    await app.db.updateTable('users').set({ active_persona: 'coder' }).where('username', '=', 'telegram:1001').execute();
    telegram.sendText(ALICE, 'hello again');
    await telegram.waitForMessages(ALICE.id, 2);

    const prompt = systemPromptOf(openai.requests.at(-1)!);
    expect(prompt).toContain(`Persona "${coder.display_name}"`);
    expect(prompt).toContain(coder.system_prompt.trim().slice(0, 60));
  });

  it('primary model failing falls back to the next', async () => {
    const { telegram, openai, app } = await start();
    openai.script(PRIMARY_MODEL_ID, { status: 500, error: { message: 'upstream exploded', type: 'server_error', code: null } });
    telegram.sendText(ALICE, 'Are you there?');

    const [reply] = await telegram.waitForMessages(ALICE.id, 1);
    expect(reply?.text).toBe('Reply to: Are you there?');
    expect(openai.requests.map((request) => request.body.model)).toEqual([PRIMARY_MODEL_ID, FALLBACK_MODEL_ID]);

    const stored = await app.db.selectFrom('messages').selectAll().where('role', '=', 'assistant').executeTakeFirstOrThrow();
    const metadata = JSON.parse(stored.extra_metadata) as { model: string; attempts: Array<{ ok: boolean }> };
    expect(metadata.model).toBe('groq-llama-3.1-8b');
    expect(metadata.attempts.map((attempt) => attempt.ok)).toEqual([false, true]);
  });

  it('every model failing gives a localized error and keeps the message', async () => {
    const { telegram, openai, app } = await start();
    const failure = { status: 503, error: { message: 'overloaded', type: 'server_error', code: null } };
    openai.setDefault(PRIMARY_MODEL_ID, failure);
    openai.setDefault(FALLBACK_MODEL_ID, failure);
    telegram.sendText(AYSE, 'Merhaba, nasılsın?');

    const [reply] = await telegram.waitForMessages(AYSE.id, 1);
    const turkishError = await app.db
      .selectFrom('ui_text_configs')
      .select('value')
      .where('key', '=', 'error.all_models_failed')
      .where('locale', '=', 'tr')
      .executeTakeFirstOrThrow();
    expect(reply?.text).toBe(turkishError.value);

    const messages = await app.db.selectFrom('messages').selectAll().orderBy('id').execute();
    expect(messages[0]?.role).toBe('user');
    expect(messages[0]?.content).toBe('Merhaba, nasılsın?');
    expect(messages[1]?.role).toBe('assistant');
    expect(JSON.parse(messages[1]?.extra_metadata ?? '{}').status).toBe('failed');

    const usage = await app.db.selectFrom('usage_counters').selectAll().execute();
    expect(usage).toHaveLength(0);
  });

  it('a 9,000-character reply with code arrives as several valid messages', async () => {
    const { telegram, openai } = await start({ telegram: { limits: false } });
    const paragraph = 'Here is a line of explanation with <angle> & ampersand characters. '.repeat(20);
    const code = ['```ts', ...Array.from({ length: 60 }, (_, i) => `const value${i} = ${i} < 10 && ${i} > 2; // check ${i}`), '```'].join('\n');
    let text = '';
    while (text.length < 9_000) text += `${paragraph}\n\n${code}\n\n**Bold** and _italic_ 🇹🇷 İstanbul.\n\n`;
    openai.script(PRIMARY_MODEL_ID, { text });
    telegram.sendText(ALICE, 'Write a long answer with code');

    const deliveredIds = await eventually(async () => {
      const reply = await harness!.app.db.selectFrom('messages').select('extra_metadata').where('role', '=', 'assistant').executeTakeFirst();
      return (JSON.parse(reply?.extra_metadata ?? '{}') as { platform_message_ids?: string[] }).platform_message_ids;
    }, 'the reply delivery to be recorded', 15_000);
    const all = telegram.sentMessages(ALICE.id);
    expect(all.length).toBeGreaterThanOrEqual(3);
    expect(deliveredIds).toEqual(all.map((message) => String(message.message_id)));
    for (const message of all) {
      expect(message.params.parse_mode).toBe('HTML');
      const checked = checkTelegramHtml(String(message.params.text));
      expect(checked.ok).toBe(true);
      expect((message.text ?? '').length).toBeLessThanOrEqual(4096);
    }
    const visible = all.map((message) => message.text ?? '').join('');
    expect(visible).toContain('const value59 = 59 < 10 && 59 > 2; // check 59');
    expect(visible.match(/🇹🇷 İstanbul\./g)?.length).toBe(text.match(/🇹🇷 İstanbul\./g)?.length);
  });

  it('formatting rejected by Telegram is resent as plain text', async () => {
    const { telegram, openai } = await start();
    openai.script(PRIMARY_MODEL_ID, { text: 'Some **bold** answer' });
    telegram.failNext('sendMessage', { error_code: 400, description: "Bad Request: can't parse entities: unsupported start tag" });
    telegram.sendText(ALICE, 'format me');

    const [reply] = await telegram.waitForMessages(ALICE.id, 1);
    expect(reply?.text).toBe('Some bold answer');
    expect(reply?.params.parse_mode).toBeUndefined();
  });

  it('invite mode refuses an unknown user until /start CODE', async () => {
    const { telegram, app } = await start();
    await setSetting(harness!, 'access.mode', 'invite');
    await app.db
      .insertInto('invites')
      .values({ code: 'A1B2C3D4E5', created_by: 'system', is_used: 0, used_by: null, used_at: null, created_at: new Date().toISOString() })
      .execute();

    telegram.sendText(ALICE, 'hello?');
    const [refusal] = await telegram.waitForMessages(ALICE.id, 1);
    expect(refusal?.text).toContain('/start');
    expect(await app.db.selectFrom('users').selectAll().execute()).toHaveLength(0);
    expect(await app.db.selectFrom('messages').selectAll().execute()).toHaveLength(0);

    telegram.sendText(ALICE, '/start WRONGCODE1');
    await telegram.waitForMessages(ALICE.id, 2);
    expect(await app.db.selectFrom('users').selectAll().execute()).toHaveLength(0);

    telegram.sendText(ALICE, '/start a1b2c3d4e5');
    await telegram.waitForMessages(ALICE.id, 3);
    const invite = await app.db.selectFrom('invites').selectAll().executeTakeFirstOrThrow();
    expect(invite.is_used).toBe(1);
    expect(invite.used_by).toBe('telegram:1001');

    telegram.sendText(ALICE, 'now can I talk?');
    const messages = await telegram.waitForMessages(ALICE.id, 4);
    expect(messages[3]?.text).toBe('Reply to: now can I talk?');
  });

  it('daily limit refuses the next message in the user language', async () => {
    const { telegram, app, openai } = await start();
    telegram.sendText(AYSE, 'ilk mesaj');
    await telegram.waitForMessages(AYSE.id, 1);
    await app.db.updateTable('users').set({ limits: JSON.stringify({ daily_chat: 1 }) }).where('username', '=', 'telegram:1002').execute();

    const requestsBefore = openai.requests.length;
    telegram.sendText(AYSE, 'ikinci mesaj');
    const messages = await telegram.waitForMessages(AYSE.id, 2);
    const expected = app.services.texts.t('tr', 'refusal.limit_daily_chat', { limit: 1 });
    expect(messages[1]?.text).toBe(expected);
    expect(openai.requests.length).toBe(requestsBefore);
  });

  it('/start welcomes in the user language and the menu is registered', async () => {
    const { telegram, app } = await start();
    telegram.sendText(AYSE, '/start');
    const [welcome] = await telegram.waitForMessages(AYSE.id, 1);
    expect(welcome?.text).toBe(app.services.texts.t('tr', 'welcome', { name: 'Ayşe', assistant: 'Nova' }));

    const english = telegram.commands();
    const turkish = telegram.commands({ type: 'default' }, 'tr');
    expect(english.map((command) => command.command)).toEqual(expect.arrayContaining(['start', 'help', 'new']));
    expect(turkish.find((command) => command.command === 'new')?.description).toBe(app.services.texts.t('tr', 'command.new.description'));
  });

  it('/new starts a fresh context', async () => {
    const { telegram, openai, app } = await start();
    telegram.sendText(ALICE, 'remember the number 42');
    await telegram.waitForMessages(ALICE.id, 1);
    telegram.sendText(ALICE, '/new');
    await telegram.waitForMessages(ALICE.id, 2);
    telegram.sendText(ALICE, 'which number?');
    await telegram.waitForMessages(ALICE.id, 3);

    const last = openai.requests.at(-1)!;
    const contents = last.body.messages.map((message) => String(message.content));
    expect(contents.some((content) => content.includes('remember the number 42'))).toBe(false);
    expect(await app.db.selectFrom('conversations').selectAll().execute()).toHaveLength(2);
  });

  it('Telegram 429 on a reply is waited out and the reply arrives', async () => {
    const { telegram } = await start();
    telegram.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 1', retry_after: 1 });
    telegram.sendText(ALICE, 'ping');
    const [reply] = await telegram.waitForMessages(ALICE.id, 1);
    expect(reply?.text).toBe('Reply to: ping');
  });

  it('a repeated first question is answered from the cache', async () => {
    const { telegram, openai, app } = await start();
    telegram.sendText(ALICE, 'What is 2+2?');
    await telegram.waitForMessages(ALICE.id, 1);
    telegram.sendText(ALICE, '/new');
    await telegram.waitForMessages(ALICE.id, 2);
    const requestsBefore = openai.requests.length;
    telegram.sendText(ALICE, '  what IS 2+2 ');
    const messages = await telegram.waitForMessages(ALICE.id, 3);

    expect(messages[2]?.text).toBe('Reply to: What is 2+2?');
    expect(openai.requests.length).toBe(requestsBefore);
    const cached = await app.db.selectFrom('messages').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(JSON.parse(cached.extra_metadata).cached).toBe(true);
    const usage = await app.db.selectFrom('usage_counters').selectAll().executeTakeFirstOrThrow();
    expect(usage.total_chat_count).toBe(2);
    expect(usage.groq_count).toBe(1);
  });

  it('a preference change bypasses the cached answer', async () => {
    const { telegram, openai } = await start();
    telegram.sendText(ALICE, 'Explain photosynthesis');
    await telegram.waitForMessages(ALICE.id, 1);
    telegram.sendText(ALICE, '/prefs set verbosity very short');
    telegram.sendText(ALICE, '/new');
    await telegram.waitForMessages(ALICE.id, 3);
    const requestsBefore = openai.requests.length;

    telegram.sendText(ALICE, 'Explain photosynthesis');
    await telegram.waitForMessages(ALICE.id, 4);

    expect(openai.requests.length).toBe(requestsBefore + 1);
  });
  it('unexpected failure gets the internal error notice', async () => {
    const { telegram, openai, app } = await start();
    // The trigger makes storing this one message fail, as a full disk or a damaged file would.
    await sql`CREATE TRIGGER reject_boom BEFORE INSERT ON messages WHEN NEW.content = 'boom'
      BEGIN SELECT RAISE(ABORT, 'injected failure'); END`.execute(app.db);

    telegram.sendText(AYSE, 'boom');
    const [notice] = await telegram.waitForMessages(AYSE.id, 1);

    expect(notice?.text).toBe(app.services.texts.t('tr', 'error.internal'));
    expect(openai.requests).toHaveLength(0);
    const journal = await eventually(
      () => app.db.selectFrom('platform_updates').select('status').where('status', '!=', 'received').executeTakeFirst(),
      'the journal row to be finished',
    );
    expect(journal.status).toBe('failed');
  });
});

describe('Telegram non-text and blocked users', () => {
  it('a photo gets a localized note and no model call', async () => {
    const { telegram, openai, app } = await start();
    telegram.sendUpdate({
      message: {
        chat: { id: AYSE.id, type: 'private', first_name: AYSE.first_name },
        from: { id: AYSE.id, is_bot: false, first_name: AYSE.first_name, language_code: 'tr' },
        photo: [{ file_id: 'photo-1', file_unique_id: 'p1', width: 90, height: 90 }],
      },
    });
    const [note] = await telegram.waitForMessages(AYSE.id, 1);
    expect(note?.text).toBe(app.services.texts.t('tr', 'notice.unsupported_message'));
    expect(openai.requests).toHaveLength(0);
  });

  it('blocked bot marks the user', async () => {
    const { telegram, app } = await start();
    telegram.sendText(ALICE, 'first');
    await telegram.waitForMessages(ALICE.id, 1);
    telegram.blockUser(ALICE.id);
    telegram.sendText(ALICE, 'second');

    const user = await eventually(
      () => app.db.selectFrom('users').selectAll().where('username', '=', 'telegram:1001').where('blocked_at', 'is not', null).executeTakeFirst(),
      'the user to be marked as blocking the bot',
    );
    expect(user.blocked_at).not.toBeNull();
    const reply = await eventually(async () => {
      const row = await app.db.selectFrom('messages').selectAll().where('role', '=', 'assistant').orderBy('id', 'desc').executeTakeFirst();
      const metadata = JSON.parse(row?.extra_metadata ?? '{}') as Record<string, unknown>;
      return metadata.delivery_error ? metadata : undefined;
    }, 'the failed delivery to be recorded');
    expect(reply.status).toBe('failed');
    // Only the delivered reply counts against the daily limits.
    const usage = await app.db.selectFrom('usage_counters').selectAll().executeTakeFirstOrThrow();
    expect(usage).toMatchObject({ total_chat_count: 1, groq_count: 1 });

    // Writing again shows the user unblocked the bot.
    telegram.unblockUser(ALICE.id);
    telegram.sendText(ALICE, 'third');
    await telegram.waitForMessages(ALICE.id, 2);
    const after = await app.db.selectFrom('users').select('blocked_at').where('username', '=', 'telegram:1001').executeTakeFirstOrThrow();
    expect(after.blocked_at).toBeNull();
  });
});

describe('Telegram daily cloud limit', () => {
  it('refuses a user without local access in their language', async () => {
    const { telegram, app, openai } = await start();
    telegram.sendText(AYSE, 'ilk');
    await telegram.waitForMessages(AYSE.id, 1);
    await app.db.updateTable('users').set({ limits: JSON.stringify({ daily_cloud: 1 }) }).where('username', '=', 'telegram:1002').execute();

    const before = openai.requests.length;
    telegram.sendText(AYSE, 'ikinci');
    const messages = await telegram.waitForMessages(AYSE.id, 2);
    expect(messages[1]?.text).toBe(app.services.texts.t('tr', 'refusal.limit_daily_cloud', { limit: 1 }));
    expect(openai.requests.length).toBe(before);
  });

  it('moves a user with local access to the local model', async () => {
    const { telegram, app, openai } = await start();
    telegram.sendText(ALICE, 'first');
    await telegram.waitForMessages(ALICE.id, 1);
    await app.db
      .updateTable('users')
      .set({ limits: JSON.stringify({ daily_cloud: 1 }), bela_unlocked: 1 })
      .where('username', '=', 'telegram:1001')
      .execute();

    telegram.sendText(ALICE, 'second');
    const messages = await telegram.waitForMessages(ALICE.id, 2);
    expect(messages[1]?.text).toBe('Reply to: second');
    expect(openai.requests.at(-1)?.body.model).toBe(LOCAL_MODEL_ID);
    const usage = await app.db.selectFrom('usage_counters').selectAll().executeTakeFirstOrThrow();
    expect(usage.groq_count).toBe(1);
    expect(usage.local_count).toBe(1);
  });
});

describe('Telegram provider rate limit', () => {
  it('says the bot is busy when every model is at its request limit', async () => {
    const { telegram, app, openai } = await start();
    await app.db.updateTable('api_configs').set({ rate_limit: 1 }).where('name', '=', 'groq').execute();
    await app.router.reload();
    telegram.sendText(ALICE, 'one');
    await telegram.waitForMessages(ALICE.id, 1);

    const before = openai.requests.length;
    telegram.sendText(ALICE, 'two');
    const messages = await telegram.waitForMessages(ALICE.id, 2);
    expect(messages[1]?.text).toBe(app.services.texts.t('en', 'error.busy'));
    expect(openai.requests.length).toBe(before);
    const stored = await app.db.selectFrom('messages').select('content').where('role', '=', 'user').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(stored.content).toBe('two');
  });
});

describe('Telegram replies without rendered text', () => {
  const cases = [
    { name: 'link reference definition', reply: '[1]: https://example.com/source', shown: '[1]: https://example.com/source' },
    {
      name: 'trailing link definitions',
      reply: 'See the sources.\n\n[1]: https://example.com/a "First"\n[2]: https://example.com/b',
      shown: 'See the sources.\n\n[1]: https://example.com/a "First"\n[2]: https://example.com/b',
    },
    { name: 'bare heading marker', reply: '#', shown: '#' },
    { name: 'empty heading', reply: '## ', shown: '##' },
    { name: 'empty code fence', reply: '```\n```', shown: '```\n```' },
  ];

  it('every non-blank reply reaches the user', async () => {
    const { telegram, openai, app } = await start();
    for (const [index, { name, reply, shown }] of cases.entries()) {
      const user = { id: 1101 + index, first_name: 'Case', language_code: 'en' };
      openai.script(PRIMARY_MODEL_ID, { text: reply });
      telegram.sendText(user, `question ${index}`);

      const metadata = await eventually(async () => {
        const row = await app.db
          .selectFrom('messages as m')
          .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
          .innerJoin('users as u', 'u.id', 'c.user_id')
          .select('m.extra_metadata')
          .where('u.username', '=', `telegram:${user.id}`)
          .where('m.role', '=', 'assistant')
          .executeTakeFirst();
        const parsed = JSON.parse(row?.extra_metadata ?? '{}') as { status?: string; platform_message_ids?: string[]; delivery_error?: string };
        return parsed.platform_message_ids || parsed.delivery_error ? parsed : undefined;
      }, `the delivery of the ${name} reply to be recorded`);

      const messages = telegram.sentMessages(user.id);
      expect(messages.map((message) => message.text?.trim()), name).toEqual([shown]);
      expect(metadata.delivery_error, name).toBeUndefined();
      expect(metadata.status, name).toBe('complete');
      expect(metadata.platform_message_ids, name).toEqual([String(messages[0]?.message_id)]);
    }
  });
});
