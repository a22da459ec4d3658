import type { Logger } from 'pino';

/** Partial updates stop after this many failures in a row. */
const MAX_CONSECUTIVE_FAILURES = 3;

/**
 * Turns a fast stream of "text so far" values into paced updates. At most one update is in
 * flight, and consecutive updates are at least `minIntervalMs` apart. Intermediate values are
 * dropped in favour of the newest, and a value equal to the last one shown is not sent again.
 */
export class StreamCoalescer {
  #latest = '';
  #shown = '';
  #lastFlushAt = Number.NEGATIVE_INFINITY;
  #running: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #consecutiveFailures = 0;

  constructor(
    private readonly flush: (text: string) => Promise<void>,
    private readonly minIntervalMs: number,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Offers the newest text; it is shown at the next free slot unless a newer one arrives first. */
  push(text: string): void {
    if (this.#closed) return;
    this.#latest = text;
    this.#schedule();
  }

  /** Stops taking text and waits for the update in flight, so the final reply cannot race it. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  #schedule(): void {
    if (this.#running || this.#timer) return;
    const wait = Math.max(0, this.#lastFlushAt + this.minIntervalMs - this.now());
    this.#timer = setTimeout(() => this.#run(), wait);
  }

  #run(): void {
    this.#timer = undefined;
    if (this.#closed || this.#latest === this.#shown || this.#latest.trim() === '') return;
    const text = this.#latest;
    this.#running = this.flush(text)
      .then(() => {
        this.#shown = text;
        this.#consecutiveFailures = 0;
      })
      .catch((error: unknown) => {
        // A failed intermediate update is not fatal because the final reply is sent separately,
        // but after a few failures in a row the partial updates stop.
        this.#consecutiveFailures += 1;
        this.logger.warn({ err: error, failures: this.#consecutiveFailures }, 'stream update failed');
        if (this.#consecutiveFailures >= MAX_CONSECUTIVE_FAILURES) this.#closed = true;
      })
      .finally(() => {
        this.#lastFlushAt = this.now();
        this.#running = undefined;
        if (!this.#closed && this.#latest !== this.#shown) this.#schedule();
      });
  }
}
