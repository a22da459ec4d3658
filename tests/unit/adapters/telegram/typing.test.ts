import { describe, expect, it } from 'vitest';

import { CHAT_ACTION_RENEW_MS, chatActionRenewMs } from '../../../../src/adapters/telegram/typing.js';

describe('chatActionRenewMs', () => {
  it.each([
    [4, 4_000],
    [0.2, 1_000],
    [30, 5_000],
    [0, CHAT_ACTION_RENEW_MS],
    [Number.NaN, CHAT_ACTION_RENEW_MS],
  ])('turns %s seconds into %s ms', (seconds, expected) => {
    expect(chatActionRenewMs(seconds)).toBe(expected);
  });
});
