import http from 'node:http';
import { Api } from 'grammy';
import type { Update } from 'grammy/types';
import OpenAI from 'openai';
import type { ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions';
import type { ChatCompletionBody, FakeOpenAI } from '../tests/support/fake-openai.js';
import type { FakeTelegram } from '../tests/support/fake-telegram/fake-telegram.js';

/** The HTTP calls of one floor turn, and the long poll that feeds the turns. */
export interface FloorIo {
  getUpdates(offset: number, signal: AbortSignal): Promise<Update[]>;
  sendChatAction(chatId: number): Promise<unknown>;
  /** Sends a streamed chat completion and reads it to the end. */
  complete(body: ChatCompletionBody): Promise<{ content: string; usage: unknown }>;
  /** Resolves with the sent message's id. */
  sendMessage(chatId: number, text: string): Promise<number | undefined>;
  close(): void;
}

/**
 * `node:http` rather than the global `fetch`: on Node 20, `fetch` (undici) made the floor
 * take about twice as long per turn, which a floor must not hide as I/O cost.
 */
export function httpIo(telegram: FakeTelegram, openai: FakeOpenAI): FloorIo {
  const botUrl = `${telegram.apiRoot}/bot${telegram.token}`;
  const completionsUrl = `${openai.baseURL}/chat/completions`;
  const agent = new http.Agent({ keepAlive: true });
  const postJson = async (url: string, body: unknown, signal?: AbortSignal): Promise<unknown> =>
    JSON.parse(await postText(agent, url, JSON.stringify(body), {}, signal)) as unknown;
  return {
    async getUpdates(offset, signal) {
      const reply = (await postJson(`${botUrl}/getUpdates`, { offset, timeout: 30, allowed_updates: ['message'] }, signal)) as {
        result?: Update[];
      };
      return reply.result ?? [];
    },
    sendChatAction: (chatId) => postJson(`${botUrl}/sendChatAction`, { chat_id: chatId, action: 'typing' }),
    async complete(body) {
      return readStream(await postText(agent, completionsUrl, JSON.stringify(body), { authorization: 'Bearer floor' }));
    },
    async sendMessage(chatId, text) {
      const sent = (await postJson(`${botUrl}/sendMessage`, { chat_id: chatId, text })) as { result?: { message_id?: number } };
      return sent.result?.message_id;
    },
    close: () => agent.destroy(),
  };
}

/** Makes the floor's calls with grammY's `Api` and the `openai` client. */
export function clientIo(telegram: FakeTelegram, openai: FakeOpenAI): FloorIo {
  const api = new Api(telegram.token, { apiRoot: telegram.apiRoot });
  // The bot's client options, apart from the timeout: no retries inside the client, logging off.
  const client = new OpenAI({
    apiKey: 'floor',
    baseURL: openai.baseURL,
    organization: null,
    project: null,
    maxRetries: 0,
    logLevel: 'off',
  });
  return {
    getUpdates: (offset, signal) =>
      // grammY types its signal with the `abort-controller` package; Node's AbortSignal works the same.
      api.getUpdates({ offset, timeout: 30, allowed_updates: ['message'] }, signal as Parameters<Api['getUpdates']>[1]),
    sendChatAction: (chatId) => api.sendChatAction(chatId, 'typing'),
    async complete(body) {
      const stream = await client.chat.completions.create(body as unknown as ChatCompletionCreateParamsStreaming);
      let content = '';
      let usage: unknown = null;
      for await (const chunk of stream) {
        content += chunk.choices[0]?.delta?.content ?? '';
        if (chunk.usage) usage = chunk.usage;
      }
      return { content, usage };
    },
    async sendMessage(chatId, text) {
      return (await api.sendMessage(chatId, text)).message_id;
    },
    close: () => undefined,
  };
}

/** POSTs a JSON body and resolves with the whole response body as text. */
function postText(agent: http.Agent, url: string, body: string, headers: Record<string, string>, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        agent,
        signal,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
      },
      (response) => {
        const parts: Buffer[] = [];
        response.on('data', (part: Buffer) => parts.push(part));
        response.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** Joins the `delta.content` pieces of an SSE chat completion stream and takes its usage. */
function readStream(body: string): { content: string; usage: unknown } {
  let content = '';
  let usage: unknown = null;
  for (const line of body.split('\n')) {
    if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
    const chunk = JSON.parse(line.slice('data: '.length)) as {
      choices?: Array<{ delta?: { content?: string } }>;
      usage?: unknown;
    };
    content += chunk.choices?.[0]?.delta?.content ?? '';
    if (chunk.usage) usage = chunk.usage;
  }
  return { content, usage };
}
