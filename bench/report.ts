import { readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import type { SubjectFigures } from './overhead.js';
import type { BenchResults } from './suite.js';
import { round } from './stats.js';

export interface ReportRow {
  section: string;
  figure: string;
  value: string;
  /** The target, or '' for a figure that only informs. */
  target: string;
  /** Whether the target is met; undefined when there is none. */
  met?: boolean;
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
}

export function describeMachine(): MachineInfo {
  let cpuModel = 'unknown';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith('model name'));
    if (line !== undefined) cpuModel = line.split(':').slice(1).join(':').trim();
  } catch {
    // Not Linux: the model stays unknown.
  }
  return { cpus: availableParallelism(), cpuModel, memoryGiB: round(totalmem() / 2 ** 30, 1), node: process.version };
}

const ms = (value: number): string => `${round(value, 1)} ms`;
const mib = (bytes: number): string => `${round(bytes / 2 ** 20, 1)} MiB`;
const ratio = (value: number): string => `${round(value, 2)}×`;

/** Turns the results into table rows, each target checked against the figure of this run. */
export function reportRows(results: BenchResults): ReportRow[] {
  const { overhead, promptGrowth, streaming, cache, memory } = results;
  const { engine, libraryFloor, floor, plan } = overhead;
  const addedP50 = engine.latency.p50Ms - floor.latency.p50Ms;
  const addedP99 = engine.latency.p99Ms - floor.latency.p99Ms;
  const libraryAddedP99 = libraryFloor.latency.p99Ms - floor.latency.p99Ms;
  const throughputRatio = engine.throughput.msPerTurn / floor.throughput.msPerTurn;
  const librariesRatio = libraryFloor.throughput.msPerTurn / floor.throughput.msPerTurn;
  const botCodeRatio = engine.throughput.msPerTurn / libraryFloor.throughput.msPerTurn;
  // Engine, library floor and floor, in that order.
  const three = (figure: (subject: SubjectFigures) => number, format: (value: number) => string): string =>
    [engine, libraryFloor, floor].map((subject) => format(figure(subject))).join(' / ');
  const load = `${plan.chats} chats, 1 msg / ${plan.messageIntervalMs / 1000} s each`;
  const lastCheckpoint = promptGrowth.checkpoints.at(-1)!;
  const calls = (perReply: Record<string, number>): string =>
    Object.entries(perReply)
      .map(([method, count]) => `${method} ${round(count, 2)}`)
      .join(', ');

  return [
    { section: '1a latency', figure: `turn p50, engine / library floor / floor (${load})`, value: three((s) => s.latency.p50Ms, ms), target: '' },
    { section: '1a latency', figure: 'added p50 over floor', value: ms(addedP50), target: '' },
    { section: '1a latency', figure: 'turn p99, engine / library floor / floor', value: three((s) => s.latency.p99Ms, ms), target: '' },
    { section: '1a latency', figure: 'added p99 over floor', value: ms(addedP99), target: '≤ 5 ms', met: addedP99 <= 5 },
    { section: '1a latency', figure: 'library floor: added p99 over floor', value: ms(libraryAddedP99), target: '' },
    { section: '1b throughput', figure: `time per turn, engine / library floor / floor (${engine.throughput.turns} turns)`, value: three((s) => s.throughput.msPerTurn, ms), target: '' },
    { section: '1b throughput', figure: 'turns per second, engine / library floor / floor', value: three((s) => s.throughput.turnsPerSecond, (value) => String(round(value, 0))), target: '' },
    { section: '1b throughput', figure: 'engine time per turn ÷ floor', value: ratio(throughputRatio), target: '≤ 2×', met: throughputRatio <= 2 },
    { section: '1b throughput', figure: 'library floor ÷ floor (the libraries alone)', value: ratio(librariesRatio), target: '' },
    { section: '1b throughput', figure: 'engine ÷ library floor (the bot\'s own work)', value: ratio(botCodeRatio), target: '' },
    { section: '1b throughput', figure: 'CPU time per turn, engine / library floor / floor (bench process)', value: three((s) => s.throughput.cpuMsPerTurn, ms), target: '' },
    { section: '1b throughput', figure: 'Bot API calls per turn, engine / library floor / floor', value: three((s) => s.callsPerTurn, (value) => String(round(value, 2))), target: '' },
    {
      section: '1b throughput',
      figure: 'prompt characters per model request, engine / library floor / floor',
      value: three((s) => s.promptCharsPerRequest, (value) => String(Math.round(value))),
      target: '',
    },
    ...promptGrowth.checkpoints.map((checkpoint) => ({
      section: '2 prompt growth',
      figure: `turn ${checkpoint.turn}: prompt chars / context rows / rows read from SQLite`,
      value: `${checkpoint.promptChars} / ${checkpoint.contextRows} / ${checkpoint.rowsRead}`,
      target: '',
    })),
    {
      section: '2 prompt growth',
      figure: 'rows read from SQLite for the context, per turn over the run',
      value: String(round(promptGrowth.meanRowsRead, 1)),
      target: '',
    },
    { section: '2 prompt growth', figure: `prompt chars turn ${lastCheckpoint.turn} ÷ turn 50`, value: ratio(promptGrowth.lastToTurn50), target: '≤ 1.1×', met: promptGrowth.lastToTurn50 <= 1.1 },
    { section: '2 prompt growth', figure: 'summary folds during the run', value: String(promptGrowth.summaryUpdates), target: '' },
    { section: '3 streaming', figure: 'first token → first visible text, one chat', value: ms(streaming.single.firstVisibleP50Ms), target: '' },
    { section: '3 streaming', figure: 'Bot API calls per reply, one chat', value: calls(streaming.single.callsPerReply), target: '' },
    { section: '3 streaming', figure: `first token → first visible, ${streaming.concurrent.chats} chats: p50 / max`, value: `${ms(streaming.concurrent.firstVisibleP50Ms)} / ${ms(streaming.concurrent.firstVisibleMaxMs)}`, target: '' },
    { section: '3 streaming', figure: `Bot API calls per reply, ${streaming.concurrent.chats} chats`, value: calls(streaming.concurrent.callsPerReply), target: '' },
    { section: '3 streaming', figure: `429 replies, ${streaming.concurrent.chats} chats at once (limits on)`, value: String(streaming.concurrent.tooManyRequests), target: '0', met: streaming.concurrent.tooManyRequests === 0 },
    { section: '3 streaming', figure: `last of ${streaming.concurrent.chats} finals after (model streams ${streaming.modelStreamMs} ms)`, value: ms(streaming.concurrent.lastFinalMs), target: '' },
    { section: '4 cache', figure: 'model requests for a repeated first question', value: String(cache.modelCallsOnHit), target: '0', met: cache.modelCallsOnHit === 0 && cache.hitMarkedCached },
    { section: '4 cache', figure: `reply time, hit / miss (model waits ${cache.modelDelayMs} ms)`, value: `${ms(cache.hitReplyMs)} / ${ms(cache.missReplyMs)}`, target: '' },
    { section: '5 memory', figure: 'RSS after GC, idle', value: mib(memory.idleRssBytes), target: '' },
    { section: '5 memory', figure: `RSS after GC, ${memory.plan.activeConversations} active conversations`, value: mib(memory.loadedRssBytes), target: '' },
    { section: '5 memory', figure: `heap used after GC, idle / ${memory.plan.activeConversations} conversations`, value: `${mib(memory.idleHeapUsedBytes)} / ${mib(memory.loadedHeapUsedBytes)}`, target: '' },
    { section: '5 start-up', figure: 'startApp, empty database', value: ms(memory.emptyStart.startAppMs), target: '' },
    { section: '5 start-up', figure: `startApp, ${memory.plan.prebuiltMessages.toLocaleString('en')} messages`, value: ms(memory.prebuiltStart.startAppMs), target: '' },
    { section: '5 start-up', figure: 'spawn → ready (module loading included), empty / prebuilt', value: `${ms(memory.emptyStart.spawnToReadyMs)} / ${ms(memory.prebuiltStart.spawnToReadyMs)}`, target: '' },
  ];
}

