import SqliteDatabase from 'better-sqlite3';
const counts = new Map<string, number>();
const orig = SqliteDatabase.prototype.prepare;
(SqliteDatabase.prototype as any).prepare = function (sql: string) { counts.set(sql, (counts.get(sql) ?? 0) + 1); return orig.call(this, sql); };
const { CallWatcher, isMethod } = await import('./call-watcher.js');
const { benchUser, setSendPacing, startBenchStack } = await import('./stack.js');
const stack = await startBenchStack();
await setSendPacing(stack.app, 'off');
const w = new CallWatcher(stack.telegram);
async function burst(rounds: number) {
  let n = 0; const exp = 20 * rounds;
  const done = new Promise<void>((res) => w.onCall(({ call }) => { if (isMethod(call, 'sendMessage') && ++n === exp) res(); }));
  for (let r = 0; r < rounds; r++) for (let c = 0; c < 20; c++) stack.telegram.sendText(benchUser(c), `hello ${r}`);
  await done;
}
await burst(2);
await new Promise((r) => setTimeout(r, 300));
counts.clear();
await burst(5);
await new Promise((r) => setTimeout(r, 300));
let total = 0;
for (const [sql, n] of [...counts].sort((a, b) => b[1] - a[1])) { total += n; console.log((n / 100).toFixed(2), sql.slice(0, 150)); }
console.log('per turn', total / 100);
w.stop(); await stack.close(); process.exit(0);
