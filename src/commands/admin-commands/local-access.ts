import { canUseLocal } from '../../engine/permissions.js';
import { defineUserFlagCommand } from './target-user.js';

/** `/unlock USER`: sets `bela_unlocked`, which gives the user the local, uncensored model. */
export const unlockCommand = defineUserFlagCommand({
  name: 'unlock',
  nameTr: 'kilidi_ac',
  column: 'bela_unlocked',
  value: 1,
  doneKey: 'unlock.done',
  unchangedKey: 'unlock.already',
  logMessage: 'local model unlocked',
});

/**
 * `/lock USER`: clears `bela_unlocked`. The admin role and `permissions.can_use_local_chat`
 * grant local access too, so the reply notes when the user keeps it through one of them.
 */
export const lockCommand = defineUserFlagCommand({
  name: 'lock',
  nameTr: 'kilitle',
  column: 'bela_unlocked',
  value: 0,
  doneKey: 'lock.done',
  unchangedKey: 'lock.already',
  logMessage: 'local model locked',
  note: (user, context) => (canUseLocal(user) ? context.t('lock.still_has_access') : undefined),
});
