import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { openDatabase } from '../../../src/db/connection.js';
import { migrationNames } from '../../../src/db/migrate.js';

const CLI_PATH = fileURLToPath(new URL('../../../src/db/migrate-cli.ts', import.meta.url));

/**
 * Runs `npm run migrate` as its script does, with only `DATABASE_URL` set (when given), in
 * `cwd` (the repository by default). Resolves with the exit code and output.
 */
function runMigrate(databaseUrl: string | undefined, cwd = process.cwd()): Promise<{ code: number | null; output: string }> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '' };
  if (databaseUrl !== undefined) env.DATABASE_URL = databaseUrl;
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), CLI_PATH], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

async function appliedMigrations(path: string): Promise<string[]> {
  const db = openDatabase(path);
  try {
    const rows = await db.selectFrom('kysely_migration' as never).select('name' as never).execute();
    return (rows as Array<{ name: string }>).map((row) => row.name).sort();
  } finally {
    await db.destroy();
  }
}

describe('npm run migrate', () => {
  let folder: string;

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'bot-migrate-'));
  });

  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('reads a sqlite:// URL as the bot does', async () => {
    const path = join(folder, 'prefixed.sqlite');

    const result = await runMigrate(`sqlite://${path}`);

    expect(result.code, result.output).toBe(0);
    expect(existsSync(path)).toBe(true);
    expect(await appliedMigrations(path)).toEqual(migrationNames());
  });

  it('reads DATABASE_URL from .env', async () => {
    await writeFile(join(folder, '.env'), 'DATABASE_URL=sqlite://./from-dotenv.sqlite\n');

    const result = await runMigrate(undefined, folder);

    expect(result.code, result.output).toBe(0);
    expect(await appliedMigrations(join(folder, 'from-dotenv.sqlite'))).toEqual(migrationNames());
    expect(existsSync(join(folder, 'data'))).toBe(false);
  });

  it('lets two processes migrate one new file', async () => {
    // Two processes racing for the first migration collided in about half of the runs before
    // retries, so three rounds make a regression very likely to show.
    for (let round = 0; round < 3; round += 1) {
      const path = join(folder, `race-${round}.sqlite`);

      const results = await Promise.all([runMigrate(path), runMigrate(path)]);

      for (const result of results) expect(result.code, result.output).toBe(0);
      expect(await appliedMigrations(path)).toEqual(migrationNames());
    }
  }, 60_000);
});
