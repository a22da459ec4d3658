import { z } from 'zod';

import { eraseUserData } from '../../engine/erasure.js';
import type { CommandDefinition } from '../types.js';

/** Argument that confirms `/forget_me`; the confirm button sends it. */
export const FORGET_ME_CONFIRM = 'confirm';

const forgetMeOptions = z.object({ confirmed: z.boolean() });

/**
 * `/forget_me [confirm]`: without `confirm`, warns what will be deleted and offers a confirm
 * button; with it, deletes the user's stored data through `eraseUserData`. Runs in the chat's
 * queue so no turn of this chat writes to a conversation while it is deleted. Banned users
 * may use it too: the ban is kept on the `users` row, which erasure leaves in place.
 */
export const forgetMeCommand: CommandDefinition<typeof forgetMeOptions> = {
  name: 'forget_me',
  nameTr: 'beni_unut',
  usage: `/forget_me [${FORGET_ME_CONFIRM}]`,
  allowBanned: true,
  schema: forgetMeOptions,
  parse: (argumentText) => {
    const word = argumentText.trim().toLowerCase();
    if (word === '') return { confirmed: false };
    return word === FORGET_ME_CONFIRM ? { confirmed: true } : {};
  },
  confirms: (argumentText) => argumentText.trim().toLowerCase() === FORGET_ME_CONFIRM,
  async handle(context) {
    if (!context.options.confirmed) {
      return {
        title: context.t('command.forget_me.description'),
        text: context.t('forget_me.warning'),
        buttons: [[{ label: context.t('forget_me.confirm_label'), command: `/forget_me ${FORGET_ME_CONFIRM}` }]],
      };
    }

    const userId = context.actor.user.id;
    // Erased messages must not stay in memory either. Erasures are rare, so every cached
    // context goes, before the erasure and again after it, so that a turn of this user on
    // another chat that read its context meanwhile does not keep it.
    const { contexts } = context.services.engine;
    contexts.clear();
    const { engine } = context.services;
    const counts = await engine.runInChat(context.platform, context.chatId, async () => {
      // Preference inference from an earlier turn may still run; it must not write after the erasure.
      // NOTE: only this chat's queue is held. A turn of the same user still running in another
      // chat (a DM while /forget_me runs in a server channel) can start inference after this.
      await engine.cancelBackgroundWork(userId);
      return eraseUserData(context.services.db, userId);
    });
    contexts.clear();
    context.services.logger.info({ userId, ...counts }, 'user data erased');
    return { text: context.t('forget_me.done') };
  },
};
