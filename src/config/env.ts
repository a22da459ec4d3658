import { z } from 'zod';
import cron from 'node-cron';

/**
 * The environment contract. Every variable is documented in `.env.example`; secrets
 * (tokens and API keys) come only from here, never from the database or config files.
 */

/**
 * Treats a variable that is empty or only white space as unset, so its default applies.
 * Compose files and `.env` templates often pass `NAME=` for a variable left blank.
 */
const unsetWhenEmpty = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? undefined : value), schema);

const optionalSecret = unsetWhenEmpty(z.string().trim().optional());

function isHttpUrl(value: string): boolean {
  // `new URL` alone would accept a space in the path and repair `https:///host`, hiding a typo.
  if (/\s/.test(value) || !/^https?:\/\/[^/]/i.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

const httpUrl = (fallback: string) =>
  unsetWhenEmpty(
    z
      .string()
      .trim()
      .default(fallback)
      .refine(isHttpUrl, 'must be an http:// or https:// URL')
      .transform((value) => value.replace(/\/+$/, '')),
  );

/**
 * A URL that overrides a row of `api_configs` only when the variable is set; the seeded rows
 * carry the documented defaults, so an admin's change to a row is kept when it is unset.
 */
const optionalHttpUrl = () =>
  unsetWhenEmpty(
    z
      .string()
      .trim()
      .refine(isHttpUrl, 'must be an http:// or https:// URL')
      .transform((value) => value.replace(/\/+$/, ''))
      .optional(),
  );

const platformId = /^(telegram|discord):\d+$/;

/**
 * `DATABASE_URL`: a SQLite file path, with or without a `sqlite:` or `sqlite://` prefix. Shared
 * by the bot and `npm run migrate`, so both open the same file.
 */
export const databaseUrlSchema = unsetWhenEmpty(
  z
    .string()
    .trim()
    .default('./data/bot.sqlite')
    .transform((value) => value.replace(/^sqlite:(\/\/)?/, ''))
    .refine((value) => value !== '', 'must be a SQLite file path such as ./data/bot.sqlite'),
);

export const envSchema = z.object({
  TELEGRAM_BOT_TOKEN: optionalSecret.refine(
    (value) => value === undefined || /^\d+:[\w-]{20,}$/.test(value),
    'must look like 123456789:AA... as issued by @BotFather',
  ),
  TELEGRAM_API_ROOT: httpUrl('https://api.telegram.org'),
  DISCORD_BOT_TOKEN: optionalSecret,
  DISCORD_API_BASE: httpUrl('https://discord.com/api'),
  DATABASE_URL: databaseUrlSchema,
  GROQ_API_KEY: optionalSecret,
  GROQ_BASE_URL: optionalHttpUrl(),
  LOCAL_LLM_BASE_URL: optionalHttpUrl(),
  LOCAL_LLM_API_KEY: unsetWhenEmpty(z.string().trim().default('ollama')),
  IMAGE_API_BASE_URL: optionalHttpUrl(),
  ADMIN_IDS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((item) => item.trim().toLowerCase())
        .filter((item) => item !== ''),
    )
    .refine(
      (ids) => ids.every((id) => platformId.test(id)),
      'must be a comma-separated list such as telegram:123,discord:456',
    ),
  SUMMARY_CRON: unsetWhenEmpty(
    z
      .string()
      .trim()
      .default('*/5 * * * *')
      .refine((value) => cron.validate(value), 'must be a node-cron expression such as */5 * * * * (seconds field allowed)'),
  ),
  LOG_LEVEL: unsetWhenEmpty(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
});

export type EnvConfig = z.infer<typeof envSchema>;

/** Thrown when the environment does not satisfy the contract; the message is one line per problem. */
export class EnvConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'EnvConfigError';
  }
}

/**
 * Validates the environment. Values are never echoed in errors, because several of them are secrets.
 */
export function parseEnv(source: NodeJS.ProcessEnv | Record<string, string | undefined>): EnvConfig {
  const result = envSchema.safeParse(source);
  if (result.success) return result.data;

  const problems = result.error.issues.map((issue) => {
    const variable = issue.path.join('.') || 'environment';
    return `Invalid environment variable ${variable}: ${issue.message}.`;
  });
  throw new EnvConfigError(problems);
}

/** Platform adapters that have a token and will start. */
export function enabledPlatforms(env: EnvConfig): Array<'telegram' | 'discord'> {
  const platforms: Array<'telegram' | 'discord'> = [];
  if (env.TELEGRAM_BOT_TOKEN) platforms.push('telegram');
  if (env.DISCORD_BOT_TOKEN) platforms.push('discord');
  return platforms;
}
