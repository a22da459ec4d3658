import { autoRetry } from '@grammyjs/auto-retry';
import { run, type RunnerHandle } from '@grammyjs/runner';
import { Bot, GrammyError, InlineKeyboard, InputFile } from 'grammy';
import { afterEach, describe, expect, it } from 'vitest';

import { RateLimiter } from '../../support/fake-telegram/limits.js';
import { multipartBoundary, parseMultipart } from '../../support/fake-telegram/multipart.js';
import { startFakeTelegram, type FakeTelegram, type FakeTelegramOptions } from '../../support/fake-telegram/index.js';

const ADA = { id: 1001, first_name: 'Ada', username: 'ada', language_code: 'en' };

let telegram: FakeTelegram | undefined;
let runner: RunnerHandle | undefined;

async function startFake(options?: FakeTelegramOptions): Promise<FakeTelegram> {
  telegram = await startFakeTelegram(options);
  return telegram;
}

function botFor(fake: FakeTelegram, token = fake.token): Bot {
  return new Bot(token, { client: { apiRoot: fake.apiRoot } });
}

/** Awaits a call that must fail and returns its GrammyError. */
async function grammyError(call: Promise<unknown>): Promise<GrammyError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof GrammyError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected the call to fail with a GrammyError, but it succeeded');
}

afterEach(async () => {
  if (runner?.isRunning()) {
    await runner.stop();
  }
  runner = undefined;
  await telegram?.close();
  telegram = undefined;
});

describe('fake Telegram with a running grammY bot', () => {
  it('delivers a text DM and records the reply', async () => {
    const fake = await startFake();
    const bot = botFor(fake);
    const seen: string[] = [];
    bot.on('message:text', async (ctx) => {
      seen.push(ctx.message.text);
      await ctx.reply(`echo: ${ctx.message.text}`, { parse_mode: 'HTML' });
    });
    runner = run(bot);

    fake.sendText(ADA, 'hello');
    const [reply] = await fake.waitForMessages(ADA.id, 1);

    expect(seen).toEqual(['hello']);
    expect(reply?.text).toBe('echo: hello');
    expect(reply?.parse_mode).toBe('HTML');
    expect(reply?.chat_id).toBe(ADA.id);
    // The user's message took id 1 in the private chat, so the reply is 2.
    expect(reply?.message_id).toBe(2);
  });

  it('marks a command with a bot_command entity', async () => {
    const fake = await startFake();
    const bot = botFor(fake);
    const payloads: string[] = [];
    bot.command('start', async (ctx) => {
      payloads.push(ctx.match);
      await ctx.reply('welcome');
    });
    runner = run(bot);

    const update = fake.sendText(ADA, '/start CODE42');
    await fake.waitForMessages(ADA.id, 1);

    expect(update.message?.entities).toEqual([{ type: 'bot_command', offset: 0, length: 6 }]);
    expect(payloads).toEqual(['CODE42']);
  });

  it('handles every update once (offset confirmation)', async () => {
    const fake = await startFake();
    const bot = botFor(fake);
    const handled: number[] = [];
    bot.on('message', async (ctx) => {
      handled.push(ctx.update.update_id);
      await ctx.reply('ok');
    });
    runner = run(bot);

    const ids = [fake.sendText(ADA, 'one'), fake.sendText(ADA, 'two'), fake.sendText(ADA, 'three')].map(
      (update) => update.update_id,
    );
    await fake.waitForMessages(ADA.id, 3);
    await fake.waitFor((f) => f.pendingUpdates().length === 0);

    expect([...handled].sort()).toEqual(ids);
    expect(new Set(handled).size).toBe(3);
  });

  it('answers a callback query once', async () => {
    const fake = await startFake();
    const bot = botFor(fake);
    const results: boolean[] = [];
    const secondAnswerErrors: string[] = [];
    bot.command('menu', (ctx) => ctx.reply('pick', { reply_markup: new InlineKeyboard().text('A', 'pick:a') }));
    bot.callbackQuery('pick:a', async (ctx) => {
      results.push(await ctx.answerCallbackQuery({ text: 'picked' }));
      secondAnswerErrors.push((await grammyError(ctx.answerCallbackQuery())).description);
      await ctx.editMessageText('picked A');
    });
    runner = run(bot);

    fake.sendText(ADA, '/menu');
    const [menu] = await fake.waitForMessages(ADA.id, 1);
    fake.sendCallback(ADA, menu!.message_id, 'pick:a');
    const edited = await fake.waitFor((f) => f.sentMessages(ADA.id).find((m) => m.text === 'picked A'));

    expect(results).toEqual([true]);
    expect(secondAnswerErrors).toEqual([
      'Bad Request: query is too old and response timeout expired or query ID is invalid',
    ]);
    expect(fake.callbackAnswers().map((answer) => answer.text)).toEqual(['picked']);
    expect(edited.history.map((version) => version.text)).toEqual(['pick']);
    // The edit did not repeat the keyboard, so Telegram removes it.
    expect(edited.reply_markup).toBeUndefined();
  });
});

