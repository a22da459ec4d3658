import { measureCache, type CacheFigures } from './cache.js';
import { measureMemoryAndStartup, type MemoryStartupFigures, type MemoryStartupPlan } from './memory-startup.js';
import { measureOverhead, type OverheadFigures, type OverheadPlan } from './overhead.js';
import { measurePromptGrowth, type PromptGrowthFigures } from './prompt-growth.js';
import { measureStreaming, type StreamingFigures, type StreamingPlan } from './streaming.js';

export interface BenchPlan {
  overhead: OverheadPlan;
  promptCheckpoints: number[];
  streaming: StreamingPlan;
  cacheModelDelayMs: number;
  memory: MemoryStartupPlan;
}

export interface BenchResults {
  quick: boolean;
  overhead: OverheadFigures;
  promptGrowth: PromptGrowthFigures;
  streaming: StreamingFigures;
  cache: CacheFigures;
  memory: MemoryStartupFigures;
}

/** The sizes `npm run bench` uses: a few minutes on two cores. */
export const FULL_PLAN: BenchPlan = {
  overhead: { chats: 20, messageIntervalMs: 1_500, latencyRounds: 20, throughputRounds: 50 },
  promptCheckpoints: [10, 50, 100, 1_000],
  streaming: { chats: 50, replyChars: 300, chunkSize: 10, chunkDelayMs: 100 },
  cacheModelDelayMs: 200,
  memory: { activeConversations: 1_000, prebuiltMessages: 100_000 },
};

/**
 * `--quick`: every figure of the full plan, from fewer turns, a shorter stream and smaller
 * databases, in about twenty seconds. Its numbers show that the suite works, not how fast
 * the bot is.
 */
export const QUICK_PLAN: BenchPlan = {
  overhead: { chats: 20, messageIntervalMs: 1_500, latencyRounds: 2, throughputRounds: 5 },
  promptCheckpoints: [10, 50, 100, 200],
  streaming: { chats: 50, replyChars: 100, chunkSize: 10, chunkDelayMs: 50 },
  cacheModelDelayMs: 200,
  memory: { activeConversations: 100, prebuiltMessages: 10_000 },
};

/** Runs every part of the suite one after another, so they do not compete for the CPU. */
export async function runBenchSuite(options: { quick: boolean; onProgress?: (step: string) => void }): Promise<BenchResults> {
  const plan = options.quick ? QUICK_PLAN : FULL_PLAN;
  const progress = options.onProgress ?? (() => undefined);

  progress('engine overhead: engine, library floor, floor');
  const overhead = await measureOverhead(plan.overhead);
  progress('prompt growth');
  const promptGrowth = await measurePromptGrowth(plan.promptCheckpoints);
  progress('streaming');
  const streaming = await measureStreaming(plan.streaming);
  progress('answer cache');
  const cache = await measureCache(plan.cacheModelDelayMs);
  progress('memory and start-up');
  const memory = await measureMemoryAndStartup(plan.memory);

  return { quick: options.quick, overhead, promptGrowth, streaming, cache, memory };
}
