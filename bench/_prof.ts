import { performance } from 'node:perf_hooks';
import { CallWatcher, isMethod } from './call-watcher.js';
import { benchUser, setSendPacing, startBenchStack } from './stack.js';
const stack = await startBenchStack();
await setSendPacing(stack.app, 'off');
const w = new CallWatcher(stack.telegram);
async function burst(rounds: number) {
  let n = 0; const exp = 20 * rounds;
  const done = new Promise<void>((res) => w.onCall(({ call }) => { if (isMethod(call, 'sendMessage') && ++n === exp) res(); }));
  const t = performance.now();
  for (let r = 0; r < rounds; r++) for (let c = 0; c < 20; c++) stack.telegram.sendText(benchUser(c), `hello ${r}`);
  await done; return (performance.now() - t) / exp;
}
await burst(2);
console.log('ms/turn', await burst(50));
w.stop(); await stack.close(); process.exit(0);
