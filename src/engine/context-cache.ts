import type { HistoryMessage, PromptHistory } from './history.js';

/** Maximum number of conversations whose prompt context is kept. The least recently used one goes first. */
export const DEFAULT_CONTEXT_CAPACITY = 1_000;

/**
 * Maximum characters of summaries and messages kept in all: an estimated 20 to 40 MB of
 * JavaScript strings, at one or two bytes per character. 1,000 conversations of 40 messages
 * of 4,000 characters would contain eight times as much.
 */
export const DEFAULT_CONTEXT_MAX_CHARS = 20_000_000;

/** The prompt context of one conversation, as `loadPromptHistory` returned it and turns extended it. */
interface CachedContext {
  summary: string | null;
  /** Oldest first, at most `maxMessages`. */
  messages: HistoryMessage[];
  /** The history limit the entry was read and trimmed with. */
  maxMessages: number;
  /** Characters of the summary and the messages. */
  chars: number;
}

/**
 * The prompt context (summary and newest messages) of recently active conversations, kept in
 * memory so that a turn does not read it back from SQLite. That read was the most expensive
 * statement of a turn. The engine is the only writer of chat turns, and turns of one chat run
 * one at a time, so it keeps an entry current by appending each message it stores.
 *
 * An entry is dropped whenever the stored context changes in another way: a new summary, a
 * reply marked failed after delivery, or erased data. A read that started before such a drop
 * is not stored (see `generation`). A writer outside the chat's queue, the summary job, calls
 * `hold` before its write and `release` after it. From `hold` on, no turn reads or stores the
 * context from before the write. Writes from other connections, such as a second bot process,
 * make the engine clear the whole cache before its next turn (see `OutsideWriteWatch`).
 */
export class ContextCache {
  readonly #capacity: number;
  readonly #maxChars: number;
  readonly #entries = new Map<string, CachedContext>();
  /** Conversations whose stored context is being changed, with the number of changes running. */
  readonly #held = new Map<string, number>();
  #generation = 0;
  #chars = 0;

  constructor(options: { capacity?: number; maxChars?: number } = {}) {
    this.#capacity = options.capacity ?? DEFAULT_CONTEXT_CAPACITY;
    this.#maxChars = options.maxChars ?? DEFAULT_CONTEXT_MAX_CHARS;
  }

  /** Bumped by every drop. Pass the value taken before a database read to `store`. */
  get generation(): number {
    return this.#generation;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Total characters in all entries. */
  get chars(): number {
    return this.#chars;
  }

  /** Returns the conversation's context when it is cached with this history limit. */
  get(conversationId: string, maxMessages: number): PromptHistory | undefined {
    const entry = this.#entries.get(conversationId);
    if (entry === undefined || entry.maxMessages !== maxMessages) return undefined;
    // A Map keeps insertion order, so moving the entry to the end leaves the least recently used first.
    this.#entries.delete(conversationId);
    this.#entries.set(conversationId, entry);
    return { summary: entry.summary, messages: [...entry.messages], rowsRead: 0 };
  }

  /**
   * Keeps a context read from the database, unless something was dropped since `generation`
   * was taken, because the read may then predate the change.
   */
  store(conversationId: string, history: PromptHistory, maxMessages: number, generation: number): void {
    if (generation !== this.#generation || this.#held.has(conversationId)) return;
    this.#remove(conversationId);
    const messages = [...history.messages];
    const chars = (history.summary?.length ?? 0) + messages.reduce((sum, message) => sum + message.content.length, 0);
    this.#entries.set(conversationId, { summary: history.summary, messages, maxMessages, chars });
    this.#chars += chars;
    this.#evict();
  }

  /**
   * Adds a message the engine just stored to a cached context, dropping the oldest beyond the
   * limit. A message already present (an update handled again after a crash) is not added twice.
   */
  append(conversationId: string, message: HistoryMessage): void {
    const entry = this.#entries.get(conversationId);
    if (entry === undefined) return;
    const last = entry.messages.at(-1);
    if (last !== undefined && last.id >= message.id) return;
    entry.messages.push(message);
    let added = message.content.length;
    while (entry.messages.length > entry.maxMessages) added -= entry.messages.shift()!.content.length;
    entry.chars += added;
    this.#chars += added;
    this.#evict();
  }

  /** Drops one conversation's context. The next turn reads it from the database. */
  drop(conversationId: string): void {
    this.#remove(conversationId);
    this.#generation += 1;
  }

  /**
   * Drops the context that contains a message, e.g. a reply marked failed after it was cached.
   * Searches every entry, which is fine because it runs only when a delivery fails. The
   * generation moves even when no entry contains the message, so a read already running is
   * not kept either.
   */
  dropMessage(messageId: number): void {
    for (const [conversationId, entry] of this.#entries) {
      if (entry.messages.some((message) => message.id === messageId)) this.#remove(conversationId);
    }
    this.#generation += 1;
  }

  /**
   * Marks the conversation's stored context as being changed: its entry is dropped, and until
   * the matching `release` no context of it is kept.
   */
  hold(conversationId: string): void {
    this.#held.set(conversationId, (this.#held.get(conversationId) ?? 0) + 1);
    this.drop(conversationId);
  }

  /** Ends a change begun with `hold`. A read that ran during the change is not kept. */
  release(conversationId: string): void {
    const count = (this.#held.get(conversationId) ?? 1) - 1;
    if (count > 0) this.#held.set(conversationId, count);
    else this.#held.delete(conversationId);
    this.drop(conversationId);
  }

  /** Drops every context. */
  clear(): void {
    this.#entries.clear();
    this.#chars = 0;
    this.#generation += 1;
  }

  #remove(conversationId: string): void {
    const entry = this.#entries.get(conversationId);
    if (entry === undefined) return;
    this.#entries.delete(conversationId);
    this.#chars -= entry.chars;
  }

  /** Drops the least recently used entries while over the entry or character limit. */
  #evict(): void {
    while (this.#entries.size > this.#capacity || (this.#chars > this.#maxChars && this.#entries.size > 0)) {
      this.#remove(this.#entries.keys().next().value!);
    }
  }
}
