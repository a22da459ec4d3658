import { describe, expect, it } from 'vitest';

import { EnvConfigError, enabledPlatforms, parseEnv } from '../../../src/config/env.js';

const TELEGRAM_TOKEN = '123456789:AAE-abcdefghijklmnopqrstuvwxyz_0123';

/** Returns the error `parseEnv` throws for `source`, failing the test when it throws none. */
function parseError(source: Record<string, string | undefined>): EnvConfigError {
  try {
    parseEnv(source);
  } catch (error) {
    expect(error).toBeInstanceOf(EnvConfigError);
    return error as EnvConfigError;
  }
  throw new Error('parseEnv accepted an invalid environment');
}

describe('parseEnv defaults', () => {
  it('fills every default from an empty environment', () => {
    const env = parseEnv({});

    expect(env.TELEGRAM_BOT_TOKEN).toBeUndefined();
    expect(env.DISCORD_BOT_TOKEN).toBeUndefined();
    expect(env.GROQ_API_KEY).toBeUndefined();
    expect(env.TELEGRAM_API_ROOT).toBe('https://api.telegram.org');
    expect(env.DISCORD_API_BASE).toBe('https://discord.com/api');
    expect(env.DATABASE_URL).toBe('./data/bot.sqlite');
    // Unset model and image URLs leave the api_configs rows, which hold the defaults, in charge.
    expect(env.GROQ_BASE_URL).toBeUndefined();
    expect(env.LOCAL_LLM_BASE_URL).toBeUndefined();
    expect(env.LOCAL_LLM_API_KEY).toBe('ollama');
    expect(env.IMAGE_API_BASE_URL).toBeUndefined();
    expect(env.ADMIN_IDS).toEqual([]);
    expect(env.SUMMARY_CRON).toBe('*/5 * * * *');
    expect(env.LOG_LEVEL).toBe('info');
  });

  it('treats empty secrets as unset', () => {
    const env = parseEnv({ TELEGRAM_BOT_TOKEN: '', DISCORD_BOT_TOKEN: '   ', GROQ_API_KEY: '' });

    expect(env.TELEGRAM_BOT_TOKEN).toBeUndefined();
    expect(env.DISCORD_BOT_TOKEN).toBeUndefined();
    expect(env.GROQ_API_KEY).toBeUndefined();
  });

  it('treats empty settings as unset', () => {
    const env = parseEnv({
      GROQ_BASE_URL: '',
      LOCAL_LLM_API_KEY: '',
      DATABASE_URL: ' ',
      SUMMARY_CRON: '',
      LOG_LEVEL: '',
    });

    expect(env.GROQ_BASE_URL).toBeUndefined();
    expect(env.LOCAL_LLM_API_KEY).toBe('ollama');
    expect(env.DATABASE_URL).toBe('./data/bot.sqlite');
    expect(env.SUMMARY_CRON).toBe('*/5 * * * *');
    expect(env.LOG_LEVEL).toBe('info');
  });

  it('trims secrets', () => {
    const env = parseEnv({ TELEGRAM_BOT_TOKEN: ` ${TELEGRAM_TOKEN}\n`, GROQ_API_KEY: ' gsk_key ' });

    expect(env.TELEGRAM_BOT_TOKEN).toBe(TELEGRAM_TOKEN);
    expect(env.GROQ_API_KEY).toBe('gsk_key');
  });
});

describe('parseEnv TELEGRAM_BOT_TOKEN', () => {
  it('accepts a BotFather token', () => {
    expect(parseEnv({ TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN }).TELEGRAM_BOT_TOKEN).toBe(TELEGRAM_TOKEN);
  });

  it.each(['not-a-token', '123456789', 'abc:AAE-abcdefghijklmnopqrstuvwxyz', '123:short', '123:AAE abcdefghijklmnopqrstuvwxyz'])(
    'rejects %j',
    (token) => {
      const error = parseError({ TELEGRAM_BOT_TOKEN: token });

      expect(error.problems).toHaveLength(1);
      expect(error.message).toContain('TELEGRAM_BOT_TOKEN');
    },
  );

  it('keeps the token out of the error', () => {
    const token = '42:secret-but-short';
    const error = parseError({ TELEGRAM_BOT_TOKEN: token });

    expect(error.message).not.toContain(token);
    expect(error.message).not.toContain('secret-but-short');
  });
});

describe('parseEnv URLs', () => {
  it('strips trailing slashes', () => {
    const env = parseEnv({ GROQ_BASE_URL: 'https://api.groq.com/openai/v1///', TELEGRAM_API_ROOT: 'http://127.0.0.1:8081/' });

    expect(env.GROQ_BASE_URL).toBe('https://api.groq.com/openai/v1');
    expect(env.TELEGRAM_API_ROOT).toBe('http://127.0.0.1:8081');
  });

  it('accepts an upper-case scheme', () => {
    expect(parseEnv({ IMAGE_API_BASE_URL: 'HTTP://127.0.0.1:7860' }).IMAGE_API_BASE_URL).toBe('HTTP://127.0.0.1:7860');
  });

  it.each([
    'api.telegram.org',
    'ftp://example.com',
    'http://',
    'https:///path',
    'http://exa mple.com',
    'https://example.com/v1 extra',
    'not a url',
  ])('rejects %j', (url) => {
    for (const variable of ['TELEGRAM_API_ROOT', 'DISCORD_API_BASE', 'GROQ_BASE_URL', 'LOCAL_LLM_BASE_URL', 'IMAGE_API_BASE_URL']) {
      const error = parseError({ [variable]: url });

      expect(error.problems).toHaveLength(1);
      expect(error.problems[0]).toContain(variable);
    }
  });
});

