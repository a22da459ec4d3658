import { DiscordAPIError } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { describeDiscordError, isExpiredInteractionToken } from '../../../../src/adapters/discord/errors.js';
import { restRootsFor } from '../../../../src/adapters/discord/rest-options.js';
import { parseHexColor } from '../../../../src/adapters/discord/theme-colors.js';

function apiError(code: number, status: number, url: string): DiscordAPIError {
  return new DiscordAPIError({ code, message: 'failure' }, code, status, 'PATCH', url, { body: undefined, files: undefined });
}

describe('restRootsFor', () => {
  it("Discord's API keeps Discord's CDN", () => {
    expect(restRootsFor('https://discord.com/api')).toEqual({
      api: 'https://discord.com/api',
      cdn: 'https://cdn.discordapp.com',
      mediaProxy: 'https://media.discordapp.net',
    });
  });

  it('other bases serve the CDN from their own origin', () => {
    expect(restRootsFor('http://127.0.0.1:4000/api/')).toEqual({
      api: 'http://127.0.0.1:4000/api',
      cdn: 'http://127.0.0.1:4000/cdn',
      mediaProxy: 'http://127.0.0.1:4000/cdn',
    });
  });
});

describe('parseHexColor', () => {
  it('parses six and three digits', () => {
    expect(parseHexColor('#5865f2')).toBe(0x5865f2);
    expect(parseHexColor('#fa0')).toBe(0xffaa00);
  });

  it('rejects other values', () => {
    expect(parseHexColor('blue')).toBeUndefined();
    expect(parseHexColor(42)).toBeUndefined();
    expect(parseHexColor('#12345')).toBeUndefined();
  });
});

describe('describeDiscordError', () => {
  it('masks bot and interaction tokens', () => {
    const error = apiError(50027, 401, 'http://127.0.0.1/api/v10/webhooks/123/secret-interaction-token/messages/@original');

    const text = describeDiscordError(error, 'bot-token-value');

    expect(text).not.toContain('secret-interaction-token');
    expect(text).toContain('/webhooks/123/[redacted]');
    expect(text).toContain('50027');
  });

  it('masks the bot token in plain errors', () => {
    expect(describeDiscordError(new Error('failed with bot-token-value'), 'bot-token-value')).toBe('Error: failed with [redacted]');
  });
});

describe('isExpiredInteractionToken', () => {
  it('accepts 50027 and 10015 only', () => {
    expect(isExpiredInteractionToken(apiError(50027, 401, 'http://x/'))).toBe(true);
    expect(isExpiredInteractionToken(apiError(10015, 404, 'http://x/'))).toBe(true);
    expect(isExpiredInteractionToken(apiError(50007, 403, 'http://x/'))).toBe(false);
    expect(isExpiredInteractionToken(new Error('50027'))).toBe(false);
  });
});
