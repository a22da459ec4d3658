import { afterEach, describe, expect, it } from 'vitest';

import { PRIMARY_MODEL_ID, startBotHarness, type BotHarness } from '../support/bot-harness.js';

let harness: BotHarness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('app.stop', () => {
  it('keeps to one grace period with a turn running', async () => {
    harness = await startBotHarness();
    const { app, telegram, openai } = harness;
    // About 40 s of streaming, far longer than the grace period.
    openai.setDefault(PRIMARY_MODEL_ID, { text: 'word '.repeat(400), chunkSize: 5, delayMs: 100 });
    telegram.sendText({ id: 4101, first_name: 'Selin', language_code: 'tr' }, 'Uzun bir cevap yaz');
    await telegram.waitFor(() => openai.requests.length > 0);

    const started = Date.now();
    await app.stop(2_000);
    const elapsed = Date.now() - started;

    // Before, the adapter and the drain each waited the whole grace period, about 4 s in all.
    expect(elapsed).toBeLessThan(3_500);
  });
});
