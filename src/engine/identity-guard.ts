import type { Locale } from './types.js';

/** Company and model-family names a reply must not claim to be built on. */
const PROVIDER_NAMES =
  'openai|chatgpt|gpt(?:-?\\d[\\w.-]*)?|meta(?:\\s+ai)?|llama(?:\\s*\\d[\\w.]*)?|groq|google|gemini|bard|anthropic|claude|mistral|mixtral|qwen|alibaba|deepseek|microsoft|gemma|ollama';

const PROVIDER = new RegExp(`\\b(?:${PROVIDER_NAMES})\\b`, 'iu');

// Building blocks of the claim patterns below. Each pattern ties a provider name to the speaker
// itself, so a sentence that only mentions a company or model ("OpenAI released GPT-4",
// "I'm going to show you how to run a Llama model") does not match.
const NAME = `(?:${PROVIDER_NAMES})`;
/** "I am", "I'm", "I’m". */
const I_AM = `\\bi(?:\\s+am|['’]m)`;
/** First-person subjects of a passive: "I am", "I was", "I have been", "I've been". */
const I_WAS = `\\bi(?:\\s+am|['’]m|\\s+was|\\s+have\\s+been|['’]ve\\s+been)`;
const ADVERB = `(?:(?:just|only|simply|actually|really|merely|basically|essentially)\\s+)?`;
const ARTICLE = `(?:an?|the)\\s+`;
/** One modifier before a noun ("large", "helpful,"); words that start a clause or phrase are excluded. */
const MODIFIER = `(?!(?:of|on|in|at|for|with|to|and|or|but|not|no|about|the|an?|from|by|who|that|which|is|was|are)\\b)[\\w-]+,?\\s+`;
/** Nouns the speaker uses for itself. */
const SELF_NOUN = `(?:(?:large\\s+)?language\\s+model|model|assistant|ai|llm|chatbot|chat\\s+bot|bot|version|variant|instance|fine-?tune)\\b`;
const ORIGIN_VERB = `(?:developed|trained|built|created|made|designed|powered|programmed|fine-?tuned|released|produced|engineered|owned|operated|run|hosted|maintained|provided|based)`;
const ORIGIN_PREPOSITION = `(?:by|on|upon|from|at|with|using|off)`;
/** "trained by", "built on", "developed primarily by". */
const ORIGIN_PHRASE = `${ORIGIN_VERB}\\s+(?:\\w+ly\\s+)?${ORIGIN_PREPOSITION}`;
/** Text between a self-noun and its origin: "(LLM)", a comma, "that was", an adverb. */
const NOUN_TO_ORIGIN = `(?:\\s*\\([^)]{0,40}\\))?\\s*,?\\s+(?:(?:that|which|who)\\s+(?:was|is|has\\s+been)\\s+)?(?:\\w+ly\\s+)?`;
/** A provider as the object of an origin: "OpenAI", "the team at Google", "top of Llama 3". */
const PROVIDER_OBJECT = `(?:the\\s+)?(?:[\\w-]+\\s+){0,2}?${NAME}\\b`;
/** A version or variant after a name: "-3.1-8B", " 3.5 Sonnet", " 4o mini". */
const NAME_VARIANT = `(?:[\\s-]+(?:[a-z]*\\d[\\w.-]*|sonnet|opus|haiku|pro|flash|turbo|mini|nano|instruct|chat|versatile|instant)\\b)*`;
/** The clause ends right after a name: "I am Claude.", "I'm Llama 3, made by Meta". */
const CLAUSE_END = `(?=\\s*(?:[,.!?;:()\\u2013\\u2014]|$))`;

// JavaScript's \b matches only at ASCII word characters, even with the u flag, and Turkish words
// contain letters such as ı and ş, so these patterns mark word edges with Unicode letter classes.
const TR_START = '(?<![\\p{L}\\p{N}])';
const TR_END = '(?![\\p{L}\\p{N}])';
/** A case suffix after a name: "OpenAI'ın", "Meta’nın". */
const TR_NAME_SUFFIX = `(?:['’]\\p{L}+)?`;
/** First-person passive verbs: "geliştirildim", "eğitildim", "oluşturulmuşum". */
const TR_PASSIVE_FIRST_PERSON =
  '(?:geliştiril|eğitil|oluşturul|yapıl|tasarlan|üretil|programlan|yaratıl|kodlan|(?:inşa|ince\\s+ayar)\\s+(?:edil|yapıl))(?:dim|dım|dum|düm|mişim|mışım|muşum|müşüm)';
