import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { enforceIdentity, guardStreamedText, sentenceLocale } from '../../../src/engine/identity-guard.js';

const IDENTITY = { displayName: 'Nova', developerName: 'Acme Labs' };
const ENGLISH_IDENTITY = 'I am Nova, developed by Acme Labs.';
const TURKISH_IDENTITY = 'Ben Nova; Acme Labs tarafından geliştirildim.';

describe('enforceIdentity rewrites', () => {
  it.each([
    'I am **ChatGPT**, made by OpenAI.',
    "I'm *Claude*, an AI assistant.",
    'I am Llama-3.1-8B, an open model.',
    "I'm Claude 3.5 Sonnet, made by Anthropic.",
    'I am a large language model trained by OpenAI.',
    "I'm Llama 3, made by Meta.",
    "I'm Llama 3.1, made by Meta.",
    'I am ChatGPT, an AI assistant.',
    'As an AI model developed by Google, I cannot browse.',
    'I was trained by Anthropic.',
    'My underlying model is GPT-4o.',
    'I’m built on Mixtral by Mistral AI.',
    'I am GPT-4o.',
    'I am Claude.',
    "I'm ChatGPT, here to help.",
    'I am ChatGPT, made by OpenAI.',
    "I'm Llama, developed by Meta.",
    'I am ChatGPT',
    'I am an OpenAI model.',
    'I am a Meta AI assistant.',
    "I'm a Google-trained model.",
    "I'm a fine-tuned Llama model.",
    'I am an AI developed by Google.',
    'I am a helpful, harmless AI assistant developed by Anthropic.',
    'I am a large language model (LLM) trained by OpenAI.',
    'I am Nova, powered by GPT-4.',
    'I run on Llama 3.',
    'My name is ChatGPT.',
    'As ChatGPT, I cannot do that.',
    'The model behind me is GPT-4.',
    'You are talking to ChatGPT.',
  ])('English claim %j', (claim) => {
    const result = enforceIdentity(claim, IDENTITY, 'en');

    expect(result.text).toBe(ENGLISH_IDENTITY);
    expect(result.rewritten).toBe(1);
  });

  it.each([
    'Ben OpenAI tarafından geliştirilen bir yapay zeka modeliyim.',
    'Groq tarafından eğitildim.',
    'Ben Meta tarafından geliştirilen Llama asistanıyım.',
    'Modelim Google Gemini.',
    "Ben ChatGPT'yim.",
    'OpenAI tarafından geliştirildim.',
    "Ben Llama'yım, Meta tarafından geliştirildim.",
    'Ben bir OpenAI modeliyim.',
    "Ben OpenAI'ın geliştirdiği bir yapay zekâyım.",
    'Ben Claude, Anthropic tarafından eğitildim.',
    'Geliştiricim OpenAI.',
    'Benim adım Claude.',
  ])('Turkish claim %j', (claim) => {
    const result = enforceIdentity(claim, IDENTITY, 'tr');

    expect(result.text).toBe(TURKISH_IDENTITY);
    expect(result.rewritten).toBe(1);
  });
});

describe('enforceIdentity keeps', () => {
  it.each([
    "I'm running on Windows with Llama 3 installed, so the command differs.",
    'Google Maps shows the route.',
    "Meta's stock rose today.",
    'OpenAI was founded in 2015.',
    'Ben Google’da arama yaptım.',
    "Ben Google'da arama yaptım.",
    'I am happy to help with your Llama farm.',
    'Llama 3 is an open-weight model released by Meta.',
    'I am a cat.',
    'Groq runs models on custom chips.',
    "I am Google's biggest fan.",
    'I am a Meta employee.',
    'As a developer, you can call the OpenAI chat model with the official SDK. Install it with npm first.',
    "I'm going to show you how to run a Llama model locally with Ollama…",
    'OpenAI released GPT-4 in 2023.',
    'As an example, Claude by Anthropic supports tools.',
    'I am using GPT-4 through the OpenAI API here.',
    "I'm not ChatGPT, but I can explain how it works.",
    'My favorite model is Mistral 7B.',
    'I was reading about models trained by Google.',
    'I am happy to compare ChatGPT and Claude.',
    "I'm sorry, based on Google's docs, that is not possible.",
    'I am an engineer on the AI team from Google.',
    "I'm an assistant developed by Nova Labs, not by OpenAI.",
    'As a language model, I cannot run Llama locally.',
    'I am a Llama model expert.',
    'I recommend a model made by Mistral AI.',
    "You're talking to OpenAI's servers when you call the API.",
    "I'm using Google Maps, based on your location.",
  ])('English %j', (sentence) => {
    const result = enforceIdentity(sentence, IDENTITY, 'en');

    expect(result.text).toBe(sentence);
    expect(result.rewritten).toBe(0);
  });
});

