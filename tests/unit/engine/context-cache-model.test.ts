/**
 * Model-based check of the engine's context cache: random sequences of chat turns, image
 * turns, delivery failures, summary passes and commands run on a real engine and a seeded
 * temporary database. Every model request must carry, after the system prompt, what
 * `loadPromptHistory` reads from the database at that moment, and every cached context must
 * equal that read after each operation.
 */

import fc from 'fast-check';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { dispatchCommand } from '../../../src/commands/dispatcher.js';
import { findCommand } from '../../../src/commands/registry.js';
import type { CommandReply, CommandServices } from '../../../src/commands/types.js';
import { ConversationEngine } from '../../../src/engine/conversation-engine.js';
import { loadPromptHistory, loadSummarySettings, type PromptHistory } from '../../../src/engine/history.js';
import type { PlatformUser } from '../../../src/engine/types.js';
import { ImageService } from '../../../src/images/image-service.js';
import { runSummaryPass } from '../../../src/jobs/summary-job.js';
import { ContextLengthError } from '../../../src/router/errors.js';
import type { ChatMessage, CompletionRequest, CompletionResult, ModelRouter } from '../../../src/router/types.js';
import { startFakeTxt2Img, type FakeTxt2Img } from '../../support/fake-txt2img.js';
import { RecordingRouter } from '../../support/recording-router.js';
import { createCommandFixture, person, useShortContexts, type CommandFixture } from '../commands/command-fixture.js';
import { summaryMessage } from '../../../src/engine/prompt-builder.js';

/** How the chat model handles the next turn. */
type ReplyMode =
  | 'ok'
  /** Throws before any text: the reply is stored `failed`. */
  | 'failed'
  /** Streams some text, then throws: the reply is stored `interrupted`. */
  | 'interrupted'
  /** Finishes with `finish_reason` `length`. */
  | 'cut_off'
  /** Claims to be ChatGPT, so the identity guard rewrites the stored reply. */
  | 'identity'
  /** Rejects the first prompt as too long, then answers the trimmed retry. */
  | 'too_long'
  /** Rejects the first prompt and the trimmed retry as too long. */
  | 'too_long_twice';

type Operation =
  | { kind: 'chat'; userIndex: number; mode: ReplyMode; padded: boolean }
  | { kind: 'redeliver'; userIndex: number; mode: ReplyMode }
  | { kind: 'repeat_first'; userIndex: number }
  | { kind: 'image'; userIndex: number; fails: boolean }
  | { kind: 'delivery_failure'; userIndex: number; partial: boolean }
  | { kind: 'summary' }
  | { kind: 'new'; userIndex: number }
  | { kind: 'preset'; userIndex: number; on: boolean }
  | { kind: 'forget'; userIndex: number }
  | { kind: 'max_messages'; value: number }
  | { kind: 'restart' };

/** A prompt the model received next to what the database held when it was sent. */
interface PromptCheck {
  conversationId: string;
  maxMessages: number;
  received: ChatMessage[];
  expected: ChatMessage[];
}

/** Engine clock. An operation that edits config rows moves it past their max age. */
let clockMs = Date.parse('2026-12-04T10:00:00.000Z');

let fixture: CommandFixture;
let server: FakeTxt2Img;
let runNumber = 0;

beforeAll(async () => {
  fixture = await createCommandFixture();
  server = await startFakeTxt2Img();
  // Without few-shot turns the prompt is the system prompt, then the summary, then the history.
  await useShortContexts(fixture.services.db);
});

afterAll(async () => {
  await server.close();
  await fixture.cleanup();
});

/** Chat model double that compares each prompt with a fresh database read before answering. */
class CheckingRouter implements ModelRouter {
  readonly checks: PromptCheck[] = [];
  mode: ReplyMode = 'ok';
  #attempt = 0;
  #previousHistoryLength = 0;
  #replies = 0;

  startTurn(mode: ReplyMode): void {
    this.mode = mode;
    this.#attempt = 0;
  }