/** Self-nouns in the first person: "modeliyim" (I am a model), "asistanıyım", "yapay zekâyım". */
const TR_SELF_NOUN_FIRST_PERSON = '(?:modeliyim|modelim|asistanıyım|asistanım|zek[aâ]y[ıi]m|botuyum|robotuyum|chatbotuyum|llm[\'’]?y?[iı]m)';
/** Possessive self-nouns: "modelim" (my model), "geliştiricim" (my developer). */
const TR_SELF_POSSESSIVE = '(?:modelim|altyapım|geliştiricim|geliştiricilerim|yaratıcım|yaratıcılarım)';
/** "değil" (not) later in the same clause negates the claim: "Modelim OpenAI değil." */
const TR_NOT_NEGATED = `(?![^,.;!?]*${TR_START}değil)`;

/**
 * First-person identity claims that name a provider, each tested on one sentence.
 *
 * NOTE: these are word-list heuristics. A claim phrased outside them ("OpenAI is who made
 * me") is kept, and a sentence the bot writes in someone else's voice ("I am an engineer, a
 * model made by Google") is rewritten.
 */
const IDENTITY_CLAIM: readonly RegExp[] = [
  // "I am a large language model trained by OpenAI", "I'm an AI, developed by Google".
  new RegExp(`${I_AM}\\s+${ADVERB}${ARTICLE}(?:${MODIFIER}){0,3}?${SELF_NOUN}${NOUN_TO_ORIGIN}(?:${ORIGIN_PHRASE}|from|by|of)\\s+${PROVIDER_OBJECT}`, 'iu'),
  // "I am ChatGPT.", "I'm Llama 3, made by Meta", "I am Claude by Anthropic".
  new RegExp(`${I_AM}\\s+${ADVERB}(?:${ARTICLE})?${NAME}${NAME_VARIANT}(?:${CLAUSE_END}|\\s+(?:by|from|made|developed|built|trained|created)\\b)`, 'iu'),
  // "I am an OpenAI model", "I'm a Google-trained assistant", "I am a fine-tuned Llama model".
  new RegExp(
    `${I_AM}\\s+${ADVERB}${ARTICLE}(?:${MODIFIER})?${NAME}[\\w-]*\\s+(?:${MODIFIER}){0,2}?${SELF_NOUN}(?:${CLAUSE_END}|\\s+(?:by|from|made|developed|built|trained|created|designed|that|which|and|with|based)\\b)`,
    'iu',
  ),
  // "I was trained by Anthropic", "I'm built on Mixtral", "I am powered by GPT-4".
  new RegExp(`${I_WAS}\\s+(?:\\w+ly\\s+)?${ORIGIN_PHRASE}\\s+${PROVIDER_OBJECT}`, 'iu'),
  // "I run on Llama 3", "I'm running on GPT-4o". The name must follow "on" directly, because
  // "I'm running on Windows with Llama 3 installed" is no claim.
  new RegExp(`\\bi(?:\\s+am|['’]m)?\\s+(?:run|running)\\s+on\\s+(?:the\\s+)?${NAME}\\b`, 'iu'),
  // "I am Nova, powered by GPT-4", "I'm Nova, an assistant built by Meta". "based on" is left
  // out of the short form, because "I'm sorry, based on Google's docs ..." is no claim.
  new RegExp(
    `${I_AM}\\s+[\\w-]+(?:\\s+[\\w-]+)?\\s*,\\s*(?:${ARTICLE}(?:${MODIFIER}){0,3}?${SELF_NOUN}${NOUN_TO_ORIGIN}(?:${ORIGIN_PHRASE}|from|by|of)|(?!based\\b)${ORIGIN_PHRASE})\\s+${PROVIDER_OBJECT}`,
    'iu',
  ),
  // "My underlying model is GPT-4o", "My name is ChatGPT", "My creators are OpenAI".
  new RegExp(
    `\\bmy\\s+(?:(?:underlying|base|core|foundation)\\s+)?(?:model|llm|architecture|creators?|developers?|makers?|provider|name)\\s+(?:is|are|was|were|comes\\s+from|came\\s+from)\\s+(?:based\\s+on\\s+|built\\s+on\\s+|made\\s+by\\s+|from\\s+|an?\\s+version\\s+of\\s+)?(?:the\\s+|an?\\s+)?${NAME}\\b`,
    'iu',
  ),
  // "The model behind me is GPT-4".
  new RegExp(`\\b(?:model|llm|ai|company|team)\\s+(?:behind|powering|underlying)\\s+me\\s+(?:is|are|was)\\s+${PROVIDER_OBJECT}`, 'iu'),
  // "As an AI model developed by Google, I cannot browse", "As ChatGPT, I ...". The name must
  // sit in the "as" phrase and the sentence must go on in the first person. The phrase is
  // capped at 80 characters on each side of the name, which keeps a long sentence fast.
  new RegExp(
    `\\bas\\s+(?:${ARTICLE}(?:${MODIFIER}){0,3}?(?:${NAME}[\\w-]*\\s+(?:${MODIFIER}){0,2}?${SELF_NOUN}|${SELF_NOUN}[^,;]{0,80}?\\b${NAME}\\b)|(?:the\\s+)?${NAME}\\b)[^,;]{0,80},\\s*(?:i|i['’](?:m|ll|ve|d)|my|me)\\b`,
    'iu',
  ),
  // "You're talking to ChatGPT."
  new RegExp(`\\byou(?:['’]re|\\s+are)\\s+(?:talking|chatting|speaking)\\s+(?:to|with)\\s+(?:the\\s+)?${NAME}${CLAUSE_END}`, 'iu'),

  // "ChatGPT'yim", "Ben Llama'yım": a first-person copula on the name itself.
  new RegExp(`${TR_START}${NAME}['’]y?(?:im|ım|um|üm)${TR_END}`, 'iu'),
  // "OpenAI tarafından geliştirildim", "Groq tarafından eğitildim".
  new RegExp(`${TR_START}${NAME}${TR_NAME_SUFFIX}(?:\\s+\\p{L}+)?\\s+(?:tarafından|ile)\\s+(?:[\\p{L}\\p{N}-]+\\s+){0,2}?${TR_PASSIVE_FIRST_PERSON}${TR_END}`, 'iu'),
  // "Ben OpenAI tarafından geliştirilen bir yapay zeka modeliyim", "Ben bir Llama asistanıyım".
  // "benim modelim" means "my model", so a self-noun after "benim" does not count here.
  new RegExp(
    `${TR_START}${NAME}${TR_NAME_SUFFIX}(?:\\s+[\\p{L}\\p{N}'’-]+){0,6}?\\s+(?<!benim\\s+)${TR_SELF_NOUN_FIRST_PERSON}(?=\\s*(?:[,.!?;:]|$))`,
    'iu',
  ),
  // "Ben ChatGPT.", "Ben Claude, ..." at the start of a sentence.
  new RegExp(`^\\P{L}*ben\\s+(?:bir\\s+)?${NAME}${CLAUSE_END}`, 'iu'),
  // "Modelim Google Gemini", "Geliştiricim OpenAI", "Benim adım ChatGPT".
  new RegExp(
    `(?:${TR_START}(?:benim\\s+)?${TR_SELF_POSSESSIVE}|${TR_START}benim\\s+adım|^\\P{L}*adım)${TR_END}\\s*[:,]?\\s+(?:\\p{L}+\\s+)?${NAME}\\b${TR_NOT_NEGATED}`,
    'iu',
  ),
];

