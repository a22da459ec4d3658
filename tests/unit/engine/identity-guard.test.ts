import { describe, expect, it } from 'vitest';

import { enforceIdentity, sentenceLocale } from '../../../src/engine/identity-guard.js';

const IDENTITY = { displayName: 'Nova', developerName: 'Acme Labs' };
const ENGLISH_IDENTITY = 'I am Nova, developed by Acme Labs.';
const TURKISH_IDENTITY = 'Ben Nova; Acme Labs tarafından geliştirildim.';

describe('enforceIdentity rewrites', () => {
  it.each([
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
  ])('Turkish claim %j', (claim) => {
    const result = enforceIdentity(claim, IDENTITY, 'tr');

    expect(result.text).toBe(TURKISH_IDENTITY);
    expect(result.rewritten).toBe(1);
  });
});

describe('enforceIdentity keeps', () => {
  it.each([
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
  ])('%j', (sentence) => {
    const result = enforceIdentity(sentence, IDENTITY, 'en');

    expect(result.text).toBe(sentence);
    expect(result.rewritten).toBe(0);
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