describe('enforceIdentity keeps Turkish', () => {
  it.each([
    'Ben sana OpenAI modelini nasıl kullanacağını göstereyim.',
    "Meta'nın Llama modeli açık kaynaklıdır.",
    'OpenAI tarafından geliştirilen modeller çok popüler.',
    'Ben de ChatGPT kullanıyorum.',
    'Google tarafından yayımlanan Gemma modelini denedim.',
    'Modelim OpenAI değil.',
    'Benim modelim Gemini değil, Nova.',
    'İlk adım OpenAI hesabı açmak.',
    'Bunu Ollama ile çalıştırabilirsin.',
  ])('%j', (sentence) => {
    const result = enforceIdentity(sentence, IDENTITY, 'tr');

    expect(result.text).toBe(sentence);
    expect(result.rewritten).toBe(0);
  });
});

describe('enforceIdentity code', () => {
  it('keeps a fenced block byte-for-byte', () => {
    const text = 'Here you go:\n\n```python\n# I am loading the Mistral model here\nmodel = load(...)\n```\n\nRun it once.';

    const result = enforceIdentity(text, IDENTITY, 'en');

    expect(result.text).toBe(text);
    expect(result.rewritten).toBe(0);
  });

  it('rewrites a claim next to a fenced block', () => {
    const block = '```python\n# I am ChatGPT, made by OpenAI.\nprint("I am GPT-4.")\n```\n';
    const text = `I am ChatGPT, made by OpenAI.\n${block}Done.`;

    const result = enforceIdentity(text, IDENTITY, 'en');

    expect(result.text).toBe(`${ENGLISH_IDENTITY}\n${block}Done.`);
    expect(result.rewritten).toBe(1);
  });

  it.each([
    ['a tilde fence', '~~~\nI am Claude.\n~~~\n'],
    ['an indented fence', '  ```\n  I am Claude.\n  ```\n'],
    ['a longer closing fence', '```\nI am Claude.\n`````\n'],
    ['an unclosed fence', '```js\n// I am Claude.\nconst model = "gpt-4";'],
    ['a fence inside a longer fence', '````md\n```\nI am Claude.\n```\n````\n'],
  ])('keeps %s', (_name, text) => {
    expect(enforceIdentity(text, IDENTITY, 'en').text).toBe(text);
  });

  it('keeps inline code', () => {
    const text = 'Print it with `console.log("I am ChatGPT, made by OpenAI.")` first.';

    expect(enforceIdentity(text, IDENTITY, 'en').text).toBe(text);
  });

  it('keeps inline code of two backticks', () => {
    const text = 'Use ``say(`I am Claude.`)`` here. I am Claude.';

    expect(enforceIdentity(text, IDENTITY, 'en').text).toBe(`Use \`\`say(\`I am Claude.\`)\`\` here. ${ENGLISH_IDENTITY}`);
  });

  it('keeps a claim containing inline code', () => {
    // Rewriting the sentence would drop the code.
    const text = 'I am ChatGPT, made by OpenAI; run `npm test` to see.';

    expect(enforceIdentity(text, IDENTITY, 'en').text).toBe(text);
  });

  it('reads an unclosed single backtick as text', () => {
    const text = 'Type ` to start. I am Claude.';

    expect(enforceIdentity(text, IDENTITY, 'en').text).toBe(`Type \` to start. ${ENGLISH_IDENTITY}`);
  });

  it('keeps code after an unclosed triple backtick mid-line', () => {
    const text = 'Output: ```I am Claude.\nI am GPT-4.';

    expect(enforceIdentity(text, IDENTITY, 'en').text).toBe(text);
  });
});

