import { describe, expect, it } from 'vitest';

import { KeyedQueue } from '../../../src/engine/keyed-queue.js';

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((onResolve, onReject) => {
    resolve = onResolve;
    reject = onReject;
  });
  return { promise, resolve, reject };
}

/** Lets every queued microtask and promise callback run. */
async function settle(): Promise<void> {
  for (let round = 0; round < 10; round += 1) await Promise.resolve();
}

describe('KeyedQueue', () => {
  it('runs one key in order', async () => {
    const queue = new KeyedQueue();
    const log: string[] = [];
    const gates = [deferred(), deferred(), deferred()];

    const runs = gates.map((gate, index) =>
      queue.run('chat-1', async () => {
        log.push(`start ${index}`);
        await gate.promise;
        log.push(`end ${index}`);
        return index;
      }),
    );
    await settle();
    expect(log).toEqual(['start 0']);

    gates[2]?.resolve();
    gates[1]?.resolve();
    await settle();
    expect(log).toEqual(['start 0']);

    gates[0]?.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2]);
    expect(log).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2']);
  });

  it('runs different keys concurrently', async () => {
    const queue = new KeyedQueue();
    const gate = deferred();
    const started: string[] = [];

    const first = queue.run('chat-1', async () => {
      started.push('chat-1');
      await gate.promise;
    });
    const second = queue.run('chat-2', async () => {
      started.push('chat-2');
    });

    await second;
    expect(started).toEqual(['chat-1', 'chat-2']);

    gate.resolve();
    await first;
  });

  it('continues after a rejected task', async () => {
    const queue = new KeyedQueue();

    const failing = queue.run('chat-1', async () => {
      throw new Error('model failed');
    });
    const next = queue.run('chat-1', async () => 'answered');

    await expect(failing).rejects.toThrow('model failed');
    await expect(next).resolves.toBe('answered');
  });

  it('continues after a synchronous throw', async () => {
    const queue = new KeyedQueue();

    const failing = queue.run('chat-1', () => {
      throw new Error('bad input');
    });
    const next = queue.run('chat-1', async () => 'answered');

    await expect(failing).rejects.toThrow('bad input');
    await expect(next).resolves.toBe('answered');
  });

  it('waits for a rejected predecessor to settle', async () => {
    const queue = new KeyedQueue();
    const gate = deferred();
    const log: string[] = [];

    const failing = queue.run('chat-1', async () => {
      await gate.promise;
      log.push('failed');
      throw new Error('late failure');
    });
    const next = queue.run('chat-1', async () => {
      log.push('next');
    });
    await settle();
    expect(log).toEqual([]);

    gate.resolve();
    await expect(failing).rejects.toThrow('late failure');
    await next;
    expect(log).toEqual(['failed', 'next']);
  });

  it('drains every queued task', async () => {
    const queue = new KeyedQueue();
    const gates = [deferred(), deferred()];
    const done: string[] = [];
    void queue.run('a', async () => {
      await gates[0]?.promise;
      done.push('a');
    });
    void queue.run('b', async () => {
      await gates[1]?.promise;
      done.push('b');
    });
    const failed = queue.run('a', async () => {
      throw new Error('ignored');
    });
    failed.catch(() => undefined);

    let drained = false;
    const drain = queue.drain().then(() => {
      drained = true;
    });
    gates[0]?.resolve();
    await settle();
    expect(drained).toBe(false);

    gates[1]?.resolve();
    await drain;
    expect(done.sort()).toEqual(['a', 'b']);
    expect(queue.activeKeys).toBe(0);
  });

  it('drains tasks queued during the drain', async () => {
    const queue = new KeyedQueue();
    const log: string[] = [];
    void queue.run('a', async () => {
      log.push('first');
      void queue.run('b', async () => {
        log.push('second');
      });
    });

    await queue.drain();

    expect(log).toEqual(['first', 'second']);
  });

  it('counts active keys', async () => {
    const queue = new KeyedQueue();
    const gate = deferred();
    const first = queue.run('a', () => gate.promise);
    const second = queue.run('a', async () => undefined);
    const other = queue.run('b', async () => undefined);

    expect(queue.activeKeys).toBe(2);

    await other;
    await settle();
    expect(queue.activeKeys).toBe(1);

    gate.resolve();
    await Promise.all([first, second]);
    await settle();
    expect(queue.activeKeys).toBe(0);
  });

  it('resolves drain at once when idle', async () => {
    await expect(new KeyedQueue().drain()).resolves.toBeUndefined();
  });
});
