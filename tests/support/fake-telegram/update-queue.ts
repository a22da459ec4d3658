/**
 * The pending-update queue behind getUpdates, with Telegram's long-polling rules:
 * - `offset` confirms every update with a smaller id, which is then gone for good; a
 *   negative offset keeps only the last `-offset` updates.
 * - `limit` is clamped to 1..100 (default 100).
 * - `timeout` (seconds) keeps the request open until an update arrives or the time passes.
 * - `allowed_updates` is remembered across calls and filters updates as they are created,
 *   so it does not affect updates that were already queued.
 * - Only one getUpdates may wait at a time. A newer one ends the waiting one with 409,
 *   which is what Telegram's reply text describes ("terminated by other getUpdates request").
 */

import type { Update } from 'grammy/types';

import { getUpdatesConflict, type TelegramApiError } from './errors.js';

/** Update types Telegram leaves out unless `allowed_updates` names them. */
const OPT_IN_UPDATE_TYPES = new Set(['chat_member', 'message_reaction', 'message_reaction_count']);

const MAX_LIMIT = 100;

export interface GetUpdatesParams {
  offset?: number;
  limit?: number;
  timeout?: number;
  allowedUpdates?: string[];
}

/** An update without its id; the queue assigns ids in increasing order. */
export type UpdateWithoutId = Omit<Update, 'update_id'>;

interface HeldPoll {
  limit: number;
  resolve: (updates: Update[]) => void;
  reject: (error: TelegramApiError) => void;
  timer: NodeJS.Timeout;
}

export class UpdateQueue {
  #nextUpdateId: number;
  /** Unconfirmed updates, oldest first. */
  #pending: Update[] = [];
  /** The `allowed_updates` of the latest getUpdates that passed one; undefined = default. */
  #allowedUpdates: Set<string> | undefined;
  #held: HeldPoll | undefined;
  #closed = false;

  readonly #onHold: () => void;

  /** `onHold` runs whenever a getUpdates call starts waiting for updates. */
  constructor(firstUpdateId = 1, onHold: () => void = () => {}) {
    this.#nextUpdateId = firstUpdateId;
    this.#onHold = onHold;
  }

  /** True while a getUpdates call is held open waiting for updates. */
  isHolding(): boolean {
    return this.#held !== undefined;
  }

  /**
   * Assigns the next update id and queues the update, or drops it when `allowed_updates`
   * excludes its type. Returns the update with its id either way.
   */
  push(update: UpdateWithoutId): Update {
    const withId = { update_id: this.#nextUpdateId, ...update } as Update;
    this.#nextUpdateId += 1;

    if (this.#isAllowed(withId)) {
      this.#pending.push(withId);
      this.#releaseHeld();
    }
    return withId;
  }

  /** Updates not yet confirmed by an offset, oldest first. */
  pending(): readonly Update[] {
    return this.#pending;
  }

  /** Forgets every pending update, as deleteWebhook with drop_pending_updates does. */
  dropPending(): void {
    this.#pending = [];
  }

  /**
   * Resolves one getUpdates call with its updates. `signal` ends a held call when its client
   * disconnects, so a bot that stops polling does not make its next poll conflict with a
   * dead one.
   */
  poll(params: GetUpdatesParams, signal?: AbortSignal): Promise<Update[]> {
    this.#confirm(params.offset);
    if (params.allowedUpdates !== undefined) {
      this.#allowedUpdates = params.allowedUpdates.length > 0 ? new Set(params.allowedUpdates) : undefined;
    }

    if (this.#held !== undefined) {
      const held = this.#held;
      this.#held = undefined;
      clearTimeout(held.timer);
      held.reject(getUpdatesConflict());
    }

    const limit = Math.min(MAX_LIMIT, Math.max(1, params.limit ?? MAX_LIMIT));
    const timeoutSeconds = Math.max(0, params.timeout ?? 0);
    if (this.#pending.length > 0 || timeoutSeconds === 0 || this.#closed) {
      return Promise.resolve(this.#pending.slice(0, limit));
    }

    return new Promise<Update[]>((resolve, reject) => {
      const held: HeldPoll = {
        limit,
        resolve,
        reject,
        timer: setTimeout(() => this.#finishHeld(held, []), timeoutSeconds * 1000),
      };
      this.#held = held;
      signal?.addEventListener('abort', () => this.#finishHeld(held, []), { once: true });
      this.#onHold();
    });
  }

  /** Releases a held getUpdates with no updates, and makes later calls return at once. */
  close(): void {
    this.#closed = true;
    if (this.#held !== undefined) {
      this.#finishHeld(this.#held, []);
    }
  }

  #confirm(offset: number | undefined): void {
    if (offset === undefined || offset === 0) {
      return;
    }
    if (offset > 0) {
      this.#pending = this.#pending.filter((update) => update.update_id >= offset);
    } else {
      this.#pending = this.#pending.slice(offset);
    }
  }

  #isAllowed(update: Update): boolean {
    const type = Object.keys(update).find((key) => key !== 'update_id');
    if (type === undefined) {
      return false;
    }
    if (this.#allowedUpdates === undefined) {
      return !OPT_IN_UPDATE_TYPES.has(type);
    }
    return this.#allowedUpdates.has(type);
  }

  #releaseHeld(): void {
    if (this.#held !== undefined) {
      this.#finishHeld(this.#held, this.#pending.slice(0, this.#held.limit));
    }
  }

  #finishHeld(held: HeldPoll, updates: Update[]): void {
    if (this.#held !== held) {
      return;
    }
    this.#held = undefined;
    clearTimeout(held.timer);
    held.resolve(updates);
  }
}
