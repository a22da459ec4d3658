/**
 * `npm run bench [-- --quick] [-- --write]`: runs the benchmark suite, prints a table and, for
 * the full run or with `--write`, replaces the results section of BENCHMARKS.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describeMachine, formatMarkdown, formatTable, reportRows } from './report.js';
import { runBenchSuite } from './suite.js';

const RESULTS_START = '<!-- bench-results:start -->';
const RESULTS_END = '<!-- bench-results:end -->';
const BENCHMARKS_PATH = fileURLToPath(new URL('../BENCHMARKS.md', import.meta.url));

const quick = process.argv.includes('--quick');
const write = process.argv.includes('--write') || !quick;
const command = quick ? 'npm run bench -- --quick' : 'npm run bench';

const results = await runBenchSuite({ quick, onProgress: (step) => console.error(`bench: ${step}`) });
const rows = reportRows(results);
console.log(formatTable(rows));

if (write) {
  const document = readFileSync(BENCHMARKS_PATH, 'utf8');
  const start = document.indexOf(RESULTS_START);
  const end = document.indexOf(RESULTS_END);
  if (start === -1 || end < start) {
    console.error(`bench: ${BENCHMARKS_PATH} has no ${RESULTS_START} ... ${RESULTS_END} section, so the results were not written. Add both markers on their own lines.`);
    process.exit(1);
  }
  const section = formatMarkdown(rows, describeMachine(), command, new Date());
  writeFileSync(BENCHMARKS_PATH, `${document.slice(0, start + RESULTS_START.length)}\n${section}\n${document.slice(end)}`);
  console.error(`bench: results written to ${BENCHMARKS_PATH}`);
}
// Sockets of the stopped fakes can keep the event loop alive for a moment after the results are out.
process.exit(0);