describe('guardStreamedText', () => {
  const reply = 'I am ChatGPT, a model made by OpenAI. Here is how to start.\n```sh\nnpm i openai\n```\nDone.';

  it('shows no prefix of a claim', () => {
    for (let end = 1; end <= reply.length; end += 1) {
      const visible = guardStreamedText(reply.slice(0, end), IDENTITY, 'en');

      expect(visible, `prefix of ${end} characters`).not.toMatch(/ChatGPT|made by/u);
    }
  });

  it('shows the rewritten reply when complete', () => {
    expect(guardStreamedText(reply, IDENTITY, 'en')).toBe(enforceIdentity(reply, IDENTITY, 'en').text);
  });

  it('holds back an unfinished claim', () => {
    expect(guardStreamedText('Hello! I am a large language model trained by Open', IDENTITY, 'en')).toBe('Hello! ');
  });

  it('holds back an unfinished Turkish claim', () => {
    expect(guardStreamedText('Merhaba! OpenAI tarafından geliştiril', IDENTITY, 'tr')).toBe('Merhaba! ');
  });

  it('shows an unfinished ordinary sentence', () => {
    expect(guardStreamedText('SQLite stores the whole database in one', IDENTITY, 'en')).toBe('SQLite stores the whole database in one');
  });

  it('shows an unclosed fence as it streams', () => {
    const text = 'Example:\n```python\n# I am loading the Mistral model';

    expect(guardStreamedText(text, IDENTITY, 'en')).toBe(text);
  });
});

describe('enforceIdentity properties', () => {
  // Words without any first-person word, so no sentence built from them is a claim.
  const neutralWord = fc.constantFrom(
    'OpenAI', 'ChatGPT', 'GPT-4o', 'Meta', 'Llama 3', 'Google', 'Claude', 'Mistral', 'Ollama', 'model', 'assistant',
    'made', 'by', 'trained', 'developed', 'the', 'a', 'is', 'am', 'tarafından', 'geliştirildi', 'modeli', 'released',
    'Node.js', 'v3.1', 'SDK', 'modelini', 'yapay', 'zeka', 'run', 'on', 'based',
  );
  const separator = fc.constantFrom(' ', ' ', ' ', ', ', '. ', '! ', '? ', '\n', '\n\n', '… ', ' `x` ', ': ');
  const neutralText = fc.array(fc.tuple(neutralWord, separator), { maxLength: 40 }).map((parts) => parts.map(([word, gap]) => word + gap).join(''));

  it('keeps text without a first-person claim', () => {
    fc.assert(
      fc.property(neutralText, (text) => {
        expect(enforceIdentity(text, IDENTITY, 'en').text).toBe(text);
      }),
    );
  });

  it('keeps text without a provider name', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        fc.pre(!/openai|gpt|meta|llama|groq|google|gemini|bard|anthropic|claude|mistral|mixtral|qwen|alibaba|deepseek|microsoft|gemma|ollama/iu.test(text));
        expect(enforceIdentity(text, IDENTITY, 'en').text).toBe(text);
      }),
    );
  });

  const claim = fc.constantFrom('I am ChatGPT, made by OpenAI.', "I'm Llama 3, made by Meta.", 'Groq tarafından eğitildim.', 'I was trained by Anthropic.');
  const codeLine = fc.oneof(claim, fc.string({ maxLength: 30 }).filter((line) => !line.includes('\n') && !line.includes('`') && !line.includes('~')));
  const fencedBlock = fc.array(codeLine, { maxLength: 5 }).map((lines) => ['```', ...lines, '```', ''].join('\n'));

  it('keeps fenced blocks among claims', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(claim, neutralText, fencedBlock), { maxLength: 8 }), (parts) => {
        // Each part starts a line, so every fenced block opens at a line start.
        const text = parts.join('\n');
        const guarded = enforceIdentity(text, IDENTITY, 'en').text;

        let searchFrom = 0;
        for (const part of parts.filter((candidate) => candidate.startsWith('```'))) {
          const found = guarded.indexOf(part, searchFrom);
          expect(found).toBeGreaterThanOrEqual(0);
          searchFrom = found + part.length;
        }
      }),
    );
  });

  it('keeps inline code among claims', () => {
    const inlineCode = claim.map((sentence) => `\`${sentence}\``);
    fc.assert(
      fc.property(fc.array(fc.oneof(claim, neutralText, inlineCode), { maxLength: 8 }), (parts) => {
        const text = parts.join(' ');
        const guarded = enforceIdentity(text, IDENTITY, 'en').text;

        for (const part of parts.filter((candidate) => candidate.startsWith('`'))) {
          expect(guarded).toContain(part);
        }
      }),
    );
  });

  it('ends a stream with the guarded reply', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(claim, neutralText, fencedBlock), { maxLength: 6 }), (parts) => {
        const text = `${parts.join('\n')}\nDone.`;

        expect(guardStreamedText(text, IDENTITY, 'en')).toBe(enforceIdentity(text, IDENTITY, 'en').text);
      }),
    );
  });
});

