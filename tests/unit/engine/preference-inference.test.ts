import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { inferPreferences, parseInferredPreferences } from '../../../src/engine/preference-inference.js';
import { activePreferences, setPreference } from '../../../src/engine/preferences.js';
import { createUser } from '../../../src/engine/users.js';
import type { CompletionRequest, ModelRouter } from '../../../src/router/types.js';
import { createTempDatabase, type TempDatabase } from '../../support/temp-db.js';

let temp: TempDatabase;
let userId: number;
const logger = pino({ level: 'silent' });

beforeEach(async () => {
  temp = await createTempDatabase();
  userId = (await createUser(temp.db, { platform: 'telegram', id: '1' }, 'user')).id;
});

afterEach(async () => {
  await temp.cleanup();
});

/** A router that returns `answer` for every request (or throws it) and records the requests. */
function recordingRouter(answer: string | Error): { router: ModelRouter; requests: CompletionRequest[] } {
  const requests: CompletionRequest[] = [];
  const router: ModelRouter = {
    async complete(request) {
      requests.push(request);
      if (answer instanceof Error) throw answer;
      return { text: answer, model: 'summary-model', modelId: 'small', provider: 'groq', engine: 'cloud', latencyMs: 3, usage: null, finishReason: 'stop', attempts: [] };
    },
  };
  return { router, requests };
}

describe('inferPreferences', () => {
  it('stores inferred preferences from JSON', async () => {
    const { router, requests } = recordingRouter('{"preferences": [{"key": "verbosity", "value": "short"}, {"key": "name", "value": "Ayşe"}]}');

    const stored = await inferPreferences({ db: temp.db, router, logger, userId, userText: 'Bana Ayşe de, kısa cevap ver.', locale: 'tr' });

    expect(stored).toEqual([
      { key: 'verbosity', value: 'short', category: 'style', source: 'inferred' },
      { key: 'name', value: 'Ayşe', category: 'personal', source: 'inferred' },
    ]);
    const active = await activePreferences(temp.db, userId);
    expect(active).toContainEqual({ key: 'verbosity', value: 'short', category: 'style', source: 'inferred' });
    expect(active).toContainEqual({ key: 'name', value: 'Ayşe', category: 'personal', source: 'inferred' });
    expect(requests[0]?.purpose).toBe('summary');
    expect(requests[0]?.messages[0]?.role).toBe('system');
    expect(requests[0]?.messages[0]?.content).toContain('JSON only');
    expect(requests[0]?.messages[1]).toEqual({ role: 'user', content: 'Bana Ayşe de, kısa cevap ver.' });
  });

  it('marks its request as background work', async () => {
    const { router, requests } = recordingRouter('{"preferences": []}');

    await inferPreferences({ db: temp.db, router, logger, userId, userText: 'keep it short', locale: 'en' });

    expect(requests).toHaveLength(1);
    expect(requests[0]?.background).toBe(true);
  });

  it('ignores an answer that is not JSON', async () => {
    const { router } = recordingRouter('Sure! The user likes short answers.');

    const stored = await inferPreferences({ db: temp.db, router, logger, userId, userText: 'keep it short', locale: 'en' });

    expect(stored).toEqual([]);
    expect(await activePreferences(temp.db, userId)).toEqual([]);
  });

  it('never overrides an explicit preference', async () => {
    await setPreference(temp.db, userId, { key: 'tone', value: 'formal', category: 'style', source: 'explicit' });
    const { router } = recordingRouter('{"preferences": [{"key": "tone", "value": "casual"}]}');

    const stored = await inferPreferences({ db: temp.db, router, logger, userId, userText: 'be casual', locale: 'en' });

    expect(stored).toEqual([]);
    expect(await activePreferences(temp.db, userId)).toEqual([{ key: 'tone', value: 'formal', category: 'style', source: 'explicit' }]);
  });

  it('returns nothing when the model fails', async () => {
    const { router } = recordingRouter(new Error('all models failed'));

    expect(await inferPreferences({ db: temp.db, router, logger, userId, userText: 'be casual', locale: 'en' })).toEqual([]);
  });

  it('skips an empty message without a call', async () => {
    const { router, requests } = recordingRouter('{"preferences": []}');

    expect(await inferPreferences({ db: temp.db, router, logger, userId, userText: '   ', locale: 'en' })).toEqual([]);
    expect(requests).toHaveLength(0);
  });
});

describe('parseInferredPreferences', () => {
  it('reads a fenced answer', () => {
    expect(parseInferredPreferences('```json\n{"preferences": [{"key": "humor", "value": "dry"}]}\n```')).toEqual([
      { key: 'humor', value: 'dry', category: 'style' },
    ]);
  });

  it('drops unknown keys and bad values', () => {
    const answer = JSON.stringify({
      preferences: [
        { key: 'locale', value: 'tr' },
        { key: 'password', value: 'x' },
        { key: 'tone', value: 5 },
        { key: 'humor', value: '   ' },
        { key: 'occupation', value: 'x'.repeat(101) },
        { key: 'interests', value: 'chess,\n go' },
        { key: 'interests', value: 'second' },
        'not an object',
      ],
    });
    expect(parseInferredPreferences(answer)).toEqual([{ key: 'interests', value: 'chess, go', category: 'personal' }]);
  });

  it.each(['[]', '{"prefs": []}', 'null', '{"preferences": {}}'])('rejects %s', (answer) => {
    expect(parseInferredPreferences(answer)).toBeUndefined();
  });
});