describe('fake Telegram polling lifecycle', () => {
  it('forgets the poll of a stopped runner', async () => {
    const fake = await startFake();
    const bot = botFor(fake);
    runner = run(bot);
    await fake.waitFor((f) => f.isPolling());

    await runner.stop();
    await fake.waitFor((f) => !f.isPolling());

    // A second bot polls without a 409 from the first one's aborted request.
    const next = botFor(fake);
    const handled: string[] = [];
    next.on('message:text', (ctx) => {
      handled.push(ctx.message.text);
    });
    runner = run(next);
    fake.sendText(ADA, 'after restart');
    await fake.waitFor(() => handled.length > 0);

    expect(handled).toEqual(['after restart']);
    expect(fake.calls('getUpdates').some((call) => !call.response.ok)).toBe(false);
  });

  it('releases a held poll with no updates on close', async () => {
    const fake = await startFake();
    const bot = botFor(fake);

    const poll = bot.api.getUpdates({ timeout: 20 });
    await fake.waitFor((f) => f.isPolling());
    await fake.close();

    expect(await poll).toEqual([]);
  });

  it('delivers a raw photo update to a handler', async () => {
    const fake = await startFake();
    const bot = botFor(fake);
    const sizes: number[] = [];
    bot.on('message:photo', async (ctx) => {
      sizes.push(ctx.message.photo.length);
      await ctx.reply('nice photo');
    });
    runner = run(bot);

    fake.sendUpdate({
      message: {
        from: { ...ADA, is_bot: false },
        chat: { id: ADA.id, type: 'private', first_name: ADA.first_name },
        photo: [{ file_id: 'p1', file_unique_id: 'u1', width: 90, height: 90 }],
      },
    });
    const [reply] = await fake.waitForMessages(ADA.id, 1);

    expect(sizes).toEqual([1]);
    expect(reply?.text).toBe('nice photo');
  });
});