describe('enforceIdentity multi-sentence text', () => {
  it('keeps untouched sentences byte-for-byte', () => {
    const text = 'Hello there!  I am a large language model trained by OpenAI.\n\nGoogle Maps shows the route. Bye…';

    const result = enforceIdentity(text, IDENTITY, 'en');

    expect(result.text).toBe(`Hello there!  ${ENGLISH_IDENTITY}\n\nGoogle Maps shows the route. Bye…`);
    expect(result.rewritten).toBe(1);
  });

  it('rewrites each claim in its own language', () => {
    const text = "I'm Llama 3, made by Meta. Nice to meet you! Groq tarafından eğitildim.";

    const result = enforceIdentity(text, IDENTITY, 'tr');

    expect(result.text).toBe(`${ENGLISH_IDENTITY} Nice to meet you! ${TURKISH_IDENTITY}`);
    expect(result.rewritten).toBe(2);
  });

  it.each([
    'Wait... !? What? ...',
    '?? leading marks. And more',
    '...',
    '!\n\n?',
    'Version 3.1 is out. Node.js 20.12 too!',
    'A line\nwithout a stop\n',
    '  spaced  . out  ',
    '',
  ])('returns %j unchanged', (text) => {
    expect(enforceIdentity(text, IDENTITY, 'en').text).toBe(text);
  });

  it('keeps text around a claim after leading marks', () => {
    const text = '... I am GPT-4, trained by OpenAI. Ok.';

    const result = enforceIdentity(text, IDENTITY, 'en');

    expect(result.text).toBe(`... ${ENGLISH_IDENTITY} Ok.`);
  });
});

describe('enforceIdentity language', () => {
  const facts = { displayName: 'Nova', developerName: 'Nova Labs' };

  it('answers an English claim in English for a Turkish user', () => {
    expect(enforceIdentity('I am a model trained by OpenAI.', facts, 'tr').text).toBe('I am Nova, developed by Nova Labs.');
  });

  it('answers a Turkish claim in Turkish for an English user', () => {
    expect(enforceIdentity('Ben OpenAI tarafından geliştirildim.', facts, 'en').text).toBe('Ben Nova; Nova Labs tarafından geliştirildim.');
  });

  it('detects the sentence language', () => {
    expect(sentenceLocale('Ben bir yapay zekâyım.', 'en')).toBe('tr');
    expect(sentenceLocale('I am an assistant.', 'tr')).toBe('en');
    expect(sentenceLocale('GPT-4o!', 'tr')).toBe('tr');
  });
});
