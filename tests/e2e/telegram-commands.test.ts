import { afterEach, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/commands/registry.js';
import { startBotHarness, type BotHarness } from '../support/bot-harness.js';
import { eventually } from '../support/eventually.js';
import { startFakeTxt2Img } from '../support/fake-txt2img.js';

const ADMIN = { id: 7001, first_name: 'Ada', username: 'ada_admin', language_code: 'en' };
const USER = { id: 7002, first_name: 'Umut', username: 'umut', language_code: 'tr' };
const VIP = { id: 7003, first_name: 'Vera', username: 'vera', language_code: 'en' };

let harness: BotHarness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const ADMIN_COMMANDS = COMMANDS.filter((command) => command.adminOnly);

describe('Telegram commands', () => {
  it('admin commands are refused to user and vip', async () => {
    harness = await startBotHarness({ env: { ADMIN_IDS: `telegram:${ADMIN.id}` }, telegram: { limits: false } });
    const { telegram, app } = harness;
    await app.services.settings.set('telegram.chat_messages_per_second', '0', 'test');
    telegram.sendText(USER, '/start');
    telegram.sendText(VIP, '/start');
    await telegram.waitForMessages(USER.id, 1);
    await telegram.waitForMessages(VIP.id, 1);
    await app.db.updateTable('users').set({ role: 'vip' }).where('username', '=', `telegram:${VIP.id}`).execute();

    expect(ADMIN_COMMANDS.length).toBeGreaterThanOrEqual(10);
    const cases = [
      { person: USER, locale: 'tr' as const },
      { person: VIP, locale: 'en' as const },
    ];
    for (const { person, locale } of cases) {
      for (const [index, command] of ADMIN_COMMANDS.entries()) {
        telegram.sendText(person, `/${command.name} telegram:${ADMIN.id} x y`);
        const messages = await telegram.waitForMessages(person.id, index + 2);
        expect(messages.at(-1)?.text, `/${command.name} for ${locale}`).toBe(app.services.texts.t(locale, 'refusal.admin_only'));
      }
    }
    const admin = await app.db.selectFrom('users').selectAll().where('username', '=', `telegram:${ADMIN.id}`).executeTakeFirst();
    expect(admin).toBeUndefined();
  });

  it('admin bans a user by @username; their next DM never reaches the model', async () => {
    harness = await startBotHarness({ env: { ADMIN_IDS: `telegram:${ADMIN.id}` }, telegram: { limits: false } });
    const { telegram, app, openai } = harness;
    await app.services.settings.set('telegram.chat_messages_per_second', '0', 'test');
    telegram.sendText(USER, 'merhaba');
    await telegram.waitForMessages(USER.id, 1);

    telegram.sendText(ADMIN, '/ban @umut');
    await telegram.waitForMessages(ADMIN.id, 1);
    const banned = await app.db.selectFrom('users').select('is_banned').where('username', '=', `telegram:${USER.id}`).executeTakeFirstOrThrow();
    expect(banned.is_banned).toBe(1);

    const requests = openai.requests.length;
    telegram.sendText(USER, 'hâlâ burada mısın?');
    const messages = await telegram.waitForMessages(USER.id, 2);
    expect(messages.at(-1)?.text).toBe(app.services.texts.t('tr', 'refusal.banned'));
    expect(openai.requests.length).toBe(requests);
  });

  it('admins get the admin commands in their chat menu', async () => {
    harness = await startBotHarness({ env: { ADMIN_IDS: `telegram:${ADMIN.id}` } });
    const { telegram } = harness;
    telegram.sendText(ADMIN, '/help');
    await telegram.waitForMessages(ADMIN.id, 1);

    const menuCommands = COMMANDS.filter((command) => !command.hidden);
    const adminMenu = telegram.commands({ type: 'chat', chat_id: ADMIN.id });
    expect(adminMenu.map((command) => command.command)).toEqual(menuCommands.map((command) => command.name));
    expect(adminMenu.map((command) => command.command)).not.toContain('vote');
    const defaultMenu = telegram.commands().map((command) => command.command);
    for (const command of ADMIN_COMMANDS) expect(defaultMenu).not.toContain(command.name);
    expect(telegram.commands({ type: 'chat', chat_id: ADMIN.id }, 'tr').length).toBe(menuCommands.length);
  });

  it('/invite create answers with a t.me start link that grants access', async () => {
    harness = await startBotHarness({ env: { ADMIN_IDS: `telegram:${ADMIN.id}` } });
    const { telegram, app } = harness;
    await app.services.settings.set('access.mode', 'invite', 'test');
    telegram.sendText(ADMIN, '/invite create 1');
    const [reply] = await telegram.waitForMessages(ADMIN.id, 1);
    const link = /https:\/\/t\.me\/nova_test_bot\?start=([0-9A-F]{10})/.exec(reply?.text ?? '');
    expect(link).not.toBeNull();

    telegram.sendText(USER, `/start ${link![1]}`);
    const [welcome] = await telegram.waitForMessages(USER.id, 1);
    expect(welcome?.text).toContain(app.services.texts.t('tr', 'invite.accepted', { name: 'Umut' }));
  });

  it('persona buttons switch the persona', async () => {
    harness = await startBotHarness();
    const { telegram, app } = harness;
    telegram.sendText(USER, '/persona');
    const [list] = await telegram.waitForMessages(USER.id, 1);
    const keyboard = (list?.reply_markup as { inline_keyboard?: Array<Array<{ text: string; callback_data?: string }>> } | undefined)
      ?.inline_keyboard;
    const buttons = keyboard?.flat() ?? [];
    const coder = buttons.find((button) => button.callback_data === '/persona coder');
    expect(coder).toBeDefined();
    expect(buttons.some((button) => button.callback_data === '/persona romantic')).toBe(false);

    telegram.sendCallback(USER, list!.message_id, coder!.callback_data!);
    await telegram.waitForMessages(USER.id, 2);
    const user = await app.db.selectFrom('users').select('active_persona').where('username', '=', `telegram:${USER.id}`).executeTakeFirstOrThrow();
    expect(user.active_persona).toBe('coder');
    expect(telegram.callbackAnswers()).toHaveLength(1);
  });

  it('/forget_me confirm button is spent', async () => {
    harness = await startBotHarness();
    const { telegram, app } = harness;
    telegram.sendText(USER, 'merhaba');
    await telegram.waitForMessages(USER.id, 1);
    telegram.sendText(USER, '/forget_me');
    const [, warning] = await telegram.waitForMessages(USER.id, 2);
    const confirm = (warning?.reply_markup as { inline_keyboard?: Array<Array<{ callback_data?: string }>> } | undefined)
      ?.inline_keyboard?.flat()[0];
    expect(confirm?.callback_data).toBe('/forget_me confirm');

    telegram.sendCallback(USER, warning!.message_id, confirm!.callback_data!);
    const messages = await telegram.waitForMessages(USER.id, 3);

    expect(messages[2]?.text).toBe(app.services.texts.t('tr', 'forget_me.done'));
    const spent = telegram.sentMessages(USER.id).find((message) => message.message_id === warning!.message_id);
    expect(spent?.reply_markup).toBeUndefined();
    expect(spent?.text).toBe(warning?.text);
    expect(await app.db.selectFrom('messages').selectAll().execute()).toHaveLength(0);
  });
});

describe('Telegram localization', () => {
  it('/text set overrides a text from the next message on', async () => {
    harness = await startBotHarness({ env: { ADMIN_IDS: `telegram:${ADMIN.id}` } });
    const { telegram } = harness;
    telegram.sendText(ADMIN, '/text set welcome tr Hoş geldin {name}, ben {assistant}!');
    await telegram.waitForMessages(ADMIN.id, 1);

    telegram.sendText(USER, '/start');
    const [welcome] = await telegram.waitForMessages(USER.id, 1);
    expect(welcome?.text).toBe('Hoş geldin Umut, ben Nova!');
  });

  it('/language overrides the platform language', async () => {
    harness = await startBotHarness();
    const { telegram, app } = harness;
    telegram.sendText(USER, '/language en');
    await telegram.waitForMessages(USER.id, 1);
    telegram.sendText(USER, '/help');
    const messages = await telegram.waitForMessages(USER.id, 2);
    expect(messages[1]?.text).toContain(app.services.texts.t('en', 'help').split('\n')[0]);

    telegram.sendText(USER, '/language auto');
    await telegram.waitForMessages(USER.id, 3);
    telegram.sendText(USER, '/help');
    const after = await telegram.waitForMessages(USER.id, 4);
    expect(after[3]?.text).toContain(app.services.texts.t('tr', 'help').split('\n')[0]);
  });
});

describe('Telegram feedback and images', () => {
  it('vote buttons under a reply store one vote that a second press changes', async () => {
    harness = await startBotHarness();
    const { telegram, app } = harness;
    telegram.sendText(USER, 'bir soru');
    const [reply] = await telegram.waitForMessages(USER.id, 1);
    const buttons =
      (reply?.reply_markup as { inline_keyboard?: Array<Array<{ text: string; callback_data?: string }>> } | undefined)?.inline_keyboard?.flat() ??
      [];
    const like = buttons.find((button) => button.callback_data?.startsWith('/vote like '));
    const dislike = buttons.find((button) => button.callback_data?.startsWith('/vote dislike '));
    expect(like?.text).toBe('👍');
    expect(dislike?.text).toBe('👎');

    telegram.sendCallback(USER, reply!.message_id, like!.callback_data!);
    await telegram.waitFor((fake) => fake.callbackAnswers().length === 1);
    telegram.sendCallback(USER, reply!.message_id, dislike!.callback_data!);
    await telegram.waitFor((fake) => fake.callbackAnswers().length === 2);

    const votes = await app.db.selectFrom('feedback').selectAll().execute();
    expect(votes).toHaveLength(1);
    expect(votes[0]?.feedback_type).toBe('dislike');
    expect(votes[0]?.message_content).toBe('Reply to: bir soru');
    expect(telegram.callbackAnswers()[0]?.text).toBe(app.services.texts.t('tr', 'feedback.thanks'));
    // A vote answers on the button; no extra message appears in the chat.
    expect(telegram.sentMessages(USER.id)).toHaveLength(1);
  });

  it('/imagine sends a photo and stores the image turn', async () => {
    const txt2img = await startFakeTxt2Img();
    try {
      harness = await startBotHarness({ env: { IMAGE_API_BASE_URL: txt2img.baseUrl } });
      const { telegram, app } = harness;
      telegram.sendText(USER, '/imagine a red fox in the snow');
      const [photo] = await telegram.waitForMessages(USER.id, 1, 10_000);
      expect(photo?.method).toBe('sendPhoto');
      expect(photo?.caption).toContain('a red fox in the snow');
      expect(telegram.chatActions(USER.id).some((action) => action.action === 'upload_photo')).toBe(true);
      expect(txt2img.requests[0]?.body.prompt).toContain('a red fox in the snow');

      const stored = await eventually(async () => {
        const row = await app.db.selectFrom('messages').selectAll().where('role', '=', 'assistant').executeTakeFirst();
        const metadata = JSON.parse(row?.extra_metadata ?? '{}') as Record<string, unknown>;
        return metadata.platform_message_ids ? metadata : undefined;
      }, 'the image delivery to be recorded');
      expect(stored.kind).toBe('image');
      expect(stored.status).toBe('complete');
      const usage = await app.db.selectFrom('usage_counters').selectAll().executeTakeFirstOrThrow();
      expect(usage.image_count).toBe(1);
    } finally {
      await harness?.close();
      harness = undefined;
      await txt2img.close();
    }
  });
});

describe('Telegram group chats', () => {
  it('answers only commands addressed to this bot and ignores plain text', async () => {
    harness = await startBotHarness();
    const { telegram, openai } = harness;
    const group = { id: -100_123, type: 'group', title: 'Friends' };
    const update = (text: string) => ({
      message: {
        chat: group,
        from: { id: USER.id, is_bot: false, first_name: USER.first_name, language_code: 'tr' },
        text,
        ...(text.startsWith('/') ? { entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]!.length }] } : {}),
      },
    });
    telegram.sendUpdate(update('/help@other_bot'));
    telegram.sendUpdate(update('just chatting in the group'));
    telegram.sendUpdate(update('/help@nova_test_bot'));

    const [reply] = await telegram.waitForMessages(group.id, 1);
    expect(reply?.text).toContain(harness.app.services.texts.t('tr', 'help').split('\n')[0]);
    // Updates of one chat are handled in order, so the two before it are done by now.
    expect(telegram.sentMessages(group.id)).toHaveLength(1);
    expect(openai.requests).toHaveLength(0);
  });

  it('refuses /new there, as the bot chats in private only', async () => {
    harness = await startBotHarness();
    const { telegram, app } = harness;
    const group = { id: -100_124, type: 'group', title: 'Friends' };
    telegram.sendUpdate({
      message: {
        chat: group,
        from: { id: USER.id, is_bot: false, first_name: USER.first_name, language_code: 'tr' },
        text: '/new',
        entities: [{ type: 'bot_command', offset: 0, length: 4 }],
      },
    });

    const [reply] = await telegram.waitForMessages(group.id, 1);
    expect(reply?.text).toBe(app.services.texts.t('tr', 'conversation.private_only'));
    expect(await app.db.selectFrom('conversations').select('id').execute()).toEqual([]);
  });
});

