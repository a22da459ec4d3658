import { performance } from 'node:perf_hooks';
import { CallWatcher, chatIdOf, isMethod } from './call-watcher.js';
import { benchUser, setSendPacing, startBenchStack } from './stack.js';
import { sleep } from './stats.js';
const stack = await startBenchStack();
await setSendPacing(stack.app, 'off');
const w = new CallWatcher(stack.telegram);
const sent = new Map<number, number>();
const lat: Array<[number, number]> = [];
w.onCall(({ call, at }) => { if (isMethod(call, 'sendMessage')) { const c = chatIdOf(call)!; lat.push([c, at - sent.get(c)!]); } });
for (let r = 0; r < 6; r++) {
  for (let c = 0; c < 20; c++) { const u = benchUser(c); sent.set(u.id, performance.now()); stack.telegram.sendText(u, `hello ${r}`); await sleep(75); }
}
await sleep(1000);
console.log(lat.map(([c, l]) => `${c % 100}:${l.toFixed(1)}`).join(' '));
w.stop(); await stack.close(); process.exit(0);
