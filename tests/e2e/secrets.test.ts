import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { FALLBACK_MODEL_ID, PRIMARY_MODEL_ID, startBotHarness, type BotHarness } from '../support/bot-harness.js';

const ADMIN = { id: 8001, first_name: 'Sena', language_code: 'tr' };
const USER = { id: 8002, first_name: 'Kerem', language_code: 'en' };

const GROQ_KEY = 'gsk_SECRETgroqKEY_0123456789abcdef';
const LOCAL_KEY = 'local-SECRET-key-9876543210';
const WEBHOOK_SECRET = 'whsec_SECRET_value_ABCDEF123456';

let harness: BotHarness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

class LogCapture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

describe('secrets never leak', () => {
  it('no token, API key or secret setting appears in any reply or log line', async () => {
    const logs = new LogCapture();
    harness = await startBotHarness({
      env: { GROQ_API_KEY: GROQ_KEY, LOCAL_LLM_API_KEY: LOCAL_KEY, ADMIN_IDS: `telegram:${ADMIN.id}` },
      logSink: logs,
    });
    const { telegram, openai, app } = harness;
    const botToken = telegram.token;
    await app.services.settings.set('telegram.chat_messages_per_second', '0', 'test');

    // A provider error that echoes the key, as some proxies do.
    openai.script(PRIMARY_MODEL_ID, {
      status: 401,
      error: { message: `Invalid API Key provided: ${GROQ_KEY}`, type: 'invalid_request_error', code: 'invalid_api_key' },
    });
    openai.script(FALLBACK_MODEL_ID, { status: 500, error: { message: `upstream said ${GROQ_KEY}`, type: 'server_error', code: null } });
    telegram.sendText(USER, 'hello');
    await telegram.waitForMessages(USER.id, 1);

    const adminCommands = [
      `/config set webhook.secret ${WEBHOOK_SECRET}`,
      '/config get webhook.secret',
      '/config list',
      '/stats',
      '/unlock telegram:8002',
    ];
    for (const [index, command] of adminCommands.entries()) {
      telegram.sendText(ADMIN, command);
      await telegram.waitForMessages(ADMIN.id, index + 1);
    }
    // The stored value is the one set, so the masking is not hiding an unchanged default.
    const stored = await app.db.selectFrom('system_configs').select('value').where('key', '=', 'webhook.secret').executeTakeFirstOrThrow();
    expect(stored.value).toBe(WEBHOOK_SECRET);

    telegram.failNext('sendMessage', { error_code: 403, description: 'Forbidden: bot was blocked by the user' });
    telegram.sendText(USER, 'one more');
    await eventually(() => logs.text.includes('reply could not be delivered'), 'the delivery failure to be logged');

    const everythingSent = telegram
      .calls()
      .map((call) => JSON.stringify(call.params))
      .join('\n');
    const modelRequests = openai.requests.map((request) => JSON.stringify(request.body)).join('\n');
    const secrets = [GROQ_KEY, LOCAL_KEY, WEBHOOK_SECRET, botToken, botToken.split(':')[1]!];
    for (const secret of secrets) {
      expect(logs.text.includes(secret), `log contains ${secret.slice(0, 6)}…`).toBe(false);
      expect(everythingSent.includes(secret), `a Telegram call contains ${secret.slice(0, 6)}…`).toBe(false);
      expect(modelRequests.includes(secret), `a model request body contains ${secret.slice(0, 6)}…`).toBe(false);
    }
    expect(logs.text).toContain('model failed');
    expect(openai.requests[0]?.authorization).toBe(`Bearer ${GROQ_KEY}`);
  });

  it('an over-long message is refused with a localized notice and no model call', async () => {
    harness = await startBotHarness();
    const { telegram, openai, app } = harness;
    telegram.sendText(ADMIN, 'x'.repeat(4_001));
    const [reply] = await telegram.waitForMessages(ADMIN.id, 1);
    expect(reply?.text).toBe(app.services.texts.t('tr', 'refusal.input_too_long', { length: 4_001, max: 4_000 }));
    expect(openai.requests).toHaveLength(0);
  });
});
