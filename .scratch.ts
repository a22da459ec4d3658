import { splitDiscordMarkdown as d } from './src/render/split-discord.js';
const md = 'Intro paragraph here.\n\n```python\ndef f():\n    return 1\n\nprint(f())\n```\n\nAfter 👨‍👩‍👧‍👦 text.\n\n```js\nunclosed code\nmore';
for (const lim of [15, 25, 40, 200]) { const cs = d(md, lim); console.log(lim, cs, cs.map(x=>x.length)); }
console.log(d('x'.repeat(25), 10), d('   \n\n ', 10), d('👨‍👩‍👧‍👦'.repeat(3), 8));
