import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ChatCompletionBody, FakeOpenAI } from '../tests/support/fake-openai.js';
import type { FakeTelegram } from '../tests/support/fake-telegram/fake-telegram.js';
import { CallWatcher, chatIdOf, isMethod } from './call-watcher.js';
import { type FloorStack, startFloorBot } from './floor.js';
import { benchUser, setSendPacing, startBenchStack, startFakes } from './stack.js';
import { percentile, withTimeout } from './stats.js';

/** Sizes of the engine overhead runs. */
export interface OverheadPlan {
  chats: number;
  /** Gap between two messages of one chat in the latency run, in milliseconds. */
  messageIntervalMs: number;
  /** Messages per chat in the latency run. */
  latencyRounds: number;
  /** Messages per chat sent at once in the throughput run. */
  throughputRounds: number;
}

export interface LatencyFigures {
  turns: number;
  p50Ms: number;
  p99Ms: number;
  /** 429 replies the fake Bot API sent during the run. */
  tooManyRequests: number;
}

export interface ThroughputFigures {
  turns: number;
  elapsedMs: number;
  msPerTurn: number;
  turnsPerSecond: number;
  /**
   * CPU time of this process (bot or floor, both fakes and the bench) per turn. It varies
   * less than wall time when other work shares the machine.
   */
  cpuMsPerTurn: number;
}

export interface SubjectFigures {
  latency: LatencyFigures;
  throughput: ThroughputFigures;
  /** Bot API calls per turn in the throughput run, getUpdates excluded. */
  callsPerTurn: number;
  /** Mean characters of prompt text (every message's content) per completion request in the throughput run. */
  promptCharsPerRequest: number;
}

export interface OverheadFigures {
  plan: OverheadPlan;
  engine: SubjectFigures;
  /** The floor on the bot's libraries: grammY's `Api`, the `openai` client and Kysely. */
  libraryFloor: SubjectFigures;
  floor: SubjectFigures;
}

/** A bot under measurement: the full engine or the floor script, on its own fakes. */
interface Subject {
  telegram: FakeTelegram;
  openai: FakeOpenAI;
  close(): Promise<void>;
}

/**
 * Runs the latency and the throughput run against the engine, then against the floor on the
 * bot's libraries, then against the raw floor. The floors' completion requests
 * copy the engine's last one: its fields and the messages before the chat's history.
 */
export async function measureOverhead(plan: OverheadPlan): Promise<OverheadFigures> {
  let requestTemplate: ChatCompletionBody | undefined;
  const engine = await measureSubject(startEngineSubject, plan, (subject) => {
    const last = subject.openai.requests.at(-1)?.body;
    if (last !== undefined) requestTemplate = { ...last, messages: withoutChatHistory(last.messages) };
  });
  if (requestTemplate === undefined) throw new Error('engine run: the fake model received no request');
  const template = requestTemplate;
  const libraryFloor = await measureSubject(() => startFloorSubject(template, 'libraries'), plan);
  const floor = await measureSubject(() => startFloorSubject(template, 'raw'), plan);
  return { plan, engine, libraryFloor, floor };
}

async function startEngineSubject(): Promise<Subject> {
  const stack = await startBenchStack();
  await setSendPacing(stack.app, 'off');
  return { telegram: stack.telegram, openai: stack.openai, close: () => stack.close() };
}

