import { afterEach, describe, expect, it } from 'vitest';
import { LOCAL_MODEL_ID, PRIMARY_MODEL_ID, startBotHarness, type BotHarness } from '../support/bot-harness.js';

const ADMIN = { id: 6001, first_name: 'Ada', username: 'ada_admin', language_code: 'en' };
const DENIZ = { id: 6002, first_name: 'Deniz', username: 'deniz', language_code: 'tr' };

let harness: BotHarness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('Telegram answer cache', () => {
  it('a locked user gets no cached local answer', async () => {
    harness = await startBotHarness({ env: { ADMIN_IDS: `telegram:${ADMIN.id}` } });
    const { telegram, openai, app } = harness;
    await app.services.settings.set('telegram.chat_messages_per_second', '0', 'test');
    let denizMessages = 0;
    let adminMessages = 0;
    const deniz = async (text: string) => {
      telegram.sendText(DENIZ, text);
      denizMessages += 1;
      return (await telegram.waitForMessages(DENIZ.id, denizMessages)).at(-1);
    };
    const admin = async (text: string) => {
      telegram.sendText(ADMIN, text);
      adminMessages += 1;
      return (await telegram.waitForMessages(ADMIN.id, adminMessages)).at(-1);
    };

    const denizRow = () => app.db.selectFrom('users').selectAll().where('username', '=', `telegram:${DENIZ.id}`).executeTakeFirstOrThrow();

    await deniz('/start');
    await admin(`/unlock telegram:${DENIZ.id}`);
    expect((await denizRow()).bela_unlocked).toBe(1);
    await deniz('/model bela');
    openai.script(LOCAL_MODEL_ID, { text: 'Bela yanıtlıyor.' });
    expect((await deniz('Sen kimsin?'))?.text).toBe('Bela yanıtlıyor.');
    expect(openai.requests.at(-1)?.body.model).toBe(LOCAL_MODEL_ID);
    const cached = await app.db.selectFrom('answer_cache').select(['answer', 'engine']).execute();
    expect(cached).toEqual([{ answer: 'Bela yanıtlıyor.', engine: 'local' }]);
    await deniz('/new');
    await admin(`/lock telegram:${DENIZ.id}`);
    expect((await denizRow()).bela_unlocked).toBe(0);
    expect((await denizRow()).selected_model).toBe('bela');
    const requestsBefore = openai.requests.length;

    const reply = await deniz('Sen kimsin?');

    expect(reply?.text).toBe('Reply to: Sen kimsin?');
    expect(openai.requests).toHaveLength(requestsBefore + 1);
    expect(openai.requests.at(-1)?.body.model).toBe(PRIMARY_MODEL_ID);
  });
});
