/** Milliseconds since the Unix epoch at which Discord snowflakes start (2015-01-01T00:00:00Z). */
const DISCORD_EPOCH_MS = 1_420_070_400_000n;

/** Bits below the timestamp in a snowflake: worker id, process id and a per-process increment. */
const TIMESTAMP_SHIFT = 22n;

/**
 * Generates snowflake ids the way Discord lays them out (timestamp in the high bits), strictly
 * increasing even when two ids are made in the same millisecond, so ids sort by creation order.
 */
export class SnowflakeGenerator {
  #last = 0n;

  next(nowMs: number = Date.now()): string {
    let id = (BigInt(nowMs) - DISCORD_EPOCH_MS) << TIMESTAMP_SHIFT;
    if (id <= this.#last) {
      id = this.#last + 1n;
    }
    this.#last = id;
    return id.toString();
  }
}

/** Compares two snowflake strings numerically: negative when `a` is older than `b`. */
export function compareSnowflakes(a: string, b: string): number {
  const difference = BigInt(a) - BigInt(b);
  if (difference === 0n) {
    return 0;
  }
  return difference < 0n ? -1 : 1;
}
