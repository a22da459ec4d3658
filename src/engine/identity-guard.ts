import type { Locale } from './types.js';

/** Company and model-family names a reply must not claim to be built on. */
const PROVIDER_NAMES =
  'openai|chatgpt|gpt(?:-?\\d[\\w.-]*)?|meta(?:\\s+ai)?|llama(?:\\s*\\d[\\w.]*)?|groq|google|gemini|bard|anthropic|claude|mistral|mixtral|qwen|alibaba|deepseek|microsoft|gemma|ollama';

const PROVIDER = new RegExp(`\\b(?:${PROVIDER_NAMES})\\b`, 'iu');

/**
 * First-person identity claims: "I am ...", "I'm a model by ...", "I was trained by ...",
 * "Ben ... modeliyim", "... tarafından geliştirildim/eğitildim". Each pattern is tested on
 * one sentence, so `.*?` cannot reach into the next one.
 *
 * NOTE: these are word-list heuristics. A sentence such as "I'm using Google Maps, based on
 * your location" matches too and is rewritten. Sharpen a pattern when such a case shows up.
 */
const IDENTITY_CLAIM = [
  /\b(?:i\s+am|i'm|i’m|as\s+an?)\b.*?\b(?:model|assistant|ai|llm|chatbot|version|developed|built|trained|created|made|based)\b/iu,
  // "I am ChatGPT." or "I'm GPT-4o, ...": the provider name alone ends the clause.
  new RegExp(`\\b(?:i\\s+am|i'm|i’m)\\s+(?:an?\\s+)?(?:${PROVIDER_NAMES})(?=\\s*(?:[,.!?;:]|$))`, 'iu'),
  /\bi\s+(?:was|have\s+been)\s+(?:developed|built|trained|created|made|designed)\b/iu,
  /\b(?:my|the)\s+(?:underlying\s+)?(?:model|creator|developer|maker)\b.*?\b(?:is|are|was)\b/iu,
  /\bben\b.*?(?:model(?:i|iyim|im)|asistan(?:ıyım|ım)|yapay zekâ|yapay zeka)/iu,
  /(?:tarafından|ile)\s+(?:geliştirildim|eğitildim|oluşturuldum|yapıldım|tasarlandım)/iu,
  /\b(?:modelim|altyapım|geliştiricim)\b/iu,
];

/**
 * Splits text into sentences that concatenate back to exactly the input: every character
 * belongs to a sentence, a run of stray marks or a run of line breaks. A mark followed by a
 * non-space (`3.1`, `Node.js`) does not end a sentence.
 */
function splitSentences(text: string): string[] {
  return text.match(/(?:[^.!?\n]|[.!?]+(?=[^\s.!?]))+[.!?]*\s*|[.!?]+\s*|\n+/gu) ?? [text];
}

export interface IdentityFacts {
  displayName: string;
  developerName: string;
}

/** Letters and words that mark a sentence as Turkish rather than English. */
const TURKISH_MARKERS = /[çğıöşüİÇĞÖŞÜ]|\b(?:ben|bir|ve|değil|tarafından|modelim|modeliyim)\b/iu;
const ENGLISH_MARKERS = /\b(?:i|i'm|i’m|am|the|by|was|model|an?)\b/iu;

/**
 * Language of one reply sentence, so the replacement matches what the model wrote even when it
 * answered in a language other than the user's interface locale; `fallback` when unclear.
 */
export function sentenceLocale(sentence: string, fallback: Locale): Locale {
  if (TURKISH_MARKERS.test(sentence)) return 'tr';
  if (ENGLISH_MARKERS.test(sentence)) return 'en';
  return fallback;
}

function identitySentence(identity: IdentityFacts, locale: Locale): string {
  return locale === 'tr'
    ? `Ben ${identity.displayName}; ${identity.developerName} tarafından geliştirildim.`
    : `I am ${identity.displayName}, developed by ${identity.developerName}.`;
}

/**
 * Replaces each sentence in which the reply claims to be some provider's model with the
 * configured identity. A sentence that mentions a company in another sense ("Google Maps
 * shows the route") stays, because it makes no first-person identity claim.
 */
export function enforceIdentity(text: string, identity: IdentityFacts, locale: Locale): { text: string; rewritten: number } {
  let rewritten = 0;
  const sentences = splitSentences(text).map((sentence) => {
    if (!PROVIDER.test(sentence)) return sentence;
    if (!IDENTITY_CLAIM.some((pattern) => pattern.test(sentence))) return sentence;
    rewritten += 1;
    const trailing = sentence.match(/\s*$/u)?.[0] ?? '';
    return identitySentence(identity, sentenceLocale(sentence, locale)) + trailing;
  });
  return { text: sentences.join(''), rewritten };
}
