import { afterEach, describe, expect, it } from 'vitest';
import { createInvites } from '../../src/engine/invites.js';
import { readDailyUsage } from '../../src/engine/usage.js';
import { eventually } from '../support/eventually.js';
import { PRIMARY_MODEL_ID, startBotHarness, type BotHarness } from '../support/bot-harness.js';

const ADMIN = { id: 9101, first_name: 'Ayşe', username: 'ayse_admin', language_code: 'tr' };
const USER = { id: 9102, first_name: 'Mallory', username: 'mallory', language_code: 'en' };
const VICTIM = { id: 9103, first_name: 'Victor', username: 'victor', language_code: 'en' };

let harness: BotHarness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function start(): Promise<BotHarness> {
  harness = await startBotHarness({ env: { ADMIN_IDS: `telegram:${ADMIN.id}` }, telegram: { limits: false } });
  return harness;
}

async function userRow(h: BotHarness, id: number) {
  return h.app.db.selectFrom('users').selectAll().where('username', '=', `telegram:${id}`).executeTakeFirst();
}

describe('Telegram admin access', () => {
  it('forged button or edit runs nothing', async () => {
    const h = await start();
    const { telegram, app } = h;
    telegram.sendText(VICTIM, '/help');
    await telegram.waitForMessages(VICTIM.id, 1);
    telegram.sendText(USER, '/help');
    const [help] = await telegram.waitForMessages(USER.id, 1);

    // A custom client can send any callback data for a message with an inline keyboard.
    telegram.sendCallback(USER, help!.message_id, `/ban ${VICTIM.id}`);
    const [refusal] = await telegram.waitForMessages(USER.id, 2).then((messages) => messages.slice(1));
    expect(refusal?.text).toBe(app.services.texts.t('en', 'refusal.admin_only'));

    // The bot handles no edited message, so an edit into an admin command runs nothing.
    telegram.sendUpdate({
      edited_message: {
        chat: { id: USER.id, type: 'private', first_name: USER.first_name },
        from: { is_bot: false, ...USER },
        text: `/role ${USER.id} admin`,
        entities: [{ type: 'bot_command', offset: 0, length: 5 }],
        edit_date: Math.floor(Date.now() / 1000),
      },
    });
    telegram.sendText(USER, '/usage');
    await telegram.waitForMessages(USER.id, 3);

    expect(telegram.sentMessages(USER.id)).toHaveLength(3);
    expect((await userRow(h, VICTIM.id))?.is_banned).toBe(0);
    expect((await userRow(h, USER.id))?.role).toBe('user');
  });

  it('ban mid-stream refuses the next message', async () => {
    const h = await start();
    const { telegram, openai, app } = h;
    const text = 'One two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen.';
    openai.script(PRIMARY_MODEL_ID, { text, chunkSize: 3, delayMs: 80 });
    telegram.sendText(USER, 'count for me');
    await eventually(() => telegram.drafts(USER.id).length > 0 || undefined, 'the first draft of the reply');

    telegram.sendText(ADMIN, `/ban @${USER.username}`);
    const [banned] = await telegram.waitForMessages(ADMIN.id, 1);
    expect(banned?.text).toContain(`telegram:${USER.id}`);

    const [reply] = await telegram.waitForMessages(USER.id, 1);
    expect(reply?.text).toBe(text);
    const requestsBefore = openai.requests.length;
    telegram.sendText(USER, 'and again');
    const messages = await telegram.waitForMessages(USER.id, 2);
    expect(messages[1]?.text).toBe(app.services.texts.t('en', 'refusal.banned'));
    expect(openai.requests).toHaveLength(requestsBefore);

    // The reply that reached the user counts once; the refused message counts nothing.
    const user = await userRow(h, USER.id);
    const usage = await readDailyUsage(app.db, user!.id);
    expect(usage.totalChat).toBe(1);
  });

  it('listed admin start link keeps the code', async () => {
    const h = await start();
    const { telegram, app } = h;
    await app.services.settings.set('access.mode', 'invite', 'test');
    const [code] = await createInvites(app.db, 'telegram:1', 1);

    telegram.sendText(ADMIN, `/start ${code}`);
    const [welcome] = await telegram.waitForMessages(ADMIN.id, 1);

    expect(welcome?.text).toContain(app.services.texts.t('tr', 'welcome', { name: ADMIN.first_name, assistant: 'Nova' }));
    expect(welcome?.text).not.toContain(app.services.texts.t('tr', 'invite.accepted'));
    const invite = await app.db.selectFrom('invites').selectAll().where('code', '=', code!).executeTakeFirstOrThrow();
    expect(invite.is_used).toBe(0);
    telegram.sendText(USER, `/start ${code}`);
    const [accepted] = await telegram.waitForMessages(USER.id, 1);
    expect(accepted?.text).toContain(app.services.texts.t('en', 'invite.accepted'));
  });
});