describe('fake Telegram validation', () => {
  it('rejects invalid HTML', async () => {
    const fake = await startFake();
    const bot = botFor(fake);
    fake.sendText(ADA, 'hi');

    const error = await grammyError(bot.api.sendMessage(ADA.id, '<b>bold</i>', { parse_mode: 'HTML' }));

    expect(error.error_code).toBe(400);
    expect(error.description).toMatch(/^Bad Request: can't parse entities: /);
    expect(fake.sentMessages(ADA.id)).toEqual([]);
  });

  it('rejects a 5000-character message as too long', async () => {
    const fake = await startFake();
    const bot = botFor(fake);
    fake.sendText(ADA, 'hi');

    const error = await grammyError(bot.api.sendMessage(ADA.id, 'x'.repeat(5000)));

    expect(error.error_code).toBe(400);
    expect(error.description).toBe('Bad Request: message is too long');
  });

  it('counts the length after HTML parsing', async () => {
    const fake = await startFake();
    const bot = botFor(fake);
    fake.sendText(ADA, 'hi');

    // 4096 visible characters plus markup passes; Telegram limits the parsed text.
    await bot.api.sendMessage(ADA.id, `<b>${'x'.repeat(4096)}</b>`, { parse_mode: 'HTML' });

    expect(fake.sentMessages(ADA.id)[0]?.text).toHaveLength(4096);
  });

  it('rejects empty and blank texts', async () => {
    const fake = await startFake();
    const bot = botFor(fake);
    fake.sendText(ADA, 'hi');

    const blank = await grammyError(bot.api.sendMessage(ADA.id, '   '));
    const emptyAfterParsing = await grammyError(bot.api.sendMessage(ADA.id, '<b></b>', { parse_mode: 'HTML' }));

    expect(blank.description).toBe('Bad Request: message text is empty');
    expect(emptyAfterParsing.description).toBe('Bad Request: message text is empty');
  });

  it('rejects MarkdownV2 as unsupported', async () => {
    const fake = await startFake();
    const bot = botFor(fake);
    fake.sendText(ADA, 'hi');

    const error = await grammyError(bot.api.sendMessage(ADA.id, '*bold*', { parse_mode: 'MarkdownV2' }));

    expect(error.description).toBe('Bad Request: unsupported parse_mode');
  });

  it('rejects a chat the user never opened', async () => {
    const fake = await startFake();
    const bot = botFor(fake);

    const error = await grammyError(bot.api.sendMessage(999, 'hello'));

    expect(error.error_code).toBe(400);
    expect(error.description).toBe('Bad Request: chat not found');
  });

  it('rejects an identical edit as not modified', async () => {
    const fake = await startFake();
    const bot = botFor(fake);
    fake.sendText(ADA, 'hi');
    const keyboard = new InlineKeyboard().text('again', 'again');
    const sent = await bot.api.sendMessage(ADA.id, '<b>done</b>', { parse_mode: 'HTML', reply_markup: keyboard });

    const error = await grammyError(
      bot.api.editMessageText(ADA.id, sent.message_id, '<b>done</b>', { parse_mode: 'HTML', reply_markup: keyboard }),
    );
    const missing = await grammyError(bot.api.editMessageText(ADA.id, 77, 'text'));
    await bot.api.editMessageText(ADA.id, sent.message_id, '<i>done</i>', { parse_mode: 'HTML', reply_markup: keyboard });

    expect(error.description).toBe(
      'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
    );
    expect(missing.description).toBe('Bad Request: message to edit not found');
    expect(fake.sentMessages(ADA.id)[0]?.html).toBe('<i>done</i>');
  });

  it('edits reply markup and deletes messages', async () => {
    const fake = await startFake();
    const bot = botFor(fake);
    fake.sendText(ADA, 'hi');
    const sent = await bot.api.sendMessage(ADA.id, 'choose', {
      reply_markup: new InlineKeyboard().text('A', 'a'),
    });

    await bot.api.editMessageReplyMarkup(ADA.id, sent.message_id, { reply_markup: new InlineKeyboard().text('B', 'b') });
    const unchanged = await grammyError(
      bot.api.editMessageReplyMarkup(ADA.id, sent.message_id, { reply_markup: new InlineKeyboard().text('B', 'b') }),
    );
    const [edited] = fake.sentMessages(ADA.id);
    await bot.api.deleteMessage(ADA.id, sent.message_id);
    const deletedAgain = await grammyError(bot.api.deleteMessage(ADA.id, sent.message_id));

    expect(edited?.reply_markup).toEqual({ inline_keyboard: [[{ text: 'B', callback_data: 'b' }]] });
    expect(edited?.history).toHaveLength(1);
    expect(unchanged.description).toMatch(/^Bad Request: message is not modified/);
    expect(fake.sentMessages(ADA.id)).toEqual([]);
    expect(deletedAgain.description).toBe('Bad Request: message to delete not found');
  });

  it('rejects editing the user\'s own message', async () => {
    const fake = await startFake();
    const bot = botFor(fake);
    const update = fake.sendText(ADA, 'mine');

    const error = await grammyError(bot.api.editMessageText(ADA.id, update.message!.message_id, 'yours'));

    expect(error.description).toBe("Bad Request: message can't be edited");
  });

  it('rejects an invalid command name and description', async () => {
    const fake = await startFake();
    const bot = botFor(fake);

    const badName = await grammyError(bot.api.setMyCommands([{ command: 'Start', description: 'Begin' }]));
    const badDescription = await grammyError(bot.api.setMyCommands([{ command: 'start', description: '' }]));
    await bot.api.setMyCommands([{ command: 'start', description: 'Başla' }], { language_code: 'tr' });

    expect(badName.error_code).toBe(400);
    expect(badName.description).toBe('Bad Request: BOT_COMMAND_INVALID');
    expect(badDescription.description).toBe('Bad Request: BOT_COMMAND_DESCRIPTION_INVALID');
    expect(fake.commands({ type: 'default' }, 'tr')).toEqual([{ command: 'start', description: 'Başla' }]);
    expect(fake.commands()).toEqual([]);
    expect(await bot.api.getMyCommands({ language_code: 'tr' })).toEqual([{ command: 'start', description: 'Başla' }]);
  });

  it('validates and records chat actions', async () => {
    const fake = await startFake();
    const bot = botFor(fake);
    fake.sendText(ADA, 'hi');

    await bot.api.sendChatAction(ADA.id, 'typing');
    const error = await grammyError(bot.api.raw.sendChatAction({ chat_id: ADA.id, action: 'dancing' as 'typing' }));

    expect(fake.chatActions(ADA.id).map((record) => record.action)).toEqual(['typing']);
    expect(error.description).toBe('Bad Request: wrong parameter action in request');
  });
});

describe('fake Telegram drafts and photos', () => {
  it('records drafts and validates them like messages', async () => {
    const fake = await startFake();
    const bot = botFor(fake);
    fake.sendText(ADA, 'hi');

    await bot.api.sendMessageDraft(ADA.id, 7, '<b>Thinking</b>', { parse_mode: 'HTML' });
    const tooLong = await grammyError(bot.api.sendMessageDraft(ADA.id, 7, 'x'.repeat(4097)));
    const badHtml = await grammyError(bot.api.sendMessageDraft(ADA.id, 7, '<b>', { parse_mode: 'HTML' }));

    expect(fake.drafts(ADA.id)).toMatchObject([{ draft_id: 7, text: 'Thinking', html: '<b>Thinking</b>' }]);
    expect(tooLong.description).toBe('Bad Request: message is too long');
    expect(badHtml.description).toMatch(/^Bad Request: can't parse entities: /);
  });

  it('rejects drafts outside private chats', async () => {
    const fake = await startFake();
    const bot = botFor(fake);
    fake.sendUpdate({
      message: { chat: { id: -100, type: 'group', title: 'Group' }, from: { ...ADA, is_bot: false }, text: '/help' },
    });

    const error = await grammyError(bot.api.sendMessageDraft(-100, 1, 'partial'));

    expect(error.description).toBe('Bad Request: TEXTDRAFT_PEER_INVALID');
  });

  it('records a multipart photo upload', async () => {
    const fake = await startFake();
    const bot = botFor(fake);
    fake.sendText(ADA, 'hi');
    const image = new Uint8Array(2048).fill(7);

    await bot.api.sendPhoto(ADA.id, new InputFile(image, 'cat.png'), { caption: '<i>a cat</i>', parse_mode: 'HTML' });
    const tooLong = await grammyError(bot.api.sendPhoto(ADA.id, new InputFile(image), { caption: 'c'.repeat(1025) }));

    const [photo] = fake.sentMessages(ADA.id);
    expect(photo?.caption).toBe('a cat');
    expect(photo?.photo).toEqual({ source: 'upload', filename: 'cat.png', size: 2048 });
    expect(tooLong.description).toBe('Bad Request: message caption is too long');
  });
});

describe('fake Telegram flood limits and injected failures', () => {
  it('answers 429 past the chat burst', async () => {
    const fake = await startFake();
    const bot = botFor(fake);
    fake.sendText(ADA, 'hi');

    for (let i = 1; i <= 3; i += 1) {
      await bot.api.sendMessage(ADA.id, `burst ${i}`);
    }
    const error = await grammyError(bot.api.sendMessage(ADA.id, 'one too many'));

    expect(error.error_code).toBe(429);
    expect(error.description).toMatch(/^Too Many Requests: retry after \d+$/);
    expect(error.parameters.retry_after).toBeGreaterThanOrEqual(1);
    expect(fake.sentMessages(ADA.id)).toHaveLength(3);
  });

  it('lets auto-retry succeed after waiting', async () => {
    const fake = await startFake();
    const bot = botFor(fake);
    bot.api.config.use(autoRetry());
    fake.sendText(ADA, 'hi');

    for (let i = 1; i <= 4; i += 1) {
      await bot.api.sendMessage(ADA.id, `message ${i}`);
    }

    const attempts = fake.calls('sendMessage');
    expect(attempts.some((call) => !call.response.ok && call.response.error_code === 429)).toBe(true);
    expect(fake.sentMessages(ADA.id).map((message) => message.text)).toEqual([
      'message 1',
      'message 2',
      'message 3',
      'message 4',
    ]);
  });

  it('sends without limits when they are off', async () => {
    const fake = await startFake({ limits: false });
    const bot = botFor(fake);
    fake.sendText(ADA, 'hi');

    for (let i = 0; i < 50; i += 1) {
      await bot.api.sendMessage(ADA.id, `fast ${i}`);
    }

    expect(fake.sentMessages(ADA.id)).toHaveLength(50);
  });

  it('fails the next calls injected with failNext', async () => {
    const fake = await startFake();
    const bot = botFor(fake);
    fake.sendText(ADA, 'hi');
    fake.failNext('sendMessage', { error_code: 502, description: 'Bad Gateway' }, 2);

    const first = await grammyError(bot.api.sendMessage(ADA.id, 'a'));
    const second = await grammyError(bot.api.sendMessage(ADA.id, 'b'));
    await bot.api.sendMessage(ADA.id, 'c');

    expect([first.error_code, second.error_code]).toEqual([502, 502]);
    expect(first.description).toBe('Bad Gateway');
    expect(fake.sentMessages(ADA.id).map((message) => message.text)).toEqual(['c']);
  });

  it('sends retry_after with an injected 429', async () => {
    const fake = await startFake();
    const bot = botFor(fake);
    fake.failNext('getMe', { error_code: 429, description: 'Too Many Requests: retry after 7', retry_after: 7 });

    const error = await grammyError(bot.api.getMe());

    expect(error.parameters.retry_after).toBe(7);
  });

  it('answers 403 for a user who blocked the bot', async () => {
    const fake = await startFake();
    const bot = botFor(fake);
    fake.sendText(ADA, 'hi');
    fake.blockUser(ADA.id);

    const error = await grammyError(bot.api.sendMessage(ADA.id, 'hello?'));

    expect(error.error_code).toBe(403);
    expect(error.description).toBe('Forbidden: bot was blocked by the user');
  });
});

describe('fake Telegram protocol', () => {
  it('answers 401 for a wrong token', async () => {
    const fake = await startFake();
    const bot = botFor(fake, '42:wrong');

    const error = await grammyError(bot.api.getMe());

    expect(error.error_code).toBe(401);
    expect(error.description).toBe('Unauthorized');
  });

  it('answers 404 for unknown methods', async () => {
    const fake = await startFake();

    const response = await fetch(`${fake.apiRoot}/bot${fake.token}/sendTelepathy`, { method: 'POST' });

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ ok: false, error_code: 404, description: 'Not Found' });
  });

  it('accepts query and form parameters', async () => {
    const fake = await startFake();
    fake.sendText(ADA, 'hi');

    const viaQuery = await fetch(`${fake.apiRoot}/bot${fake.token}/SENDMESSAGE?chat_id=${ADA.id}&text=q`);
    const viaForm = await fetch(`${fake.apiRoot}/bot${fake.token}/sendMessage`, {
      method: 'POST',
      body: new URLSearchParams({ chat_id: String(ADA.id), text: 'f', reply_markup: '{"inline_keyboard":[]}' }),
    });

    expect(viaQuery.status).toBe(200);
    expect(viaForm.status).toBe(200);
    expect(fake.sentMessages(ADA.id).map((message) => message.text)).toEqual(['q', 'f']);
    expect(fake.sentMessages(ADA.id)[1]?.reply_markup).toEqual({ inline_keyboard: [] });
  });

  it('redelivers updates until confirmed', async () => {
    const fake = await startFake();
    const bot = botFor(fake);
    const sent = fake.sendText(ADA, 'once');

    const first = await bot.api.getUpdates();
    const again = await bot.api.getUpdates();
    const afterConfirm = await bot.api.getUpdates({ offset: sent.update_id + 1 });

    expect(first.map((update) => update.update_id)).toEqual([sent.update_id]);
    expect(again.map((update) => update.update_id)).toEqual([sent.update_id]);
    expect(afterConfirm).toEqual([]);
  });

  it('holds a long poll until an update arrives', async () => {
    const fake = await startFake();
    const bot = botFor(fake);

    const poll = bot.api.getUpdates({ timeout: 20 });
    await fake.waitFor((f) => f.isPolling());
    fake.sendText(ADA, 'wake up');
    const updates = await poll;

    expect(updates.map((update) => update.message?.text)).toEqual(['wake up']);
  });

  it('ends a held poll with 409', async () => {
    const fake = await startFake();
    const first = botFor(fake);
    const second = botFor(fake);

    const held = grammyError(first.api.getUpdates({ timeout: 20 }));
    await fake.waitFor((f) => f.isPolling());
    const newer = second.api.getUpdates({ timeout: 0 });

    const error = await held;
    expect(error.error_code).toBe(409);
    expect(error.description).toBe(
      'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
    );
    expect(await newer).toEqual([]);
  });

  it('filters new updates by allowed_updates', async () => {
    const fake = await startFake();
    const bot = botFor(fake);

    await bot.api.getUpdates({ allowed_updates: ['callback_query'] });
    fake.sendText(ADA, 'ignored');
    const updates = await bot.api.getUpdates();

    expect(updates).toEqual([]);
  });
});

