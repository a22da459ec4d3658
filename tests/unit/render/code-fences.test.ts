import { describe, expect, it } from 'vitest';

import { closeOpenCodeFence } from '../../../src/render/code-fences.js';
import { markdownToTelegramHtml } from '../../../src/render/telegram-html.js';

describe('closeOpenCodeFence', () => {
  it('closes a backtick fence cut off mid-code', () => {
    expect(closeOpenCodeFence('Kod:\n\n```python\nprint(1)')).toBe('Kod:\n\n```python\nprint(1)\n```');
  });

  it('closes a fence that ends with a line break', () => {
    expect(closeOpenCodeFence('```\nx\n')).toBe('```\nx\n```');
  });

  it('closes a tilde fence with tildes', () => {
    expect(closeOpenCodeFence('~~~js\nconst a = 1;')).toBe('~~~js\nconst a = 1;\n~~~');
  });

  it('closes a long fence with the same length', () => {
    expect(closeOpenCodeFence('````md\n```\ninner\n```')).toBe('````md\n```\ninner\n```\n````');
  });

  it('closes a fence opened on its last line', () => {
    expect(closeOpenCodeFence('Örnek:\n```bash')).toBe('Örnek:\n```bash\n```');
  });

  it('leaves closed code blocks unchanged', () => {
    for (const markdown of ['```\nx\n```', '```\nx\n```\n', '~~~\nx\n~~~~', 'text\n\n```py\nx\n```\n\nmore']) {
      expect(closeOpenCodeFence(markdown)).toBe(markdown);
    }
  });

  it('leaves text without an open fence unchanged', () => {
    for (const markdown of ['', 'plain **bold**', '    indented code', '- item\n  ```\n  code', '> ```\n> code', 'inline ```not a fence```']) {
      expect(closeOpenCodeFence(markdown)).toBe(markdown);
    }
  });

  it('keeps a following notice out of the code', () => {
    const html = markdownToTelegramHtml(`${closeOpenCodeFence('```python\nfor i in x:')}\n\n_⚠️ Yanıt kesildi._`);
    expect(html).toBe('<pre><code class="language-python">for i in x:</code></pre>\n\n<i>⚠️ Yanıt kesildi.</i>');
  });
});
