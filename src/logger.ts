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

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'chat-bot' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
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