describe('parseMultipart', () => {
  it('reads quoted and bare parameters', () => {
    const body = Buffer.from(
      [
        '--XYZ',
        'Content-Disposition: form-data; name="caption"',
        '',
        'a cat',
        '--XYZ',
        'content-disposition:form-data;name="abc";filename=cat.png',
        'content-type:application/octet-stream',
        '',
        'PNGDATA',
        '--XYZ--',
        '',
      ].join('\r\n'),
    );

    const parts = parseMultipart(body, multipartBoundary('multipart/form-data; boundary=XYZ')!);

    expect(parts.map((part) => [part.name, part.filename, part.data.toString()])).toEqual([
      ['caption', undefined, 'a cat'],
      ['abc', 'cat.png', 'PNGDATA'],
    ]);
  });

  it('rejects a body without a closing boundary', () => {
    const body = Buffer.from('--XYZ\r\ncontent-disposition: form-data; name="a"\r\n\r\nvalue');

    expect(() => parseMultipart(body, 'XYZ')).toThrow(/closing boundary/);
  });
});

describe('RateLimiter', () => {
  it('allows a burst, then paces at the chat rate', () => {
    const limiter = new RateLimiter();

    const burst = [0, 1, 2].map(() => limiter.check(5, 'send', 0).allowed);
    const fourth = limiter.check(5, 'send', 0);
    const afterOneSecond = limiter.check(5, 'send', 1000);

    expect(burst).toEqual([true, true, true]);
    expect(fourth).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(afterOneSecond.allowed).toBe(true);
  });

  it('keeps chats independent', () => {
    const limiter = new RateLimiter();
    for (let i = 0; i < 3; i += 1) {
      limiter.check(1, 'send', 0);
    }

    expect(limiter.check(1, 'edit', 0).allowed).toBe(false);
    expect(limiter.check(2, 'send', 0).allowed).toBe(true);
  });

  it('limits all chats together at the global rate', () => {
    const limiter = new RateLimiter();

    const results = Array.from({ length: 31 }, (_, chatId) => limiter.check(chatId + 1, 'send', 0).allowed);

    expect(results.filter(Boolean)).toHaveLength(30);
    expect(results[30]).toBe(false);
    // Drafts and edits do not count against the global limit.
    expect(limiter.check(99, 'draft', 0).allowed).toBe(true);
  });

  it('limits a group to 20 messages a minute', () => {
    const limiter = new RateLimiter({ chatMessagesPerSecond: 100, chatBurst: 100, groupMessagesPerMinute: 20, globalMessagesPerSecond: 100 });

    const results = Array.from({ length: 21 }, (_, i) => limiter.check(-7, 'send', i * 100));

    expect(results.slice(0, 20).every((result) => result.allowed)).toBe(true);
    expect(results[20]).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });
});