describe('Telegram /language without an argument', () => {
  it('shows the language in use with a button per choice', async () => {
    harness = await startBotHarness();
    const { telegram, app } = harness;
    telegram.sendText(USER, '/language');
    const [reply] = await telegram.waitForMessages(USER.id, 1);
    expect(reply?.text).toBe(app.services.texts.t('tr', 'language.current_auto', { language: 'Türkçe' }));
    const keyboard = (reply?.reply_markup as { inline_keyboard?: Array<Array<{ callback_data?: string }>> } | undefined)?.inline_keyboard;
    expect(keyboard?.flat().map((button) => button.callback_data)).toEqual(['/language tr', '/language en', '/language auto']);
  });
});

describe('Telegram command reply titles', () => {
  it('show as a bold first line', async () => {
    harness = await startBotHarness();
    const { telegram, app } = harness;
    telegram.sendText(USER, '/help');
    const [reply] = await telegram.waitForMessages(USER.id, 1);
    const title = app.services.texts.t('tr', 'help.title');
    expect(reply?.html?.startsWith(`<b>${title}</b>\n\n`)).toBe(true);
  });

  it('show markdown characters as typed', async () => {
    harness = await startBotHarness();
    const { telegram, app } = harness;
    await app.services.texts.set('help.title', 'tr', '*Yardım* _menüsü_');
    telegram.sendText(USER, '/help');
    const [reply] = await telegram.waitForMessages(USER.id, 1);
    expect(reply?.html?.startsWith('<b>*Yardım* _menüsü_</b>\n\n')).toBe(true);
  });
});

describe('Telegram commands typed with Turkish letters', () => {
  it('run the ASCII command or get the unknown-command notice', async () => {
    harness = await startBotHarness({ telegram: { limits: false } });
    const { telegram, app, openai } = harness;
    await app.services.settings.set('telegram.chat_messages_per_second', '0', 'test');

    telegram.sendText(USER, '/yardım');
    const [help] = await telegram.waitForMessages(USER.id, 1);
    expect(help?.text).toContain(app.services.texts.t('tr', 'help').split('\n')[0]);

    telegram.sendText(USER, '/öğren');
    const messages = await telegram.waitForMessages(USER.id, 2);
    expect(messages[1]?.text).toBe(app.services.texts.t('tr', 'command.unknown'));

    expect(openai.requests).toHaveLength(0);
    expect(await app.db.selectFrom('usage_counters').selectAll().execute()).toEqual([]);
    expect(await app.db.selectFrom('messages').selectAll().execute()).toEqual([]);
  });
});
