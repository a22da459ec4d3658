/** Conversions between JavaScript values and the stored formats of the schema. */

export function nowIso(date: Date = new Date()): string {
  return date.toISOString();
}

/** UTC calendar date as `YYYY-MM-DD`. */
export function utcDate(date: Date = new Date()): string {
  return date.toISOString().slice(0, 10);
}

export function toBool(value: boolean): number {
  return value ? 1 : 0;
}

export function fromBool(value: number | null | undefined): boolean {
  return value === 1;
}

/**
 * Parses a JSON column, returning `fallback` when the text is empty or not valid JSON so
 * that one bad row written by hand cannot stop the bot.
 */
export function parseJson<T>(text: string | null | undefined, fallback: T): T {
  if (text === null || text === undefined || text === '') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}