/**
 * Replaces each character of inline code with this mark, so the text keeps its length and
 * offsets, while the claim patterns and the sentence splitter see no code.
 */
const CODE_MARK = '\uFFFC';

/** A prose stretch with its inline code masked, or a fenced code block copied as is. */
interface Segment {
  text: string;
  /** `text` with inline code replaced by CODE_MARK, or undefined for a fenced code block. */
  masked?: string;
  /** The backtick or tilde run that opened a fenced code block. */
  fence?: string;
  /** The runs of backticks in prose, in order. */
  codeRuns?: CodeRun[];
}

/** A run of backticks in prose and what `proseSegment` made of it. */
interface CodeRun {
  start: number;
  /** Offset where the masked code ends, or undefined when the run stays plain text. */
  end?: number;
}

/**
 * Starting position of `splitFencedBlocks`: a line start, a place inside a prose line that began
 * in earlier text, or a line start inside a fenced block that `fence` opened in earlier text.
 */
type ScanStart = { kind: 'line-start' } | { kind: 'mid-line' } | { kind: 'fence'; fence: string };

const LINE_START: ScanStart = { kind: 'line-start' };

/** Reply piece after the guard: a sentence, a run of marks or breaks, or a fenced block. */
interface GuardedPiece {
  output: string;
  /** The original sentence with inline code masked, or undefined for a fenced code block. */
  masked?: string;
  rewritten: boolean;
}

