import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  INVITE_CODE_PATTERN,
  createInvites,
  generateInviteCode,
  normalizeInviteCode,
  redeemInvite,
} from '../../../src/engine/invites.js';
import { openDatabase } from '../../../src/db/connection.js';
import { createTempDatabase } from '../../support/temp-db.js';
import type { TempDatabase } from '../../support/temp-db.js';

const CODE = 'A1B2C3D4E5';

describe('generateInviteCode', () => {
  it('returns 10 upper-case hex characters', () => {
    for (let attempt = 0; attempt < 50; attempt += 1) {
      expect(generateInviteCode()).toMatch(/^[0-9A-F]{10}$/);
    }
  });

  it('varies between calls', () => {
    const codes = new Set(Array.from({ length: 50 }, () => generateInviteCode()));

    expect(codes.size).toBe(50);
  });
});

describe('normalizeInviteCode', () => {
  it('upper-cases and trims', () => {
    expect(normalizeInviteCode(' a1b2c3d4e5\n')).toBe(CODE);
    expect(normalizeInviteCode('A1b2C3d4E5')).toBe(CODE);
  });

  it.each(['', 'A1B2C3D4E', 'A1B2C3D4E5F', 'G1B2C3D4E5', 'A1B2 C3D4E5', 'A1B2-C3D4E', 'ａ1b2c3d4e5', '0x1B2C3D4E'])(
    'rejects %j',
    (input) => {
      expect(normalizeInviteCode(input)).toBeUndefined();
    },
  );

  it('agrees with the pattern', () => {
    expect(INVITE_CODE_PATTERN.test(CODE)).toBe(true);
    expect(INVITE_CODE_PATTERN.test(CODE.toLowerCase())).toBe(false);
  });
});

describe('invites in the database', () => {
  let temp: TempDatabase;

  async function addInvite(code: string): Promise<void> {
    await temp.db
      .insertInto('invites')
      .values({ code, created_by: 'system', is_used: 0, used_by: null, used_at: null, created_at: '2026-12-04T19:37:03.000Z' })
      .execute();
  }

  beforeEach(async () => {
    temp = await createTempDatabase();
  });

  afterEach(async () => {
    await temp.cleanup();
  });

  it('redeems a code once', async () => {
    await addInvite(CODE);

    expect(await redeemInvite(temp.db, CODE, 'telegram:1')).toBe(true);
    expect(await redeemInvite(temp.db, CODE, 'telegram:2')).toBe(false);
  });

  it('repeats a redemption of the same user', async () => {
    await addInvite(CODE);
    await redeemInvite(temp.db, CODE, 'telegram:1');
    const before = await temp.db.selectFrom('invites').selectAll().executeTakeFirstOrThrow();

    expect(await redeemInvite(temp.db, CODE, 'telegram:1')).toBe(true);
    expect(await temp.db.selectFrom('invites').selectAll().executeTakeFirstOrThrow()).toEqual(before);
  });

  it('spends no second code for a user', async () => {
    await addInvite(CODE);
    await addInvite('FFFFFFFFFF');
    await redeemInvite(temp.db, CODE, 'telegram:1');

    expect(await redeemInvite(temp.db, 'FFFFFFFFFF', 'telegram:1')).toBe(true);
    const second = await temp.db.selectFrom('invites').selectAll().where('code', '=', 'FFFFFFFFFF').executeTakeFirstOrThrow();
    expect(second).toMatchObject({ is_used: 0, used_by: null, used_at: null });
  });

  it('records who redeemed', async () => {
    await addInvite(CODE);
    await redeemInvite(temp.db, CODE, 'telegram:1');

    const row = await temp.db.selectFrom('invites').selectAll().where('code', '=', CODE).executeTakeFirstOrThrow();

    expect(row.is_used).toBe(1);
    expect(row.used_by).toBe('telegram:1');
    expect(row.used_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('matches case-insensitively', async () => {
    await addInvite(CODE);

    expect(await redeemInvite(temp.db, ' a1b2c3d4e5 ', 'telegram:1')).toBe(true);
  });

  it('rejects an unknown code', async () => {
    await addInvite(CODE);

    expect(await redeemInvite(temp.db, 'FFFFFFFFFF', 'telegram:1')).toBe(false);
  });

  it('rejects malformed input', async () => {
    await addInvite(CODE);

    expect(await redeemInvite(temp.db, `${CODE}' OR 1=1 --`, 'telegram:1')).toBe(false);
    expect(await redeemInvite(temp.db, '', 'telegram:1')).toBe(false);
  });

  it('lets one of ten racers win', async () => {
    await addInvite(CODE);

    const results = await Promise.all(
      Array.from({ length: 10 }, (_, index) => redeemInvite(temp.db, CODE, `telegram:${index}`)),
    );

    expect(results.filter((won) => won)).toHaveLength(1);
  });

  it('lets one of ten connections win', async () => {
    await addInvite(CODE);
    const connections = Array.from({ length: 10 }, () => openDatabase(temp.path));

    try {
      const results = await Promise.all(
        connections.map((db, index) => redeemInvite(db, CODE.toLowerCase(), `discord:${index}`)),
      );
      const row = await temp.db.selectFrom('invites').selectAll().where('code', '=', CODE).executeTakeFirstOrThrow();
      const winner = results.findIndex((won) => won);

      expect(results.filter((won) => won)).toHaveLength(1);
      expect(row.used_by).toBe(`discord:${winner}`);
    } finally {
      await Promise.all(connections.map((db) => db.destroy()));
    }
  });

  it('spends one code per user across connections', async () => {
    const codes = Array.from({ length: 10 }, (_, index) => `${index}`.repeat(10));
    for (const code of codes) await addInvite(code);
    const connections = codes.map(() => openDatabase(temp.path));

    try {
      const results = await Promise.all(connections.map((db, index) => redeemInvite(db, codes[index]!, 'discord:1')));
      const spent = await temp.db.selectFrom('invites').select('code').where('used_by', '=', 'discord:1').execute();

      expect(results.every((redeemed) => redeemed)).toBe(true);
      expect(spent).toHaveLength(1);
      expect(await temp.db.selectFrom('invites').select('code').where('is_used', '=', 1).execute()).toHaveLength(1);
    } finally {
      await Promise.all(connections.map((db) => db.destroy()));
    }
  });

  it('creates the requested number of unique codes', async () => {
    const codes = await createInvites(temp.db, 'telegram:1', 25);

    const rows = await temp.db.selectFrom('invites').selectAll().execute();

    expect(codes).toHaveLength(25);
    expect(new Set(codes).size).toBe(25);
    expect(rows).toHaveLength(25);
    expect(rows.every((row) => row.created_by === 'telegram:1' && row.is_used === 0)).toBe(true);
    expect(codes.every((code) => INVITE_CODE_PATTERN.test(code))).toBe(true);
  });

  it('creates nothing for count 0', async () => {
    expect(await createInvites(temp.db, 'system', 0)).toEqual([]);
  });

  it('creates redeemable codes', async () => {
    const [code] = await createInvites(temp.db, 'system', 1);

    expect(await redeemInvite(temp.db, code ?? '', 'telegram:9')).toBe(true);
  });
});