async function startFloorSubject(requestTemplate: ChatCompletionBody, stack: FloorStack): Promise<Subject> {
  const folder = mkdtempSync(join(tmpdir(), 'bot-bench-floor-'));
  const { telegram, openai } = await startFakes(false);
  const floor = await startFloorBot(telegram, openai, join(folder, 'floor.sqlite'), { requestTemplate, stack });
  return {
    telegram,
    openai,
    async close() {
      await floor.stop();
      await Promise.all([telegram.close(), openai.close()]);
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

async function measureSubject(
  start: () => Promise<Subject>,
  plan: OverheadPlan,
  beforeClose: (subject: Subject) => void = () => undefined,
): Promise<SubjectFigures> {
  const subject = await start();
  const watcher = new CallWatcher(subject.telegram);
  try {
    // Two turns per chat first: the first creates the user and conversation and stores a
    // cache entry, which a steady-state turn never does.
    await sendBurst(subject.telegram, watcher, plan.chats, 2);
    const latency = await runLatency(subject.telegram, watcher, plan);
    const before = subject.telegram.calls().length;
    const requestsBefore = subject.openai.requests.length;
    const throughput = await sendBurst(subject.telegram, watcher, plan.chats, plan.throughputRounds);
    const calls = subject.telegram.calls().slice(before).filter((call) => !isMethod(call, 'getUpdates'));
    const requests = subject.openai.requests.slice(requestsBefore);
    const promptChars = requests.reduce((sum, request) => sum + promptCharacters(request.body), 0);
    beforeClose(subject);
    return {
      latency,
      throughput,
      callsPerTurn: calls.length / throughput.turns,
      promptCharsPerRequest: requests.length === 0 ? 0 : promptChars / requests.length,
    };
  } finally {
    watcher.stop();
    await subject.close();
  }
}

/**
 * Open-loop load: every chat sends one message per `messageIntervalMs`, chats evenly staggered.
 * The latency of a turn runs from queuing the update at the fake to the fake receiving the
 * reply's sendMessage for that chat.
 */
async function runLatency(telegram: FakeTelegram, watcher: CallWatcher, plan: OverheadPlan): Promise<LatencyFigures> {
  const outstanding = new Map<number, number[]>();
  const latencies: number[] = [];
  let tooManyRequests = 0;
  const expected = plan.chats * plan.latencyRounds;
  let resolveAll: () => void = () => {};
  const allAnswered = new Promise<void>((resolve) => (resolveAll = resolve));

  const remove = watcher.onCall(({ call, at }) => {
    if (!call.response.ok && call.response.error_code === 429) tooManyRequests += 1;
    if (!isMethod(call, 'sendMessage') || !call.response.ok) return;
    const sentAt = outstanding.get(chatIdOf(call) ?? 0)?.shift();
    if (sentAt === undefined) return;
    latencies.push(at - sentAt);
    if (latencies.length === expected) resolveAll();
  });

  const started = performance.now();
  const stagger = plan.messageIntervalMs / plan.chats;
  const timers: NodeJS.Timeout[] = [];
  for (let round = 0; round < plan.latencyRounds; round += 1) {
    for (let chat = 0; chat < plan.chats; chat += 1) {
      const due = round * plan.messageIntervalMs + chat * stagger;
      timers.push(
        setTimeout(() => {
          const user = benchUser(chat);
          const queue = outstanding.get(user.id) ?? [];
          queue.push(performance.now());
          outstanding.set(user.id, queue);
          telegram.sendText(user, `Latency round ${round} from chat ${chat}: what is new today?`);
        }, Math.max(0, started + due - performance.now())),
      );
    }
  }

  const deadline = plan.latencyRounds * plan.messageIntervalMs + 30_000;
  try {
    await withTimeout(allAnswered, deadline, () => `latency run: ${latencies.length} of ${expected} replies arrived`);
  } finally {
    for (const timer of timers) clearTimeout(timer);
    remove();
  }
  return { turns: latencies.length, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99), tooManyRequests };
}

/**
 * Queues `rounds` messages in each chat at once and waits for every reply. Time per turn is
 * the wall time from queuing to the last sendMessage, divided by the number of turns.
 */
async function sendBurst(telegram: FakeTelegram, watcher: CallWatcher, chats: number, rounds: number): Promise<ThroughputFigures> {
  const expected = chats * rounds;
  let answered = 0;
  let lastAt = 0;
  const done = new Promise<void>((resolve) => {
    const remove = watcher.onCall(({ call, at }) => {
      if (!isMethod(call, 'sendMessage') || !call.response.ok) return;
      answered += 1;
      lastAt = at;
      if (answered === expected) {
        remove();
        resolve();
      }
    });
  });

  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let round = 0; round < rounds; round += 1) {
    for (let chat = 0; chat < chats; chat += 1) {
      telegram.sendText(benchUser(chat), `Burst round ${round} from chat ${chat}: tell me something.`);
    }
  }
  const timeoutMs = 60_000 + expected * 50;
  await withTimeout(done, timeoutMs, () => `burst: ${answered} of ${expected} replies arrived`);

  const cpu = process.cpuUsage(cpuBefore);
  const elapsedMs = lastAt - started;
  return {
    turns: expected,
    elapsedMs,
    msPerTurn: elapsedMs / expected,
    turnsPerSecond: (expected * 1000) / elapsedMs,
    cpuMsPerTurn: (cpu.user + cpu.system) / 1000 / expected,
  };
}

function promptCharacters(body: ChatCompletionBody): number {
  return body.messages.reduce((sum, message) => sum + (typeof message.content === 'string' ? message.content.length : 0), 0);
}

/** Pattern of the bench chats' messages and of the fake model's echo replies to them. */
const BENCH_TURN = /^(?:Reply to: )?(?:Burst|Latency) round \d+ from chat \d+: /;

/**
 * Returns the messages of a bot request that come before the chat's history: the system prompt
 * and the persona's example dialogue. The history is the trailing run of bench messages and replies.
 */
function withoutChatHistory(messages: ChatCompletionBody['messages']): ChatCompletionBody['messages'] {
  let end = messages.length;
  while (end > 0) {
    const content = messages[end - 1]?.content;
    if (typeof content !== 'string' || !BENCH_TURN.test(content)) break;
    end -= 1;
  }
  return messages.slice(0, end);
}
