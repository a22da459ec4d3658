/**
 * The clock the fake uses for interaction deadlines (3 s to acknowledge, 15 min token lifetime).
 * Tests move it forward with `advance` instead of sleeping; it never affects rate limits, because
 * discord.js times its rate-limit waits with the real clock.
 */
export class InteractionClock {
  #offsetMs = 0;

  now(): number {
    return Date.now() + this.#offsetMs;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new RangeError(`Interaction clock can only move forward; got ${ms} ms`);
    }
    this.#offsetMs += ms;
  }
}