/**
 * Splits text into sentences that concatenate back to exactly the input: every character
 * belongs to a sentence, a run of stray marks or a run of line breaks. A mark followed by a
 * non-space (`3.1`, `Node.js`) does not end a sentence.
 */
function splitSentences(text: string): string[] {
  return text.match(/(?:[^.!?\n]|[.!?]+(?=[^\s.!?]))+[.!?]*\s*|[.!?]+\s*|\n+/gu) ?? [text];
}

/** Returns the offset after the line break that ends the line starting at `start`. */
function lineEnd(text: string, start: number): number {
  const newline = text.indexOf('\n', start);
  return newline === -1 ? text.length : newline + 1;
}

/**
 * Splits text into prose and fenced code blocks. A fence is a line that starts, after optional
 * indentation, with three or more backticks or tildes. The block ends after a line holding only
 * a fence of the same character and at least the same length, or at the end of the text when
 * no such line follows, which also covers a block still being streamed. A backtick fence line
 * with another backtick after the run opens no block (CommonMark 0.30), so "```js``` text"
 * stays prose and its code span is masked as inline code.
 */
function splitFencedBlocks(text: string, start: ScanStart = LINE_START): Segment[] {
  const segments: Segment[] = [];
  let proseStart = 0;
  let position = 0;
  if (start.kind === 'fence') {
    const blockEnd = fencedBlockEnd(text, 0, start.fence);
    if (blockEnd > 0) segments.push({ text: text.slice(0, blockEnd), fence: start.fence });
    proseStart = blockEnd;
    position = blockEnd;
  } else if (start.kind === 'mid-line') {
    // The first line began in earlier text with a character other than a space or tab, so it cannot open a fence.
    position = lineEnd(text, 0);
  }
  while (position < text.length) {
    const end = lineEnd(text, position);
    const line = text.slice(position, end);
    const open = /^[ \t]*(`{3,}|~{3,})/u.exec(line);
    const fence = open?.[1];
    if (open === null || fence === undefined || (fence.startsWith('`') && line.slice(open[0].length).includes('`'))) {
      position = end;
      continue;
    }

    const blockEnd = fencedBlockEnd(text, end, fence);
    if (position > proseStart) segments.push(proseSegment(text.slice(proseStart, position)));
    segments.push({ text: text.slice(position, blockEnd), fence });
    proseStart = blockEnd;
    position = blockEnd;
  }
  if (proseStart < text.length) segments.push(proseSegment(text.slice(proseStart)));
  return segments;
}

/**
 * Returns the offset after the line that closes a block opened by `fence`, searching the lines
 * from `from`, or the text's length when no line closes it.
 */
function fencedBlockEnd(text: string, from: number, fence: string): number {
  const closing = new RegExp(`^[ \\t]*${fence[0]}{${fence.length},}[ \\t]*\\r?\\n?$`, 'u');
  for (let next = from; next < text.length; next = lineEnd(text, next)) {
    if (closing.test(text.slice(next, lineEnd(text, next)))) return lineEnd(text, next);
  }
  return text.length;
}

/**
 * Masks inline code: a run of backticks up to the next run of the same length, within one
 * paragraph. An unclosed run of three or more backticks masks the rest of the prose, because
 * Discord opens a code block there. A shorter unclosed run is plain text, as in CommonMark.
 */
function proseSegment(prose: string): Segment {
  let masked = '';
  let copied = 0;
  const codeRuns: CodeRun[] = [];
  const runs = /`+/gu;
  for (let open = runs.exec(prose); open !== null; open = runs.exec(prose)) {
    const run = open[0];
    const closer = new RegExp(`(?<!\`)${run}(?!\`)`, 'gu');
    closer.lastIndex = open.index + run.length;
    const close = closer.exec(prose);
    let end: number | undefined;
    if (close && !/\n[ \t]*\n/u.test(prose.slice(open.index, close.index))) end = close.index + run.length;
    else if (run.length >= 3) end = prose.length;
    codeRuns.push({ start: open.index, end });
    if (end === undefined) continue;

    // Without the u flag, [^\n] matches one UTF-16 unit, so the masked text keeps its length.
    masked += prose.slice(copied, open.index) + prose.slice(open.index, end).replace(/[^\n]/g, CODE_MARK);
    copied = end;
    runs.lastIndex = end;
  }
  return { text: prose, masked: masked + prose.slice(copied), codeRuns };
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

/** Returns true when the sentence (with inline code masked) claims to be a provider's model. */
function isIdentityClaim(masked: string): boolean {
  // Emphasis markers around a name ("I am **ChatGPT**") must not hide the claim.
  const plain = masked.replace(/[*_~]+/g, '');
  if (!PROVIDER.test(plain)) return false;
  return IDENTITY_CLAIM.some((pattern) => pattern.test(plain));
}

/**
 * Splits the reply into pieces and rewrites each prose sentence that claims to be a provider's
 * model. Fenced code blocks are copied as they are.
 *
 * NOTE: a claim sentence that contains inline code is kept, because rewriting the sentence
 * would drop the code. "I am `ChatGPT`, made by OpenAI." passes unchanged.
 */
function guardPieces(text: string, identity: IdentityFacts, locale: Locale): GuardedPiece[] {
  return splitFencedBlocks(text).flatMap((segment) => guardSegment(segment, identity, locale));
}

/** Guards one segment: a fenced block becomes one piece, and prose one piece per sentence. */
function guardSegment(segment: Segment, identity: IdentityFacts, locale: Locale): GuardedPiece[] {
  if (segment.masked === undefined) return [{ output: segment.text, rewritten: false }];

  const pieces: GuardedPiece[] = [];
  let offset = 0;
  for (const masked of splitSentences(segment.masked)) {
    const original = segment.text.slice(offset, offset + masked.length);
    offset += masked.length;
    if (masked.includes(CODE_MARK) || !isIdentityClaim(masked)) {
      pieces.push({ output: original, masked, rewritten: false });
      continue;
    }
    const trailing = masked.match(/\s*$/u)?.[0] ?? '';
    pieces.push({ output: identitySentence(identity, sentenceLocale(masked, locale)) + trailing, masked, rewritten: true });
  }
  return pieces;
}

/**
 * Replaces each sentence in which the reply claims to be some provider's model with the
 * configured identity. A sentence that mentions a company in another sense ("Google Maps
 * shows the route") stays, because it makes no first-person identity claim. Text in fenced
 * code blocks and inline code is never changed.
 */
export function enforceIdentity(text: string, identity: IdentityFacts, locale: Locale): { text: string; rewritten: number } {
  const pieces = guardPieces(text, identity, locale);
  return {
    text: pieces.map((piece) => piece.output).join(''),
    rewritten: pieces.filter((piece) => piece.rewritten).length,
  };
}

/** Sentence openings of the claim patterns, English and Turkish. */
const CLAIM_OPENING = /^\P{L}*(?:i\b|i['’]|as\b|my\b|you\b|the\s+model\b|ben\b|benim\b|adım|modelim|altyapım|geliştiricim|yaratıcım)/iu;

/**
 * Returns the part of a reply still being streamed that may be shown: the `enforceIdentity`
 * output without an unfinished last sentence that starts like a claim or names a provider,
 * because the claim patterns can only judge a whole sentence. Returns '' when nothing may be
 * shown yet.
 *
 * NOTE: a provider name cut mid-word ("Open" before "OpenAI") is shown until the next piece
 * completes it, so a draft can get shorter by that much.
 */
export function guardStreamedText(textSoFar: string, identity: IdentityFacts, locale: Locale): string {
  const pieces = guardPieces(textSoFar, identity, locale);
  const lastSentence = pieces.at(-1)?.masked;
  if (lastSentence !== undefined && isHeldBack(lastSentence)) pieces.pop();
  return pieces.map((piece) => piece.output).join('');
}

/** Returns true for an unfinished prose sentence without inline code that starts like a claim or names a provider. */
function isHeldBack(masked: string): boolean {
  if (/(?:[.!?…]|\n)\s*$/u.test(masked) || masked.includes(CODE_MARK)) return false;
  return CLAIM_OPENING.test(masked) || PROVIDER.test(masked);
}

const MID_LINE: ScanStart = { kind: 'mid-line' };

/** A point in streamed text after which appended text cannot change the guard's output before it. */
interface SettledPoint {
  /** Offset of the point in the text read by this call. */
  length: number;
  /** Guard output for the text before the point. */
  output: string;
  /** Starting position for the text after the point. */
  next: ScanStart;
}

/**
 * Guards a reply while it streams, one instance per reply. `guard` returns what
 * `guardStreamedText` returns for the same text, but its matchers read each part of the reply
 * about once instead of once per chunk. Only a memory comparison with the previous text still
 * reads the whole text on each call.
 *
 * After each call the guard keeps the output for the text up to the last point that appended
 * text can no longer change. Such a point is the end of a prose sentence before which every
 * backtick run has settled, a line start inside a fenced block, or a block boundary. The next call
 * reads only the text after that point. A text that does not extend the one of the last call, as when the
 * router starts another model, is read from its start.
 *
 * NOTE: prose without such a point (a line with no sentence stop, or text after an unclosed
 * backtick up to the next blank line) is read again on each call, as `guardStreamedText` does.
 */
export class StreamedIdentityGuard {
  readonly #identity: IdentityFacts;
  readonly #locale: Locale;
  /** The text of the last call. */
  #previousText = '';
  /** Length of the text before the kept point, its guard output, and the starting position after it. */
  #settledLength = 0;
  #settledOutput = '';
  #next: ScanStart = LINE_START;
  #scannedCharacters = 0;

  constructor(identity: IdentityFacts, locale: Locale) {
    this.#identity = identity;
    this.#locale = locale;
  }

  /** Characters passed to the fence, code span and sentence matchers, summed over all calls. */
  get scannedCharacters(): number {
    return this.#scannedCharacters;
  }

  /** Returns the part of the reply so far that may be shown, as `guardStreamedText` does. */
  guard(textSoFar: string): string {
    // The kept point depends on every character of the last text, so a text that does not
    // extend it (the router moved to another model) is guarded from the start again.
    if (textSoFar.slice(0, this.#previousText.length) !== this.#previousText) {
      this.#settledLength = 0;
      this.#settledOutput = '';
      this.#next = LINE_START;
    }
    this.#previousText = textSoFar;
    const rest = textSoFar.slice(this.#settledLength);
    this.#scannedCharacters += rest.length;

    const pieces: GuardedPiece[] = [];
    let settled: SettledPoint | undefined;
    let output = '';
    let offset = 0;
    let previous: Segment | undefined;
    for (const segment of splitFencedBlocks(rest, this.#next)) {
      if (previous !== undefined && isSettledBoundary(previous, segment)) settled = { length: offset, output, next: LINE_START };
      const segmentPieces = guardSegment(segment, this.#identity, this.#locale);
      const inner =
        segment.masked === undefined
          ? fencedSettledPoint(segment)
          : proseSettledPoint(segment, segmentPieces, previous === undefined ? this.#next : LINE_START);
      if (inner !== undefined) settled = { length: offset + inner.length, output: output + inner.output, next: inner.next };

      for (const piece of segmentPieces) {
        pieces.push(piece);
        output += piece.output;
      }
      offset += segment.text.length;
      previous = segment;
    }

    const lastSentence = pieces.at(-1)?.masked;
    if (lastSentence !== undefined && isHeldBack(lastSentence)) pieces.pop();
    const visible = this.#settledOutput + pieces.map((piece) => piece.output).join('');

    if (settled !== undefined) {
      this.#settledLength += settled.length;
      this.#settledOutput += settled.output;
      this.#next = settled.next;
    }
    return visible;
  }
}

/**
 * Returns true when the boundary between two segments stays where it is whatever text follows:
 * after a closed fenced block, or before a fenced block whose opening line is complete.
 */
function isSettledBoundary(previous: Segment, segment: Segment): boolean {
  if (previous.masked === undefined) return true;
  return segment.masked === undefined && segment.text.includes('\n');
}

/**
 * Returns the start of a fenced block's last line when that is not its opening line, so the
 * next call goes on reading the block there and looks for its closing line from that line.
 */
function fencedSettledPoint(segment: Segment): SettledPoint | undefined {
  const lineStart = segment.text.lastIndexOf('\n', segment.text.length - 2) + 1;
  if (segment.fence === undefined || lineStart === 0 || lineStart >= segment.text.length) return undefined;
  return { length: lineStart, output: segment.text.slice(0, lineStart), next: { kind: 'fence', fence: segment.fence } };
}

/**
 * Returns the end of the last sentence before the segment's last one that appended text can no
 * longer change. The sentence splitter ends a sentence at a character after it, so a sentence
 * that another one follows keeps its end, which is white space. That end also needs:
 * - every backtick run before it settled: closed, or plain text with a paragraph break after
 *   it, because a code span never crosses a paragraph break;
 * - a line start, or a character other than a space or tab earlier on its line, so that
 *   appended text cannot turn the line into a fence.
 */
function proseSettledPoint(segment: Segment, pieces: readonly GuardedPiece[], start: ScanStart): SettledPoint | undefined {
  const { text, codeRuns = [] } = segment;
  const paragraphBreak = /\n[ \t]*\n/gu;
  let nextBreak: RegExpExecArray | null | undefined;
  /** The offset from which every backtick run seen so far has settled. */
  let codeSettledAt = 0;
  let runIndex = 0;
  /** True when the current line has a character other than a space or tab before the offset. */
  let lineHasText = start.kind === 'mid-line';
  let settled: SettledPoint | undefined;
  let output = '';
  let offset = 0;

  for (const [index, piece] of pieces.entries()) {
    const length = piece.masked?.length ?? 0;
    const original = text.slice(offset, offset + length);
    offset += length;
    output += piece.output;

    const newline = original.lastIndexOf('\n');
    const lineTail = original.slice(newline + 1);
    if (newline !== -1) lineHasText = false;
    if (/[^ \t]/u.test(lineTail)) lineHasText = true;

    for (let run = codeRuns[runIndex]; run !== undefined && run.start < offset; run = codeRuns[++runIndex]) {
      let runSettledAt = run.end;
      if (runSettledAt === undefined) {
        // A plain run can still be closed by text appended before the next paragraph break.
        if (nextBreak === undefined || (nextBreak !== null && nextBreak.index < run.start)) {
          paragraphBreak.lastIndex = run.start;
          nextBreak = paragraphBreak.exec(text);
        }
        runSettledAt = nextBreak === null ? Number.POSITIVE_INFINITY : nextBreak.index + nextBreak[0].length;
      }
      codeSettledAt = Math.max(codeSettledAt, runSettledAt);
    }

    const atLineStart = lineTail === '';
    if (index === pieces.length - 1 || codeSettledAt > offset || (!atLineStart && !lineHasText)) continue;
    settled = { length: offset, output, next: atLineStart ? LINE_START : MID_LINE };
  }
  return settled;
}
