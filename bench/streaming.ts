import { performance } from 'node:perf_hooks';
import type { FakeOpenAI, RecordedRequest } from '../tests/support/fake-openai.js';
import { CallWatcher, chatIdOf, isMethod, type TimedCall } from './call-watcher.js';
import { benchUser, PRIMARY_MODEL_ID, startBenchStack } from './stack.js';
import { percentile, withTimeout } from './stats.js';

export interface StreamingPlan {
  /** Chats that stream at the same time in the contention run. */
  chats: number;
  /** Reply length in characters, streamed `chunkSize` characters every `chunkDelayMs`. */
  replyChars: number;
  chunkSize: number;
  chunkDelayMs: number;
}

export interface StreamRunFigures {
  chats: number;
  /** From the model's first content chunk to the first draft or message at the fake Bot API. */
  firstVisibleP50Ms: number;
  firstVisibleMaxMs: number;
  /** Bot API calls per reply by method, getUpdates excluded. */
  callsPerReply: Record<string, number>;
  /** 429 replies from the fake Bot API. */
  tooManyRequests: number;
  /** From queuing the messages to the last chat's final sendMessage. */
  lastFinalMs: number;
}

export interface StreamingFigures {
  plan: StreamingPlan;
  /** How long the model takes to stream one reply, by the plan. */
  modelStreamMs: number;
  single: StreamRunFigures;
  concurrent: StreamRunFigures;
}

/**
 * Streams replies with the bot's default send pacing against a fake Bot API that enforces
 * Telegram's flood limits: first one chat alone, then `chats` chats at once.
 */
export async function measureStreaming(plan: StreamingPlan): Promise<StreamingFigures> {
  const single = await runStreams(plan, 1);
  const concurrent = await runStreams(plan, plan.chats);
  const chunks = Math.ceil(plan.replyChars / plan.chunkSize);
  return { plan, modelStreamMs: chunks * plan.chunkDelayMs, single, concurrent };
}

async function runStreams(plan: StreamingPlan, chats: number): Promise<StreamRunFigures> {
  const stack = await startBenchStack({ telegramLimits: true });
  const { telegram, openai } = stack;
  const text = replyText(plan.replyChars);
  openai.setDefault(PRIMARY_MODEL_ID, { text, chunkSize: plan.chunkSize, delayMs: plan.chunkDelayMs });
  const arrivals = recordArrivals(openai);
  const watcher = new CallWatcher(telegram);

  const chatIds = Array.from({ length: chats }, (_, index) => benchUser(index).id);
  const firstVisible = new Map<number, number>();
  const finals = new Map<number, number>();
  const calls: TimedCall[] = [];
  let tooManyRequests = 0;
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((resolve) => (resolveDone = resolve));

  watcher.onCall((timed) => {
    const { call, at } = timed;
    if (isMethod(call, 'getUpdates')) return;
    calls.push(timed);
    if (!call.response.ok) {
      if (call.response.error_code === 429) tooManyRequests += 1;
      return;
    }
    const chatId = chatIdOf(call) ?? 0;
    const visible = isMethod(call, 'sendMessageDraft') || isMethod(call, 'sendMessage') || isMethod(call, 'editMessageText');
    if (visible && !firstVisible.has(chatId)) firstVisible.set(chatId, at);
    if (isMethod(call, 'sendMessage') && !finals.has(chatId)) {
      finals.set(chatId, at);
      if (finals.size === chats) resolveDone();
    }
  });

  const started = performance.now();
  try {
    for (const [index, chatId] of chatIds.entries()) {
      telegram.sendText(benchUser(index), `Stream test from chat ${chatId}: please write a long answer.`);
    }
    const chunks = Math.ceil(plan.replyChars / plan.chunkSize);
    await withTimeout(done, 60_000 + chunks * plan.chunkDelayMs * 2, () => `streaming: ${finals.size} of ${chats} final messages arrived`);
  } finally {
    watcher.stop();
    await stack.close();
  }

  const delays = chatIds.map((chatId) => {
    const arrival = arrivals.get(chatId);
    const visible = firstVisible.get(chatId);
    if (arrival === undefined || visible === undefined) throw new Error(`streaming: chat ${chatId} has no model request or no visible text`);
    // The fake writes the first content chunk `delayMs` after the request arrives.
    return visible - (arrival + plan.chunkDelayMs);
  });
  const callCounts: Record<string, number> = {};
  for (const { call } of calls) callCounts[call.method] = (callCounts[call.method] ?? 0) + 1;
  const callsPerReply = Object.fromEntries(Object.entries(callCounts).map(([method, count]) => [method, count / chats]));

  return {
    chats,
    firstVisibleP50Ms: percentile(delays, 0.5),
    firstVisibleMaxMs: Math.max(...delays),
    callsPerReply,
    tooManyRequests,
    lastFinalMs: Math.max(...finals.values()) - started,
  };
}

/**
 * Records when each chat's completion request reached the fake model, keyed by the chat id
 * the bench writes into the message. The fake keeps no times itself, so its request log's
 * `push` is wrapped.
 */
function recordArrivals(openai: FakeOpenAI): Map<number, number> {
  const arrivals = new Map<number, number>();
  const requests = openai.requests;
  const push = requests.push.bind(requests);
  requests.push = (...items: RecordedRequest[]): number => {
    const now = performance.now();
    for (const request of items) {
      const lastUser = [...request.body.messages].reverse().find((message) => message.role === 'user');
      const match = /from chat (\d+)/.exec(String(lastUser?.content ?? ''));
      if (match && !arrivals.has(Number(match[1]))) arrivals.set(Number(match[1]), now);
    }
    return push(...items);
  };
  return arrivals;
}

function replyText(length: number): string {
  const sentence = 'Streaming replies arrive piece by piece, and the bot shows them as they grow. ';
  return sentence.repeat(Math.ceil(length / sentence.length)).slice(0, length).trim();
}
