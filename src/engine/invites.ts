import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/values.js';

/** Invite codes are 10 uppercase hexadecimal characters (40 random bits). */
export const INVITE_CODE_PATTERN = /^[0-9A-F]{10}$/;

export function generateInviteCode(): string {
  return randomBytes(5).toString('hex').toUpperCase();
}

/** Upper-cases and trims a code as typed; returns undefined when it cannot be a code. */
export function normalizeInviteCode(input: string): string | undefined {
  const code = input.trim().toUpperCase();
  return INVITE_CODE_PATTERN.test(code) ? code : undefined;
}

/**
 * Spends the code for `username` unless that user has already spent a code. Returns true
 * when this call spent the code, and also when an earlier or concurrent call of the same user
 * spent this or another code, in which case nothing changes. So one user spends at most one
 * code, and a repeated or parallel redemption of theirs succeeds instead of finding the code
 * used.
 *
 * SQLite decides in one conditional UPDATE, which runs under the database's write lock, so
 * when several people race for one code exactly one of them wins, also across connections.
 * Spent codes are never made unused again, so the check that follows a failed UPDATE cannot
 * miss a code this user spent.
 */
export async function redeemInvite(db: Kysely<Database>, input: string, username: string): Promise<boolean> {
  const code = normalizeInviteCode(input);
  if (!code) return false;
  const result = await db
    .updateTable('invites')
    .set({ is_used: 1, used_by: username, used_at: nowIso() })
    .where('code', '=', code)
    .where('is_used', '=', 0)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('invites as spent').select('spent.code').where('spent.used_by', '=', username))),
    )
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 1) return true;
  return hasRedeemedInvite(db, username);
}

/** Tells whether `username` has redeemed an invite code. */
export async function hasRedeemedInvite(db: Kysely<Database>, username: string): Promise<boolean> {
  const row = await db.selectFrom('invites').select('code').where('used_by', '=', username).executeTakeFirst();
  return row !== undefined;
}

export async function createInvites(db: Kysely<Database>, createdBy: string, count: number): Promise<string[]> {
  const codes: string[] = [];
  const now = nowIso();
  while (codes.length < count) {
    const code = generateInviteCode();
    const result = await db
      .insertInto('invites')
      .values({ code, created_by: createdBy, is_used: 0, used_by: null, used_at: null, created_at: now })
      .onConflict((conflict) => conflict.column('code').doNothing())
      .executeTakeFirst();
    if (Number(result.numInsertedOrUpdatedRows ?? 0n) === 1) codes.push(code);
  }
  return codes;
}
