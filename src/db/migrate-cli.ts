/**
 * `npm run migrate`: migrates the database named by `DATABASE_URL` (a file path, default
 * `./data/bot.sqlite`) to the latest schema and exits, so a database can be prepared or
 * upgraded without starting the bot.
 */
import pino from 'pino';

import { openDatabase } from './connection.js';
import { migrateToLatest } from './migrate.js';

const DEFAULT_DATABASE_PATH = './data/bot.sqlite';

const logger = pino({ name: 'migrate' });
const path = process.env.DATABASE_URL || DEFAULT_DATABASE_PATH;
const db = openDatabase(path, logger);

try {
  await migrateToLatest(db, logger);
  logger.info({ path }, 'database schema is up to date');
} catch (error) {
  logger.error({ err: error, path }, 'migration failed');
  process.exitCode = 1;
} finally {
  await db.destroy();
}
