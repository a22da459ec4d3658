import { performance } from 'node:perf_hooks';
import { CallWatcher, chatIdOf, isMethod } from './call-watcher.js';
import { benchUser, PRIMARY_MODEL_ID, setSendPacing, startBenchStack } from './stack.js';
import { withTimeout } from './stats.js';

export interface CacheFigures {
  /** Delay of the fake model before its reply to a miss. */
  modelDelayMs: number;
  /** From queuing the question to its reply's sendMessage. */
  missReplyMs: number;
  hitReplyMs: number;
  /** Chat completion requests the fake model received for the repeated question. */
  modelCallsOnHit: number;
  /** Whether the stored reply of the repeated question is marked `cached`. */
  hitMarkedCached: boolean;
}

const QUESTION = 'What is the boiling point of water at sea level?';

/**
 * Asks one question as the first turn of a conversation (a miss, answered by a model that
 * waits `modelDelayMs`), starts a new conversation with /new, and asks it again (a hit).
 * Send pacing is off, so the /new reply does not delay the second question's reply.
 */
export async function measureCache(modelDelayMs: number): Promise<CacheFigures> {
  const stack = await startBenchStack();
  const { telegram, openai, app } = stack;
  await setSendPacing(app, 'off');
  // One chunk after the delay, so a miss costs the model `modelDelayMs` and no more.
  openai.setDefault(PRIMARY_MODEL_ID, { text: 'About 100 °C (212 °F).', delayMs: modelDelayMs, chunkSize: 1000 });
  const watcher = new CallWatcher(telegram);
  const user = benchUser(7_000);

  const ask = async (text: string): Promise<number> => {
    const reply = watcher.next((call) => isMethod(call, 'sendMessage') && call.response.ok && chatIdOf(call) === user.id);
    const started = performance.now();
    telegram.sendText(user, text);
    const { at } = await withTimeout(reply, 30_000, () => `cache: no reply to "${text}"`);
    return at - started;
  };

  try {
    const missReplyMs = await ask(QUESTION);
    await ask('/new');
    const requestsBefore = openai.requests.length;
    const hitReplyMs = await ask(QUESTION);
    const modelCallsOnHit = openai.requests.length - requestsBefore;

    const last = await app.db
      .selectFrom('messages')
      .select('extra_metadata')
      .where('role', '=', 'assistant')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    const hitMarkedCached = (JSON.parse(last.extra_metadata) as { cached?: boolean }).cached === true;
    return { modelDelayMs, missReplyMs, hitReplyMs, modelCallsOnHit, hitMarkedCached };
  } finally {
    watcher.stop();
    await stack.close();
  }
}
