/**
 * The bot alone in a child process, for resident memory and start-up time. The parent passes
 * the environment (fakes on 127.0.0.1, database path) and talks over the IPC channel:
 * `{ type: 'measure' }` gets a report of memory after two full GCs, `{ type: 'stop' }` stops the
 * bot and exits. Run with `node --expose-gc --import tsx bench/bot-child.ts`.
 */
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { startApp } from '../src/app.js';
import { parseEnv } from '../src/config/env.js';
import { allowUnlimitedTurns, setSendPacing } from './stack.js';

export type ChildReport =
  | { type: 'ready'; startAppMs: number; sinceProcessStartMs: number }
  | { type: 'memory'; rssBytes: number; heapUsedBytes: number };

export type ChildCommand = { type: 'measure' } | { type: 'stop' };

const send = (report: ChildReport): void => {
  process.send?.(report);
};

const collectGarbage = (globalThis as { gc?: () => void }).gc;
if (collectGarbage === undefined || process.send === undefined) {
  console.error('bot-child: run with --expose-gc and an IPC channel (spawned by the bench)');
  process.exit(2);
}

const env = parseEnv(process.env);
const started = performance.now();
const app = await startApp(env, pino({ level: 'silent' }));
const startAppMs = performance.now() - started;
await allowUnlimitedTurns(app);
await setSendPacing(app, 'off');
send({ type: 'ready', startAppMs, sinceProcessStartMs: performance.now() });

process.on('message', (command: ChildCommand) => {
  if (command.type === 'measure') {
    collectGarbage();
    collectGarbage();
    const usage = process.memoryUsage();
    send({ type: 'memory', rssBytes: usage.rss, heapUsedBytes: usage.heapUsed });
    return;
  }
  void app.stop(2_000).then(() => process.exit(0));
});