describe('parseEnv DATABASE_URL', () => {
  it('strips a sqlite: prefix', () => {
    expect(parseEnv({ DATABASE_URL: 'sqlite://./data/x.sqlite' }).DATABASE_URL).toBe('./data/x.sqlite');
    expect(parseEnv({ DATABASE_URL: 'sqlite:/var/bot.sqlite' }).DATABASE_URL).toBe('/var/bot.sqlite');
  });

  it('rejects a prefix without a path', () => {
    const error = parseError({ DATABASE_URL: 'sqlite://' });

    expect(error.message).toContain('DATABASE_URL');
  });
});

describe('parseEnv ADMIN_IDS', () => {
  it('splits, trims and lower-cases', () => {
    const env = parseEnv({ ADMIN_IDS: ' Telegram:123 ,DISCORD:456789012345678901,, ' });

    expect(env.ADMIN_IDS).toEqual(['telegram:123', 'discord:456789012345678901']);
  });

  it.each(['123', 'telegram:', 'telegram:abc', 'slack:123', 'telegram:123;discord:4', 'telegram: 123'])('rejects %j', (ids) => {
    const error = parseError({ ADMIN_IDS: `telegram:1,${ids}` });

    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toContain('ADMIN_IDS');
  });

  it('keeps the list out of the error', () => {
    const error = parseError({ ADMIN_IDS: 'telegram:98765,bogus-id' });

    expect(error.message).not.toContain('98765');
    expect(error.message).not.toContain('bogus-id');
  });
});

describe('parseEnv SUMMARY_CRON', () => {
  it('accepts a five-field expression', () => {
    expect(parseEnv({ SUMMARY_CRON: '0 */2 * * *' }).SUMMARY_CRON).toBe('0 */2 * * *');
  });

  it('accepts a seconds field', () => {
    expect(parseEnv({ SUMMARY_CRON: '*/30 * * * * *' }).SUMMARY_CRON).toBe('*/30 * * * * *');
  });

  it.each(['every five minutes', '61 * * * *', '* * *', '*/5 * * * * * * *'])('rejects %j', (expression) => {
    const error = parseError({ SUMMARY_CRON: expression });

    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toContain('SUMMARY_CRON');
  });
});

describe('parseEnv LOG_LEVEL', () => {
  it.each(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])('accepts %s', (level) => {
    expect(parseEnv({ LOG_LEVEL: level }).LOG_LEVEL).toBe(level);
  });

  it.each(['verbose', 'INFO', 'warning'])('rejects %j', (level) => {
    const error = parseError({ LOG_LEVEL: level });

    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toContain('LOG_LEVEL');
  });
});

describe('parseEnv errors', () => {
  it.each([
    ['TELEGRAM_BOT_TOKEN', 'leaked-telegram-value'],
    ['TELEGRAM_API_ROOT', 'leaked-url-value'],
    ['GROQ_BASE_URL', 'ftp://leaked-groq-value'],
    ['ADMIN_IDS', 'telegram:1,leaked-admin-value'],
    ['SUMMARY_CRON', 'leaked cron value'],
    ['LOG_LEVEL', 'leaked-level-value'],
  ])('names %s without its value', (variable, value) => {
    const error = parseError({ [variable]: value });

    expect(error.message).toContain(variable);
    expect(error.message).not.toContain('leaked');
  });

  it('lists one line per invalid variable', () => {
    const error = parseError({ LOG_LEVEL: 'loud', ADMIN_IDS: 'x', GROQ_BASE_URL: 'groq' });

    expect(error.problems).toHaveLength(3);
    expect(error.message.split('\n')).toHaveLength(3);
    expect(error.name).toBe('EnvConfigError');
  });
});

describe('enabledPlatforms', () => {
  it('is empty without tokens', () => {
    expect(enabledPlatforms(parseEnv({}))).toEqual([]);
  });

  it('lists each platform with a token', () => {
    expect(enabledPlatforms(parseEnv({ TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN }))).toEqual(['telegram']);
    expect(enabledPlatforms(parseEnv({ DISCORD_BOT_TOKEN: 'discord-token' }))).toEqual(['discord']);
    expect(enabledPlatforms(parseEnv({ TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN, DISCORD_BOT_TOKEN: 'discord-token' }))).toEqual([
      'telegram',
      'discord',
    ]);
  });

  it('ignores empty tokens', () => {
    expect(enabledPlatforms(parseEnv({ TELEGRAM_BOT_TOKEN: '', DISCORD_BOT_TOKEN: ' ' }))).toEqual([]);
  });
});