function verdict(row: ReportRow): string {
  if (row.met === undefined) return '';
  return row.met ? 'met' : 'MISSED';
}

/** Formats the rows as a plain-text table for the terminal. */
export function formatTable(rows: readonly ReportRow[]): string {
  const cells = rows.map((row) => [row.section, row.figure, row.value, row.target, verdict(row)]);
  const header = ['section', 'figure', 'value', 'target', ''];
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => line[column]!.length)));
  const format = (line: string[]): string => line.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  return [format(header), widths.map((width) => '-'.repeat(width)).join('  '), ...cells.map(format)].join('\n');
}

/** Formats the generated part of BENCHMARKS.md: machine, command, date and the table. */
export function formatMarkdown(rows: readonly ReportRow[], machine: MachineInfo, command: string, date: Date): string {
  const escape = (cell: string): string => cell.replaceAll('|', '\\|');
  const lines = [
    `Measured on ${date.toISOString().slice(0, 10)} with \`${command}\`, in one run on a shared machine:`,
    `${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB memory, Node ${machine.node}.`,
    '',
    '| Section | Figure | Value | Target | |',
    '|---|---|---|---|---|',
    ...rows.map((row) => `| ${escape(row.section)} | ${escape(row.figure)} | ${escape(row.value)} | ${escape(row.target)} | ${verdict(row)} |`),
  ];
  return lines.join('\n');
}
