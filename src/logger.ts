import pino, { type Logger } from 'pino';

/**
 * Paths pino replaces with "[redacted]" wherever they appear in a log object, so a token or
 * key that slips into logged context never reaches the output.
 */
export const REDACTED_PATHS = [
  'token',
  'apiKey',
  'api_key',
  'authorization',
  'password',
  'secret',
  '*.token',
  '*.apiKey',
  '*.api_key',
  '*.authorization',
  '*.Authorization',
  '*.password',
  '*.secret',
  'headers.authorization',
  'env.TELEGRAM_BOT_TOKEN',
  'env.DISCORD_BOT_TOKEN',
  'env.GROQ_API_KEY',
  'env.LOCAL_LLM_API_KEY',
];

/**
 * Error fields that carry what was sent: grammY's `payload` (the method's parameters, such as a
 * message's text with invite codes) and discord.js's `requestBody`. A log line keeps the
 * method, status and description, which identify the failure, without the user's content.
 */
const REQUEST_CONTENT_FIELDS = ['payload', 'requestBody'];

/** Tokens that sit in request URLs: a Telegram bot token and a Discord webhook or interaction token. */
const URL_TOKENS: Array<[RegExp, string]> = [
  [/\/bot\d+:[\w-]+/g, '/bot[redacted]'],
  [/\/webhooks\/(\d+)\/[^/?#\s"']+/g, '/webhooks/$1/[redacted]'],
  [/\/interactions\/(\d+)\/[^/?#\s"']+/g, '/interactions/$1/[redacted]'],
];

/** Replaces the tokens of request URLs in a text with "[redacted]". */
export function maskUrlTokens(text: string): string {
  return URL_TOKENS.reduce((masked, [pattern, replacement]) => masked.replace(pattern, replacement), text);
}

/**
 * Serializes the `err` of a log line. An Error goes through pino's standard serializer, then
 * loses its request content fields, and its text fields lose URL tokens. A string (an error
 * already described) loses URL tokens.
 */
export function serializeError(value: unknown): unknown {
  return serializeErrorAt(value, 0);
}

/** Errors nested deeper than this (a cause of a cause of a cause) are left out. */
const MAX_NESTED_ERRORS = 3;

function serializeErrorAt(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return maskUrlTokens(value);
  if (!(value instanceof Error)) return value;
  const serialized: Record<string, unknown> = { ...pino.stdSerializers.err(value) };
  for (const field of REQUEST_CONTENT_FIELDS) delete serialized[field];
  for (const [key, field] of Object.entries(serialized)) {
    if (typeof field === 'string') serialized[key] = maskUrlTokens(field);
  }
  // A wrapped error (grammY's HttpError keeps the fetch error in `error`, others use `cause`)
  // may carry the request URL with the token, so it is cleaned the same way.
  const source = value as Error & { error?: unknown; cause?: unknown };
  for (const key of ['error', 'cause'] as const) {
    if (!(source[key] instanceof Error)) continue;
    serialized[key] = depth < MAX_NESTED_ERRORS ? serializeErrorAt(source[key], depth + 1) : '[nested error left out]';
  }
  return serialized;
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'chat-bot' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: { err: serializeError },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

/**
 * Replaces every occurrence of the given secret values in a text. Used on error messages
 * that third-party libraries build from request URLs (a Telegram token sits in the URL path).
 */
export function maskSecrets(text: string, secrets: Array<string | undefined>): string {
  let masked = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 6) masked = masked.split(secret).join('[redacted]');
  }
  return masked;
}
