/**
 * Polls `probe` every 20 ms until it returns a value other than undefined, null or false,
 * and resolves with it. Rejects after `timeoutMs` with `description` in the message.
 */
export async function eventually<T>(
  probe: () => T | Promise<T>,
  description: string,
  timeoutMs = 10_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}.`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
