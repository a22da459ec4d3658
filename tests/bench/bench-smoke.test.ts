import { describe, expect, it } from 'vitest';
import { reportRows } from '../../bench/report.js';
import { runBenchSuite } from '../../bench/suite.js';

// Runs `npm run bench -- --quick` in-process so the suite cannot rot. No time is asserted:
// the machine running the tests decides those. Only counts and completeness are checked.
describe('benchmark suite', () => {
  it('quick run produces every figure', async () => {
    const results = await runBenchSuite({ quick: true });
    const { overhead, promptGrowth, streaming, cache, memory } = results;

    for (const subject of [overhead.engine, overhead.libraryFloor, overhead.floor]) {
      expect(subject.latency.turns).toBe(overhead.plan.chats * overhead.plan.latencyRounds);
      expect(Number.isFinite(subject.latency.p99Ms)).toBe(true);
      expect(subject.throughput.turns).toBe(overhead.plan.chats * overhead.plan.throughputRounds);
      expect(subject.throughput.msPerTurn).toBeGreaterThan(0);
      expect(subject.throughput.cpuMsPerTurn).toBeGreaterThan(0);
    }
    // Both floors make the same calls with the same payloads; only the code making them differs.
    expect(overhead.libraryFloor.callsPerTurn).toBe(overhead.floor.callsPerTurn);
    expect(overhead.libraryFloor.promptCharsPerRequest).toBe(overhead.floor.promptCharsPerRequest);

    expect(promptGrowth.checkpoints.map((checkpoint) => checkpoint.turn)).toEqual([10, 50, 100, 200]);
    expect(promptGrowth.checkpoints.every((checkpoint) => checkpoint.promptChars > 0 && checkpoint.contextRows > 0)).toBe(true);
    // The context cache serves most turns, so far fewer rows are read than the prompts carry.
    const contextRows = Math.min(...promptGrowth.checkpoints.map((checkpoint) => checkpoint.contextRows));
    expect(promptGrowth.meanRowsRead).toBeLessThan(contextRows);
    expect(promptGrowth.summaryUpdates).toBeGreaterThan(0);

    expect(Number.isInteger(streaming.concurrent.tooManyRequests)).toBe(true);
    expect(streaming.concurrent.callsPerReply['sendMessage']).toBeGreaterThanOrEqual(1);
    expect(Number.isFinite(streaming.single.firstVisibleP50Ms)).toBe(true);
    expect(streaming.concurrent.lastFinalMs).toBeGreaterThan(0);

    expect(cache.modelCallsOnHit).toBe(0);
    expect(cache.hitMarkedCached).toBe(true);

    expect(memory.idleRssBytes).toBeGreaterThan(0);
    expect(memory.loadedRssBytes).toBeGreaterThan(0);
    expect(memory.emptyStart.startAppMs).toBeGreaterThan(0);
    expect(memory.prebuiltStart.startAppMs).toBeGreaterThan(0);

    const rows = reportRows(results);
    expect(rows.filter((row) => row.value.includes('NaN'))).toEqual([]);
  }, 120_000);
});
