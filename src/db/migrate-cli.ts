/**
 * `npm run migrate`: migrates the database named by `DATABASE_URL` (a file path, default
 * `./data/bot.sqlite`, read as the bot reads it) to the latest schema and exits, so a database
 * can be prepared or upgraded without starting the bot.
 */
import { databaseUrlSchema } from '../config/env.js';
import { createLogger } from '../logger.js';
import { openDatabase } from './connection.js';
import { migrateToLatest } from './migrate.js';

try {
  // `.env` is read as `npm start` reads it; variables already set in the environment win.
  process.loadEnvFile();
} catch {
  // No .env file: the environment alone is used.
}

const logger = createLogger('info').child({ name: 'migrate' });
const parsed = databaseUrlSchema.safeParse(process.env.DATABASE_URL);

if (!parsed.success) {
  logger.error({ variable: 'DATABASE_URL', problem: parsed.error.issues[0]?.message }, 'invalid DATABASE_URL');
  process.exitCode = 1;
} else {
  const path = parsed.data;
  try {
    const db = openDatabase(path, logger);
    try {
      await migrateToLatest(db, logger);
      logger.info({ path }, 'database schema is up to date');
    } finally {
      await db.destroy();
    }
  } catch (error) {
    logger.error({ err: error, path }, 'migration failed');
    process.exitCode = 1;
  }
}
