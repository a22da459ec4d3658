import { measureCache } from './cache.js';
console.log(JSON.stringify(await measureCache(200)));
process.exit(0);
