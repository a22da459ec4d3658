import { startApp, StartupError } from './app.js';
import { EnvConfigError, parseEnv } from './config/env.js';
import { createLogger } from './logger.js';

/**
 * Entry point of `npm start`. Reads `.env` when present, validates the environment, starts
 * the bot and stops it cleanly on SIGTERM or SIGINT.
 */
async function main(): Promise<void> {
  try {
    process.loadEnvFile();
  } catch {
    // No .env file: the environment alone is used.
  }

  let env;
  try {
    env = parseEnv(process.env);
  } catch (error) {
    if (error instanceof EnvConfigError) {
      for (const problem of error.problems) console.error(problem);
      console.error('See .env.example for every variable and its meaning.');
      process.exit(2);
    }
    throw error;
  }

  const logger = createLogger(env.LOG_LEVEL);
  let app;
  try {
    app = await startApp(env, logger);
  } catch (error) {
    if (error instanceof StartupError) {
      logger.fatal(error.message);
      console.error(error.message);
      process.exit(2);
    }
    logger.fatal({ err: error }, 'start-up failed');
    process.exit(1);
  }

  const running = app;
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'signal received');
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

await main();
