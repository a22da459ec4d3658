import type { Migration } from 'kysely';

import * as initialSchema from './20251201_0000_initial_schema.js';
import * as addActivePersonaToUsers from './20251207_1933_add_active_persona_to_users.js';
import * as addPlatformColumns from './20261204_0900_add_platform_columns.js';
import * as addPlatformUpdates from './20261204_0910_add_platform_updates.js';

/**
 * Every migration by name. Kysely applies them in the order of their names, so a new file
 * takes a later `YYYYMMDD_HHMM_` prefix and gets a line here. Static imports put every
 * migration in the module graph, so tsc checks them and no folder is read at run time.
 */
export const migrations: Record<string, Migration> = {
  '20251201_0000_initial_schema': initialSchema,
  '20251207_1933_add_active_persona_to_users': addActivePersonaToUsers,
  '20261204_0900_add_platform_columns': addPlatformColumns,
  '20261204_0910_add_platform_updates': addPlatformUpdates,
};
