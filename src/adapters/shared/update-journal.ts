import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { nowIso } from '../../db/values.js';

/**
 * Stores each platform update (a Telegram update, a Discord message) when it arrives and marks
 * it when handled. grammY's runner confirms updates to Telegram (through the next `getUpdates`
 * offset) before they are handled, so without this a crash could lose a batch. With it, a
 * restart handles what is stored but unhandled, and an update seen twice is answered once.
 */
export class UpdateJournal {
  readonly #inFlight = new Set<string>();
  /** In-flight keys that were stored by an earlier run: a crash interrupted their handling. */
  readonly #replays = new Set<string>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly platform: 'telegram' | 'discord' = 'telegram',
  ) {}

  /**
   * Records the update; returns false when it was handled before or is being handled now,
   * in which case the caller must not handle it again.
   */
  async begin(key: string, chatId: string | null, payload: unknown): Promise<boolean> {
    if (this.#inFlight.has(key)) return false;
    this.#inFlight.add(key);
    let status: string | undefined;
    try {
      status = await this.#store(key, chatId, payload);
    } catch (error) {
      // Without this the key would stay in flight and a redelivery could never be handled.
      this.#inFlight.delete(key);
      throw error;
    }
    if (status !== 'received' && status !== 'replay') {
      this.#inFlight.delete(key);
      return false;
    }
    if (status === 'replay') this.#replays.add(key);
    return true;
  }

  /**
   * Whether the update being handled was stored before this run began handling it, so part of
   * its work (the stored user message) may already be done.
   */
  isReplay(key: string): boolean {
    return this.#replays.has(key);
  }

  /**
   * Inserts the update unless it is stored already. Returns `received` for a new row, `replay`
   * for an unfinished row stored earlier, or the stored status (`handled`, `failed`).
   */
  async #store(key: string, chatId: string | null, payload: unknown): Promise<string | undefined> {
    const inserted = await this.db
      .insertInto('platform_updates')
      .values({
        platform: this.platform,
        update_key: key,
        chat_id: chatId,
        payload: JSON.stringify(payload),
        status: 'received',
        received_at: nowIso(),
        handled_at: null,
      })
      .onConflict((conflict) => conflict.columns(['platform', 'update_key']).doNothing())
      .returning('status')
      .executeTakeFirst();
    // A new row needs no second look; a conflict means the update was stored before.
    if (inserted) return inserted.status;
    const row = await this.db
      .selectFrom('platform_updates')
      .select('status')
      .where('platform', '=', this.platform)
      .where('update_key', '=', key)
      .executeTakeFirst();
    return row?.status === 'received' ? 'replay' : row?.status;
  }

  /**
   * Marks the update handled or failed and drops its payload: the raw update (message text,
   * names, a secret typed into `/config set`) is kept only while it may still need handling.
   * With `forgetChat` the chat id goes too, for platforms whose catch-up does not need it.
   */
  async finish(key: string, status: 'handled' | 'failed', options: { forgetChat?: boolean } = {}): Promise<void> {
    await this.db
      .updateTable('platform_updates')
      .set({ status, handled_at: nowIso(), payload: '{}', ...(options.forgetChat ? { chat_id: null } : {}) })
      .where('platform', '=', this.platform)
      .where('update_key', '=', key)
      .execute();
    this.#inFlight.delete(key);
    this.#replays.delete(key);
  }

  /** Updates stored but never marked, oldest first: the ones a crash interrupted. */
  async unfinished(): Promise<Array<{ key: string; payload: unknown }>> {
    const rows = await this.db
      .selectFrom('platform_updates')
      .select(['update_key', 'payload'])
      .where('platform', '=', this.platform)
      .where('status', '=', 'received')
      .orderBy('id')
      .execute();
    return rows.map((row) => ({ key: row.update_key, payload: JSON.parse(row.payload) as unknown }));
  }

  /** Key of the update stored last (by arrival, not by numeric value); undefined when none is stored. */
  async lastKey(): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('platform_updates')
      .select('update_key')
      .where('platform', '=', this.platform)
      .orderBy('id', 'desc')
      .executeTakeFirst();
    return row?.update_key;
  }
}
