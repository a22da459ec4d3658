import { measureOverhead } from './overhead.js';
const r = await measureOverhead({ chats: 20, messageIntervalMs: 1500, latencyRounds: 4, throughputRounds: 10 });
console.log(JSON.stringify(r, null, 1));
process.exit(0);
