import { Writable } from 'node:stream';

import { DiscordAPIError } from 'discord.js';
import { GrammyError, HttpError } from 'grammy';
import { describe, expect, it } from 'vitest';

import { createLogger, maskUrlTokens } from '../../src/logger.js';

const TELEGRAM_TOKEN = '123456:AAH-secret_part';
const INTERACTION_TOKEN = 'aW50ZXJhY3Rpb24aK1HGsecret';

/** Returns a logger at trace level and the lines it wrote. */
function capture(): { log: ReturnType<typeof createLogger>; lines: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { log: createLogger('trace', stream), lines: () => chunks.join('') };
}

describe('maskUrlTokens', () => {
  it.each([
    [`https://api.telegram.org/bot${TELEGRAM_TOKEN}/sendMessage`, 'https://api.telegram.org/bot[redacted]/sendMessage'],
    [`https://discord.com/api/v10/webhooks/157/${INTERACTION_TOKEN}/messages/%40original`, 'https://discord.com/api/v10/webhooks/157/[redacted]/messages/%40original'],
    [`/interactions/99/${INTERACTION_TOKEN}/callback`, '/interactions/99/[redacted]/callback'],
    ['https://discord.com/api/v10/channels/1/messages', 'https://discord.com/api/v10/channels/1/messages'],
  ])('masks %s', (url, expected) => {
    expect(maskUrlTokens(url)).toBe(expected);
  });
});

describe('error serializer', () => {
  it('drops the payload of a grammY error', () => {
    const { log, lines } = capture();
    const error = new GrammyError(
      'Call to sendMessage failed!',
      { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' },
      'sendMessage',
      { chat_id: 1, text: 'Invite codes: <code>5237A1B1DD</code>' },
    );

    log.error({ err: error, chatId: 1 }, 'reply failed');

    expect(lines()).not.toContain('5237A1B1DD');
    expect(lines()).toContain('Forbidden: bot was blocked by the user');
    expect(lines()).toContain('"method":"sendMessage"');
  });

  it('masks the token and body of a Discord error', () => {
    const { log, lines } = capture();
    const url = `https://discord.com/api/v10/webhooks/157/${INTERACTION_TOKEN}/messages/%40original`;
    const error = new DiscordAPIError({ code: 50035, message: 'Invalid Form Body' }, 50035, 400, 'PATCH', url, {
      body: { content: 'private reply text' },
    });

    log.error({ err: error }, 'interaction reply failed');

    expect(lines()).not.toContain(INTERACTION_TOKEN);
    expect(lines()).not.toContain('private reply text');
    expect(lines()).toContain('/webhooks/157/[redacted]/messages');
  });

  it('masks the token in a wrapped network error', () => {
    const { log, lines } = capture();
    const cause = new Error(`request to https://api.telegram.org/bot${TELEGRAM_TOKEN}/getMe failed, reason: connect ECONNREFUSED`);
    const error = new HttpError('Network request for getMe failed!', cause);

    log.error({ err: error }, 'start-up failed');

    expect(lines()).not.toContain(TELEGRAM_TOKEN);
    expect(lines()).toContain('/bot[redacted]/getMe');
    expect(lines()).toContain('ECONNREFUSED');
  });

  it('masks the token in a cause', () => {
    const { log, lines } = capture();
    const error = new Error('send failed', { cause: new Error(`POST /bot${TELEGRAM_TOKEN}/sendMessage reset`) });

    log.error({ err: error }, 'send failed');

    expect(lines()).not.toContain(TELEGRAM_TOKEN);
  });

  it('masks a described error string', () => {
    const { log, lines } = capture();

    log.warn({ err: `request to /bot${TELEGRAM_TOKEN}/getMe failed` }, 'start-up failed');

    expect(lines()).not.toContain(TELEGRAM_TOKEN);
  });
});