  async complete(request: CompletionRequest): Promise<CompletionResult> {
    const attempt = this.#attempt;
    this.#attempt += 1;
    const conversationId = String(request.logContext?.conversationId);
    const configured = (await loadSummarySettings(fixture.services.db)).maxMessages;
    // The engine halves the history once after a context-length error.
    const maxMessages = attempt === 0 ? configured : Math.max(1, Math.floor(this.#previousHistoryLength / 2));
    const stored = await loadPromptHistory(fixture.services.db, conversationId, { maxMessages });
    this.#previousHistoryLength = stored.messages.length;
    this.checks.push({ conversationId, maxMessages, received: request.messages.slice(1), expected: promptTailOf(stored) });

    const tooLong = (this.mode === 'too_long' && attempt === 0) || this.mode === 'too_long_twice';
    if (tooLong) throw new ContextLengthError('checking-model', 'groq', [], 'context_length_exceeded');
    if (this.mode === 'failed') throw new Error('every model failed');
    if (this.mode === 'interrupted') {
      request.onText?.('Partial reply');
      throw new Error('stream cut');
    }

    this.#replies += 1;
    const text = this.mode === 'identity' ? `I am ChatGPT. Reply ${this.#replies}.` : `Reply ${this.#replies}.`;
    return {
      text,
      model: 'checking-model',
      modelId: 'checking-model-id',
      provider: 'groq',
      engine: 'cloud',
      latencyMs: 1,
      usage: null,
      finishReason: this.mode === 'cut_off' ? 'length' : 'stop',
      attempts: [],
    };
  }
}

function promptTailOf(history: PromptHistory): ChatMessage[] {
  const tail: ChatMessage[] = [];
  if (history.summary !== null) tail.push(summaryMessage(history.summary));
  for (const message of history.messages) tail.push({ role: message.role, content: message.content });
  return tail;
}

/** State of one property run: its engine, users and what they last sent or received. */
class Run {
  readonly users: PlatformUser[];
  readonly router = new CheckingRouter();
  readonly summaryRouter: RecordingRouter;
  engine!: ConversationEngine;
  images!: ImageService;
  readonly conversations = new Set<string>();
  /** Per user: the last chat message sent, with its platform message id. */
  readonly lastSent = new Map<number, { text: string; messageId: string }>();
  /** Per user: the last reply row id (chat or image). */
  readonly lastReply = new Map<number, number>();
  readonly firstQuestions: string[] = [];
  readonly presetsCreated = new Set<number>();
  #messageCounter = 0;
  #summaries = 0;

  constructor(run: number) {
    // Two accounts on two platforms with the same chat id, so the chat keys differ only by platform.
    this.users = [person('telegram', `77${run}`), person('discord', `77${run}`)];
    this.summaryRouter = new RecordingRouter(() => {
      this.#summaries += 1;
      return `Summary ${this.#summaries}`;
    });
    this.startEngine();
  }

  startEngine(): void {
    const { db, settings, texts, logger } = fixture.services;
    this.engine = new ConversationEngine({ db, router: this.router, settings, texts, logger, adminIds: new Set(), now: () => new Date(clockMs) });
    const engine = this.engine;
    this.images = new ImageService({
      db,
      settings,
      texts,
      logger,
      baseUrlOverride: server.baseUrl,
      runInChat: (platform, chatId, task) => engine.runInChat(platform, chatId, task),
    });
  }

  chatId(userIndex: number): string {
    return `shared-${this.users[userIndex]!.id}`;
  }

  async command(userIndex: number, name: string, argumentText = ''): Promise<CommandReply> {
    const definition = findCommand(name);
    if (!definition) throw new Error(`/${name} is not registered`);
    const services: CommandServices = { ...fixture.services, engine: this.engine, images: this.images };
    const user = this.users[userIndex]!;
    return dispatchCommand(definition, { platform: user.platform, chatId: this.chatId(userIndex), isPrivate: true, user, argumentText }, services);
  }

  async chat(userIndex: number, text: string, mode: ReplyMode, options: { messageId?: string; redelivered?: boolean } = {}): Promise<void> {
    this.#messageCounter += 1;
    const messageId = options.messageId ?? String(this.#messageCounter);
    this.router.startTurn(mode);
    const outcome = await this.engine.handleMessage({
      user: this.users[userIndex]!,
      chatId: this.chatId(userIndex),
      isPrivate: true,
      text,
      messageId,
      redelivered: options.redelivered,
    });
    this.lastSent.set(userIndex, { text, messageId });
    if (outcome.kind === 'refused') throw new Error(`turn "${text}" was refused: ${outcome.reason}`);
    this.conversations.add(outcome.conversationId);
    this.lastReply.set(userIndex, outcome.replyMessageId);
  }

  async apply(operation: Operation): Promise<void> {
    switch (operation.kind) {
      case 'chat': {
        const question = `Question ${this.#messageCounter + 1} from ${operation.userIndex}`;
        const text = operation.padded ? `  \n${question}\t ` : question;
        const conversationBefore = await this.activeConversationHasMessages(operation.userIndex);
        await this.chat(operation.userIndex, text, operation.mode);
        if (!conversationBefore) this.firstQuestions.push(question);
        return;
      }
      case 'redeliver': {
        const last = this.lastSent.get(operation.userIndex);
        if (last === undefined) return;
        await this.chat(operation.userIndex, last.text, operation.mode, { messageId: last.messageId, redelivered: true });
        return;
      }
      case 'repeat_first': {
        const question = this.firstQuestions[0];
        if (question === undefined) return;
        await this.command(operation.userIndex, 'new');
        await this.chat(operation.userIndex, question, 'ok');
        return;
      }
      case 'image': {
        server.behaviour = operation.fails ? { kind: 'status', status: 500 } : { kind: 'image' };
        const reply = await this.command(operation.userIndex, 'imagine', `a red fox ${operation.userIndex}`);
        const replyMessageId = reply.image?.replyMessageId;
        if (replyMessageId !== undefined) this.lastReply.set(operation.userIndex, replyMessageId);
        return;
      }
      case 'delivery_failure': {
        const replyMessageId = this.lastReply.get(operation.userIndex);
        if (replyMessageId === undefined) return;
        await this.engine.recordDeliveryFailure(replyMessageId, 'delivery failed', operation.partial ? ['9001'] : []);
        return;
      }
      case 'summary': {
        const engine = this.engine;
        await runSummaryPass({
          db: fixture.services.db,
          router: this.summaryRouter,
          logger: pino({ level: 'silent' }),
          guard: engine.contexts,
        });
        return;
      }
      case 'new':
        await this.command(operation.userIndex, 'new');
        return;
      case 'preset': {
        if (!this.presetsCreated.has(operation.userIndex)) {
          await this.command(operation.userIndex, 'preset', `create brief${operation.userIndex} max_tokens=50 | Answer briefly.`);
          this.presetsCreated.add(operation.userIndex);
        }
        await this.command(operation.userIndex, 'preset', operation.on ? `brief${operation.userIndex}` : 'off');
        return;
      }
      case 'forget':
        await this.command(operation.userIndex, 'forget_me', 'confirm');
        this.presetsCreated.delete(operation.userIndex);
        return;
      case 'max_messages':
        await fixture.services.db
          .updateTable('conversation_summary_settings')
          .set({ summary_max_messages: operation.value })
          .where('id', '=', 1)
          .execute();
        // Past the config rows' max age, so the engine reads the new limit.
        clockMs += 31_000;
        return;
      case 'restart':
        this.startEngine();
        return;
    }
  }

  async activeConversationHasMessages(userIndex: number): Promise<boolean> {
    const user = this.users[userIndex]!;
    const row = await fixture.services.db
      .selectFrom('conversations')
      .innerJoin('users', 'users.id', 'conversations.user_id')
      .innerJoin('messages', 'messages.conversation_id', 'conversations.id')
      .select('messages.id')
      .where('users.username', '=', `${user.platform}:${user.id}`)
      .where('conversations.chat_id', '=', this.chatId(userIndex))
      .where('conversations.is_active', '=', 1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Returns, per cached conversation, the cached context next to a fresh database read. */
  async cachedAgainstDatabase(): Promise<Array<{ conversationId: string; cached: PromptHistory; stored: PromptHistory }>> {
    const maxMessages = (await this.engine.configRows.get()).summary.maxMessages;
    const pairs: Array<{ conversationId: string; cached: PromptHistory; stored: PromptHistory }> = [];
    for (const conversationId of this.conversations) {
      const cached = this.engine.contexts.get(conversationId, maxMessages);
      if (cached === undefined) continue;
      const stored = await loadPromptHistory(fixture.services.db, conversationId, { maxMessages });
      pairs.push({ conversationId, cached: { ...cached, rowsRead: 0 }, stored: { ...stored, rowsRead: 0 } });
    }
    return pairs;
  }
}

const userIndex = fc.integer({ min: 0, max: 1 });
const replyMode = fc.constantFrom<ReplyMode>('ok', 'ok', 'ok', 'failed', 'interrupted', 'cut_off', 'identity', 'too_long', 'too_long_twice');

const operation: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('chat' as const), userIndex, mode: replyMode, padded: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('redeliver' as const), userIndex, mode: replyMode }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('repeat_first' as const), userIndex }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('image' as const), userIndex, fails: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delivery_failure' as const), userIndex, partial: fc.boolean() }) },
  { weight: 2, arbitrary: fc.constant<Operation>({ kind: 'summary' }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('new' as const), userIndex }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('preset' as const), userIndex, on: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('forget' as const), userIndex }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('max_messages' as const), value: fc.integer({ min: 1, max: 6 }) }) },
  { weight: 1, arbitrary: fc.constant<Operation>({ kind: 'restart' }) },
);

describe('context cache model', () => {
  it('matches the database after every operation', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 5, maxLength: 40, size: 'max' }), async (operations) => {
        runNumber += 1;
        await fixture.services.db.updateTable('conversation_summary_settings').set({ summary_max_messages: 4 }).where('id', '=', 1).execute();
        clockMs += 31_000;
        const run = new Run(runNumber);
        for (const user of run.users) await fixture.addUser(user, { limits: JSON.stringify({ per_minute: 0, daily_chat: 0, daily_cloud: 0, daily_image: 0 }) });

        for (const step of operations) {
          await run.apply(step);
          for (const check of run.router.checks) expect(check.received).toEqual(check.expected);
          run.router.checks.length = 0;
          for (const pair of await run.cachedAgainstDatabase()) expect(pair.cached).toEqual(pair.stored);
        }
      }),
      { numRuns: 25 },
    );
  });
});
