import { defineUserFlagCommand } from './target-user.js';

/**
 * `/ban USER`: sets `is_banned`, so the user gets a short refusal and never reaches a model.
 * An admin cannot ban themself, nor an account listed in `ADMIN_IDS`, which always gets in.
 */
export const banCommand = defineUserFlagCommand({
  name: 'ban',
  nameTr: 'yasakla',
  column: 'is_banned',
  value: 1,
  doneKey: 'ban.done',
  logMessage: 'user banned',
  adminRejectionKeys: { self: 'ban.self', listedAdmin: 'ban.listed_admin' },
  unchangedKey: 'ban.already',
});

/** `/unban USER`: clears `is_banned`. */
export const unbanCommand = defineUserFlagCommand({
  name: 'unban',
  nameTr: 'yasagi_kaldir',
  column: 'is_banned',
  value: 0,
  doneKey: 'unban.done',
  logMessage: 'user unbanned',
  unchangedKey: 'unban.not_banned',
});
