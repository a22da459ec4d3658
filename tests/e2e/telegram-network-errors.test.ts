import { createServer, request as forwardRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import { parseEnv } from '../../src/config/env.js';
import { createLogger } from '../../src/logger.js';
import { eventually } from '../support/eventually.js';
import { fakeBackendEnv, PRIMARY_MODEL_ID, startAppOnFakes, startFakeBackends, type FakeBackends } from '../support/fake-backends.js';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram/fake-telegram.js';
import { StartupError } from '../../src/startup-error.js';

const DENIZ = { id: 6001, first_name: 'Deniz', language_code: 'en' };
const BOT_TOKEN = '7000001:AAF-network-test-token-SECRET-part';
const RETRY_MESSAGE = 'Telegram API request failed with a network error; retrying';

interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

class LogCapture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
  lines(): LogLine[] {
    return this.text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as LogLine);
  }
}

/**
 * HTTP proxy on 127.0.0.1 in front of the fake Bot API. While `dropCount` is above zero, a
 * request for `dropMethod` decrements it and has its connection destroyed unanswered, which
 * grammY reports as an HttpError, as for a connection reset by the network.
 */
class DroppingProxy {
  dropMethod = '';
  dropCount = 0;
  dropped = 0;
  readonly #server: Server;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(target: string): Promise<{ proxy: DroppingProxy; origin: string }> {
    const targetUrl = new URL(target);
    let proxy: DroppingProxy | undefined;
    const server = createServer((incoming, outgoing) => {
      if (proxy && proxy.dropCount > 0 && incoming.url?.endsWith(`/${proxy.dropMethod}`)) {
        proxy.dropCount -= 1;
        proxy.dropped += 1;
        incoming.socket.destroy();
        return;
      }
      const forwarded = forwardRequest(
        { host: targetUrl.hostname, port: targetUrl.port, path: incoming.url, method: incoming.method, headers: incoming.headers },
        (reply) => {
          outgoing.writeHead(reply.statusCode ?? 502, reply.headers);
          reply.pipe(outgoing);
        },
      );
      forwarded.on('error', () => outgoing.destroy());
      incoming.pipe(forwarded);
    });
    proxy = new DroppingProxy(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { proxy, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}

/** Returns `http://127.0.0.1:<port>` for a port that was just free: bound, then closed. */
async function closedLoopbackOrigin(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

function rejectAfter(ms: number, message: string): Promise<never> {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(message)), ms).unref());
}

let running: { app: RunningApp; backends: FakeBackends<FakeTelegram>; proxy: DroppingProxy } | undefined;

afterEach(async () => {
  if (!running) return;
  await running.app.stop(2_000);
  await running.proxy.close();
  await running.backends.close();
  running = undefined;
});

/** Starts the bot against the fake Bot API behind a DroppingProxy, with every log line captured. */
async function startBehindProxy(logs: LogCapture): Promise<NonNullable<typeof running>> {
  const backends = await startFakeBackends('bot-e2e-', () => startFakeTelegram({ limits: false }));
  const { proxy, origin } = await DroppingProxy.start(backends.platform.apiRoot);
  const env = parseEnv({
    TELEGRAM_BOT_TOKEN: backends.platform.token,
    TELEGRAM_API_ROOT: origin,
    ...fakeBackendEnv(backends.openai, backends.databasePath),
  });
  const app = await startAppOnFakes(backends, env, createLogger('trace', logs));
  running = { app, backends, proxy };
  return running;
}

async function replyMetadata(app: RunningApp): Promise<Record<string, unknown>> {
  return eventually(async () => {
    const row = await app.db.selectFrom('messages').select('extra_metadata').where('role', '=', 'assistant').executeTakeFirst();
    const metadata = JSON.parse(row?.extra_metadata ?? '{}') as Record<string, unknown>;
    return metadata.platform_message_ids || metadata.delivery_error ? metadata : undefined;
  }, 'the reply delivery to be recorded', 25_000);
}

/**
 * Starts the bot behind the proxy, makes the proxy drop the connection of the next `dropCount`
 * sendMessage calls, and sends a message whose model reply is `replyText`.
 */
async function sendWithDroppedReplies(logs: LogCapture, dropCount: number, replyText: string) {
  const { app, backends, proxy } = await startBehindProxy(logs);
  proxy.dropMethod = 'sendMessage';
  proxy.dropCount = dropCount;
  backends.openai.script(PRIMARY_MODEL_ID, { text: replyText });
  backends.platform.sendText(DENIZ, 'hello');
  return { app, telegram: backends.platform, proxy };
}

