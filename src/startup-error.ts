/** Thrown when start-up cannot continue; the message names what to change. */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}
