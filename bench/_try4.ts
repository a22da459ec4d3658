import { measureStreaming } from './streaming.js';
const t = Date.now();
console.log(JSON.stringify(await measureStreaming({ chats: 50, replyChars: 300, chunkSize: 10, chunkDelayMs: 100 }), null, 1), Date.now() - t);
process.exit(0);