describe('Telegram network errors', () => {
  it('unreachable API root fails start-up', async () => {
    const apiRoot = await closedLoopbackOrigin();
    const backends = await startFakeBackends('bot-e2e-', async () => ({ close: async () => undefined }));
    const env = parseEnv({
      TELEGRAM_BOT_TOKEN: BOT_TOKEN,
      TELEGRAM_API_ROOT: apiRoot,
      ...fakeBackendEnv(backends.openai, backends.databasePath),
    });
    const logs = new LogCapture();

    const startedAt = Date.now();
    const outcome = await Promise.race([
      startAppOnFakes(backends, env, createLogger('trace', logs)),
      rejectAfter(20_000, 'start-up still running after 20 s'),
    ]).then(
      () => new Error('start-up succeeded'),
      (error: unknown) => error as Error,
    );
    const elapsedMs = Date.now() - startedAt;

    expect(outcome).toBeInstanceOf(StartupError);
    expect(outcome.message).toContain(`Telegram Bot API at ${apiRoot} could not be reached`);
    expect(outcome.message).toContain('ECONNREFUSED');
    expect(outcome.message).toContain('TELEGRAM_API_ROOT');
    expect(elapsedMs).toBeLessThan(15_000);

    const lines = logs.lines();
    const retries = lines.filter((line) => line.msg === RETRY_MESSAGE);
    expect(retries).toHaveLength(4);
    expect(retries.every((line) => line.level === 40 && line.method === 'getMe')).toBe(true);
    const failure = lines.find((line) => line.msg === 'Telegram Bot API unreachable at start-up');
    expect(failure?.level).toBe(50);
    expect(failure?.apiRoot).toBe(apiRoot);
    expect(logs.text).not.toContain(BOT_TOKEN.split(':')[1]);
  });

  it('send retried after resets delivers', async () => {
    const logs = new LogCapture();
    const { app, telegram, proxy } = await sendWithDroppedReplies(logs, 2, 'Answer after two resets.');

    const metadata = await replyMetadata(app);
    expect(metadata.delivery_error).toBeUndefined();
    expect(metadata.status).toBe('complete');
    const messages = telegram.sentMessages(DENIZ.id);
    expect(messages.map((message) => message.text)).toEqual(['Answer after two resets.']);
    expect(metadata.platform_message_ids).toEqual([String(messages[0]?.message_id)]);
    expect(proxy.dropped).toBe(2);

    const retries = logs.lines().filter((line) => line.msg === RETRY_MESSAGE);
    expect(retries.map((line) => line.attempt)).toEqual([1, 2]);
    expect(retries.every((line) => line.method === 'sendMessage' && line.chat_id === DENIZ.id)).toBe(true);
  });

  it('long polling retries network errors', async () => {
    const logs = new LogCapture();
    const { backends, proxy } = await startBehindProxy(logs);
    const telegram = backends.platform;
    proxy.dropMethod = 'getUpdates';
    proxy.dropCount = 2;
    // The held getUpdates call returns this update; the two calls after it are dropped.
    telegram.sendText(DENIZ, 'first');
    await telegram.waitForMessages(DENIZ.id, 1);
    await eventually(() => proxy.dropped === 2 && telegram.isPolling(), 'long polling to resume after two dropped calls');

    telegram.sendText(DENIZ, 'second');
    await telegram.waitForMessages(DENIZ.id, 2);

    const lines = logs.lines();
    const retries = lines.filter((line) => line.msg === RETRY_MESSAGE);
    expect(retries.map((line) => line.attempt)).toEqual([1, 2]);
    expect(retries.every((line) => line.level === 40 && line.method === 'getUpdates')).toBe(true);
    const recovered = lines.find((line) => line.msg === 'Telegram API request succeeded after network errors');
    expect(recovered?.method).toBe('getUpdates');
    expect(recovered?.attempts).toBe(3);
  });

  it('exhausted send retries record failure', async () => {
    const logs = new LogCapture();
    const { app, telegram, proxy } = await sendWithDroppedReplies(logs, 100, 'This answer never arrives.');

    const metadata = await replyMetadata(app);
    expect(metadata.status).toBe('failed');
    expect(String(metadata.delivery_error)).toContain("Network request for 'sendMessage' failed!");
    expect(telegram.sentMessages(DENIZ.id)).toHaveLength(0);
    expect(proxy.dropped).toBe(5);

    const lines = logs.lines();
    const retries = lines.filter((line) => line.msg === RETRY_MESSAGE);
    expect(retries.map((line) => line.attempt)).toEqual([1, 2, 3, 4]);
    expect(retries.every((line) => line.level === 40 && line.method === 'sendMessage' && line.chat_id === DENIZ.id)).toBe(true);
    expect(lines.some((line) => line.msg === 'reply could not be delivered' && line.chatId === DENIZ.id)).toBe(true);
    const secret = telegram.token.split(':')[1]!;
    expect(logs.text).not.toContain(secret);
    expect(String(metadata.delivery_error)).not.toContain(secret);
  });
});
