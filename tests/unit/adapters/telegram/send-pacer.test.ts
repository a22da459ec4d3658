import { describe, expect, it } from 'vitest';

import { CHAT_BURST, SendPacer } from '../../../../src/adapters/telegram/send-pacer.js';
import type { PacingRates } from '../../../../src/adapters/telegram/send-pacer.js';

const START = 1_000_000;

function pacer(rates: PacingRates, clock: { now: number }): SendPacer {
  return new SendPacer(() => rates, () => clock.now);
}

describe('SendPacer.reserve', () => {
  it('sends the first message at once', () => {
    const clock = { now: START };

    expect(pacer({ globalPerSecond: 30, chatPerSecond: 1 }, clock).reserve('1')).toBe(0);
  });

  it('spaces messages in one chat after a burst', () => {
    const clock = { now: START };
    const subject = pacer({ globalPerSecond: 0, chatPerSecond: 1 }, clock);

    expect(CHAT_BURST).toBe(2);
    expect(subject.reserve('1')).toBe(0);
    expect(subject.reserve('1')).toBe(0);
    expect(subject.reserve('1')).toBe(1000);
    expect(subject.reserve('1')).toBe(2000);
  });

  it('lets a final message follow a draft at once', () => {
    const clock = { now: START };
    const subject = pacer({ globalPerSecond: 30, chatPerSecond: 1 }, clock);
    subject.reserve('1', false);
    clock.now = START + 1000;
    expect(subject.reserve('1', false)).toBe(0);

    clock.now = START + 1100;
    expect(subject.reserve('1')).toBe(0);
    expect(subject.reserve('1')).toBe(900);
  });

  it('counts waiting time already passed', () => {
    const clock = { now: START };
    const subject = pacer({ globalPerSecond: 0, chatPerSecond: 2 }, clock);
    subject.reserve('1');
    subject.reserve('1');

    clock.now = START + 200;
    expect(subject.reserve('1')).toBe(300);

    clock.now = START + 5000;
    expect(subject.reserve('1')).toBe(0);
  });

  it('keeps chats independent', () => {
    const clock = { now: START };
    const subject = pacer({ globalPerSecond: 0, chatPerSecond: 1 }, clock);
    subject.reserve('1');
    subject.reserve('1');

    expect(subject.reserve('2')).toBe(0);
    expect(subject.reserve('3')).toBe(0);
  });

  it('spaces messages across chats', () => {
    const clock = { now: START };
    const subject = pacer({ globalPerSecond: 10, chatPerSecond: 0 }, clock);

    expect(subject.reserve('1')).toBe(0);
    expect(subject.reserve('2')).toBe(100);
    expect(subject.reserve('3')).toBe(200);
  });

  it('applies the stricter of both rates', () => {
    const clock = { now: START };
    const subject = pacer({ globalPerSecond: 10, chatPerSecond: 1 }, clock);
    subject.reserve('1');

    expect(subject.reserve('2')).toBe(100);
    expect(subject.reserve('1')).toBe(200);
    expect(subject.reserve('1')).toBe(1000);
    expect(subject.reserve('3')).toBe(1100);
  });

  it('turns pacing off with 0', () => {
    const clock = { now: START };
    const subject = pacer({ globalPerSecond: 0, chatPerSecond: 0 }, clock);

    for (let message = 0; message < 100; message += 1) {
      expect(subject.reserve('1')).toBe(0);
    }
  });

  it('reads the rates on every call', () => {
    const clock = { now: START };
    const rates: PacingRates = { globalPerSecond: 0, chatPerSecond: 1 };
    const subject = new SendPacer(() => rates, () => clock.now);
    subject.reserve('1');

    rates.chatPerSecond = 0;
    expect(subject.reserve('1')).toBe(0);

    rates.chatPerSecond = 4;
    clock.now = START + 2000;
    subject.reserve('1');
    subject.reserve('1');
    expect(subject.reserve('1')).toBe(250);
  });

  it('never returns a negative wait', () => {
    const clock = { now: START };
    const subject = pacer({ globalPerSecond: 30, chatPerSecond: 1 }, clock);
    subject.reserve('1');

    clock.now = START - 10_000;
    expect(subject.reserve('2')).toBeGreaterThanOrEqual(0);
  });

  it('forgets idle chats without losing busy ones', () => {
    const clock = { now: START };
    const subject = pacer({ globalPerSecond: 0, chatPerSecond: 1 }, clock);
    for (let chat = 0; chat < 10_000; chat += 1) subject.reserve(`idle-${chat}`);

    clock.now = START + 5000;
    subject.reserve('busy');
    subject.reserve('busy');
    subject.reserve('trigger');

    expect(subject.reserve('busy')).toBe(1000);
  });
});
