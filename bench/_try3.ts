import { measurePromptGrowth } from './prompt-growth.js';
const t = Date.now();
console.log(JSON.stringify(await measurePromptGrowth([10, 50, 100, 1000])), Date.now() - t);
process.exit(0);
