import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { OutsideWriteWatch } from '../db/outside-writes.js';
import type { Database, IdentityRow, ModelPresetRow, PersonaRow, UserRow } from '../db/schema.js';
import { utcDate } from '../db/values.js';
import type { TextCatalog } from '../i18n/texts.js';
import { AllModelsFailedError, ContextLengthError, NoModelAvailableError } from '../router/errors.js';
import type { AttemptRecord, CompletionResult, Engine, ModelRouter } from '../router/types.js';
import { resolveActor, type Actor, type ActorServices } from './actor.js';
import { answerCacheKey, lookupAnswer, storeAnswer } from './answer-cache.js';
import { ConfigRowCache, type ConfigRows } from './config-rows.js';
import {
  appendMessage,
  findActiveConversation,
  findActiveConversationForTurn,
  findCompleteReplyTo,
  findRecentUserMessage,
  mergeMessageMetadata,
  startConversation,
  titleFrom,
} from './conversations.js';
import { ContextCache } from './context-cache.js';
import { loadPromptHistory, type PromptHistory } from './history.js';
import { enforceIdentity, StreamedIdentityGuard } from './identity-guard.js';
import { KeyedQueue } from './keyed-queue.js';
import { effectiveLimits, routerAccessFor, type Limits } from './permissions.js';
import { inferPreferences } from './preference-inference.js';
import { buildChatMessages, promptCharacters, type PreferenceEntry } from './prompt-builder.js';
import type { SystemSettings } from './settings.js';
import type { IncomingMessage, Locale, Platform, TurnOutcome } from './types.js';
import { refundUndeliveredReply } from './usage-refund.js';
import { countAnsweredChat, PerMinuteLimiter, readDailyUsage } from './usage.js';

export interface EngineDependencies {
  db: Kysely<Database>;
  router: ModelRouter;
  settings: SystemSettings;
  texts: TextCatalog;
  logger: Logger;
  /** Accounts named in `ADMIN_IDS`, e.g. `telegram:123`. */
  adminIds: ReadonlySet<string>;
  now?: () => Date;
}

export interface TurnOptions {
  /** Receives the visible reply text so far while the model streams. */
  onText?: (textSoFar: string) => void;
}

/** Fallback for `chat.max_input_chars` when the setting is missing. */
const DEFAULT_MAX_INPUT_CHARS = 4000;

/**
 * The platform-neutral conversation engine: access, limits, storage, prompt, model call,
 * cache and usage for one incoming message. Turns of one chat run one at a time, in
 * arrival order.
 */
export class ConversationEngine {
  readonly #deps: EngineDependencies;
  readonly #queue = new KeyedQueue();
  readonly #perMinute: PerMinuteLimiter;
  readonly #log: Logger;
  /** Personas, identity and summary settings. Commands that change them call `invalidate()`. */
  readonly configRows: ConfigRowCache;
  /**
   * Prompt context of recently active conversations. Code that changes stored messages or
   * summaries outside a turn drops the affected entries.
   */
  readonly contexts = new ContextCache();
  readonly #outsideWrites: OutsideWriteWatch;
  /** Background work per user id, with the controller that aborts it. */
  readonly #backgroundWork = new Map<number, Map<Promise<unknown>, AbortController>>();

  constructor(deps: EngineDependencies) {
    this.#deps = deps;
    this.#outsideWrites = new OutsideWriteWatch(deps.db);
    this.#perMinute = new PerMinuteLimiter(() => this.#now().getTime());
    this.#log = deps.logger.child({ component: 'engine' });
    // The engine's clock, so tests that move it also age the cached rows.
    this.configRows = new ConfigRowCache(deps.db, { now: () => this.#now().getTime() });
  }

  get actorServices(): ActorServices {
    const { db, settings, texts, adminIds, logger } = this.#deps;
    return { db, settings, texts, adminIds, logger };
  }

  /** Handles one incoming chat message; turns of the same chat are queued behind each other. */
  handleMessage(message: IncomingMessage, options: TurnOptions = {}): Promise<TurnOutcome> {
    const key = chatKey(message.user.platform, message.chatId);
    return this.#queue.run(key, () => this.#handleTurn(message, options));
  }

  /** Runs work (a command) in the chat's queue, so it cannot interleave with a turn. */
  runInChat<T>(platform: Platform, chatId: string, task: () => Promise<T>): Promise<T> {
    return this.#queue.run(chatKey(platform, chatId), task);
  }

  /** Resolves when every queued turn has finished; used by graceful shutdown. */
  drain(): Promise<void> {
    return this.#queue.drain();
  }

  /** Records the platform message ids a stored reply was delivered as. */
  async recordDelivery(replyMessageId: number, platformMessageIds: string[]): Promise<void> {
    await mergeMessageMetadata(this.#deps.db, replyMessageId, { platform_message_ids: platformMessageIds });
  }

  /**
   * Records that a reply could not be delivered. A reply that reached no one is marked
   * `failed`, so it never goes back into the model's context as if the user had seen it.
   */
  async recordDeliveryFailure(replyMessageId: number, error: string, delivered: string[]): Promise<void> {
    const reachedNoOne = delivered.length === 0;
    const patch: Record<string, unknown> = {
      delivery_error: error,
      platform_message_ids: delivered,
      status: reachedNoOne ? 'failed' : 'interrupted',
    };
    // A reply that reached no one gives back what its turn counted against the daily limits.
    // Part of a reply was seen, so an interrupted one keeps its counts.
    await this.#deps.db.transaction().execute(async (trx) => {
      if (reachedNoOne && (await refundUndeliveredReply(trx, replyMessageId))) patch.usage_refunded = true;
      await mergeMessageMetadata(trx, replyMessageId, patch);
    });
    // The reply was cached as part of the context when it was stored complete.
    this.contexts.dropMessage(replyMessageId);
  }

  /**
   * Runs work for a user after a turn without delaying the reply. A failure is logged with the
   * turn's ids. `cancelBackgroundWork` aborts it.
   */
  #runInBackground(userId: number, logIds: Record<string, unknown>, work: (signal: AbortSignal) => Promise<unknown>): void {
    const controller = new AbortController();
    const running = work(controller.signal)
      .catch((error: unknown) => this.#log.warn({ ...logIds, err: error }, 'background work after a turn failed'))
      .finally(() => {
        const forUser = this.#backgroundWork.get(userId);
        forUser?.delete(running);
        if (forUser?.size === 0) this.#backgroundWork.delete(userId);
      });
    const forUser = this.#backgroundWork.get(userId) ?? new Map<Promise<unknown>, AbortController>();
    forUser.set(running, controller);
    this.#backgroundWork.set(userId, forUser);
  }

  /**
   * Aborts the user's background work (preference inference) and resolves once it has stopped,
   * so that nothing it would write can land after `/forget_me` erased the user's data.
   */
  async cancelBackgroundWork(userId: number): Promise<void> {
    const forUser = this.#backgroundWork.get(userId);
    if (!forUser) return;
    for (const controller of forUser.values()) controller.abort();
    await Promise.all(forUser.keys());
  }

  /** Starts a new conversation in the chat (`/new`); the next message begins a fresh context. */
  async startNewConversation(actor: Actor, platform: Platform, chatId: string): Promise<string> {
    const current = await findActiveConversation(this.#deps.db, { userId: actor.user.id, platform, chatId });
    const conversation = await startConversation(
      this.#deps.db,
      { userId: actor.user.id, platform, chatId },
      { presetId: current?.preset_id ?? null },
    );
    this.#log.info({ userId: actor.user.id, conversationId: conversation.id, platform, chatId }, 'conversation started');
    return conversation.id;
  }

  #now(): Date {
    return this.#deps.now ? this.#deps.now() : new Date();
  }

  /**
   * Drops the cached prompt contexts and config rows after another connection (a second bot
   * process, an operator's sqlite3 shell) wrote to the database, so its changes show on this turn.
   */
  async #forgetOutsideChanges(): Promise<void> {
    if (!(await this.#outsideWrites.changed())) return;
    this.contexts.clear();
    this.configRows.invalidate();
  }

  /**
   * Returns the reply already stored for a message handled again after a crash, or undefined.
   * A crash between storing a reply and recording its delivery leaves a complete reply that
   * the user may not have seen. It is sent again, with no model call and no second count.
   */
  async #storedReplyFor(userId: number, message: IncomingMessage, locale: Locale): Promise<TurnOutcome | undefined> {
    const { db, texts } = this.#deps;
    const conversation = await findActiveConversation(db, { userId, platform: message.user.platform, chatId: message.chatId });
    if (!conversation) return undefined;
    const userMessageId = await findRecentUserMessage(db, conversation.id, message.messageId);
    if (userMessageId === undefined) return undefined;
    const reply = await findCompleteReplyTo(db, conversation.id, userMessageId);
    if (!reply) return undefined;

    const ids = { userId, conversationId: conversation.id, messageId: userMessageId, replyMessageId: reply.id };
    // A crash after the delivery was recorded: the user has the reply already.
    if (reply.delivered) {
      this.#log.info(ids, 'stored reply was delivered before; nothing sent');
      return { kind: 'delivered', replyMessageId: reply.id, conversationId: conversation.id };
    }
    this.#log.info(ids, 'stored reply sent again');
    return {
      kind: 'answer',
      text: reply.content,
      locale,
      replyMessageId: reply.id,
      conversationId: conversation.id,
      cached: false,
      notices: isCutOff(reply.finishReason) ? [texts.t(locale, 'notice.cut_off')] : [],
    };
  }

  async #handleTurn(message: IncomingMessage, options: TurnOptions): Promise<TurnOutcome> {
    const { db, settings, texts } = this.#deps;
    await this.#forgetOutsideChanges();
    const resolution = await resolveActor(this.actorServices, message.user);
    if (resolution.kind === 'refused') {
      this.#log.info({ username: `${message.user.platform}:${message.user.id}`, reason: resolution.reason }, 'message refused');
      return { kind: 'refused', reason: resolution.reason, text: resolution.text, locale: resolution.locale };
    }
    const { user, locale, preferences } = resolution.actor;
    const refuse = (reason: Extract<TurnOutcome, { kind: 'refused' }>['reason'], variables = {}): TurnOutcome => {
      this.#log.info({ userId: user.id, reason }, 'message refused');
      return { kind: 'refused', reason, text: texts.t(locale, `refusal.${reason}`, variables), locale };
    };

    const text = message.text.trim();
    // Invisible format characters alone (a zero-width space, a direction mark) are empty too.
    if (/^[\s\p{Cf}]*$/u.test(text)) return refuse('empty_message');
    const maxChars = settings.number('chat.max_input_chars', DEFAULT_MAX_INPUT_CHARS);
    if (maxChars > 0 && text.length > maxChars) return refuse('input_too_long', { length: text.length, max: maxChars });

    if (message.redelivered) {
      const replayed = await this.#storedReplyFor(user.id, message, locale);
      if (replayed) return replayed;
    }

    const limits = effectiveLimits(user, settings);
    const usage = await readDailyUsage(db, user.id, utcDate(this.#now()));
    if (limits.daily_chat > 0 && usage.totalChat >= limits.daily_chat) return refuse('limit_daily_chat', { limit: limits.daily_chat });
    const blockedEngines = blockedEnginesFor(limits, usage);
    // Refused when every engine this user may use has reached its daily limit: the cloud one,
    // and the local one too for users with local access.
    const usableEngines: Engine[] = routerAccessFor(user).canUseLocal ? ['cloud', 'local'] : ['cloud'];
    if (usableEngines.every((engine) => blockedEngines.includes(engine))) {
      return blockedEngines.includes('cloud')
        ? refuse('limit_daily_cloud', { limit: limits.daily_cloud })
        : refuse('limit_daily_local', { limit: limits.daily_local });
    }
    const waitSeconds = this.#perMinute.tryAcquire(user.id, limits.per_minute);
    if (waitSeconds > 0) return refuse('limit_per_minute', { seconds: waitSeconds });

    const ref = { userId: user.id, platform: message.user.platform, chatId: message.chatId };
    const found = await findActiveConversationForTurn(db, ref);
    const conversation = found?.conversation ?? (await startConversation(db, ref, { title: titleFrom(text) }));
    if (conversation.title === null) {
      await db.updateTable('conversations').set({ title: titleFrom(text) }).where('id', '=', conversation.id).execute();
    }

    const configRows = await this.configRows.get();
    const persona = personaFor(user, configRows);
    const preset = conversation.preset_id === null ? null : await this.#preset(conversation.preset_id);
    const isFirstTurn = !(found?.hasMessages ?? false);
    // The system prompt states this date, so the cache key carries it too.
    const promptDate = utcDate(this.#now());
    const cacheKey = isFirstTurn
      ? answerCacheKey({
          question: text,
          locale,
          selectedModel: user.selected_model,
          persona: persona.name,
          presetId: preset?.id ?? null,
          preferences,
          date: promptDate,
        })
      : null;

    // The user's message is stored before any model call, so no failure can lose it. An update
    // handled again after a crash finds its message already stored and reuses it.
    const stored = message.redelivered ? await findRecentUserMessage(db, conversation.id, message.messageId) : undefined;
    const userMessageId =
      stored ??
      (await appendMessage(db, conversation.id, 'user', text, {
        platform: message.user.platform,
        platform_message_id: message.messageId,
        locale,
      }));
    this.contexts.append(conversation.id, { id: userMessageId, role: 'user', content: text });
    const logIds = { userId: user.id, conversationId: conversation.id, messageId: userMessageId };

    if (cacheKey) {
      const cached = await lookupAnswer(db, user.id, cacheKey, usableEngines, this.#now());
      if (cached) {
        const usageDate = utcDate(this.#now());
        const replyMessageId = await db.transaction().execute(async (trx) => {
          const id = await appendMessage(trx, conversation.id, 'assistant', cached.answer, {
            status: 'complete',
            cached: true,
            engine: cached.engine,
            persona: persona.name,
            locale,
            usage_date: usageDate,
          });
          await countAnsweredChat(trx, user.id, null, usageDate);
          return id;
        });
        this.#log.info({ ...logIds, replyMessageId }, 'answered from cache');
        options.onText?.(cached.answer);
        return { kind: 'answer', text: cached.answer, locale, replyMessageId, conversationId: conversation.id, cached: true, notices: [] };
      }
    }

    const { identity } = configRows;
    // With `forbid_provider_mention` on, streamed drafts pass the same guard as the stored reply.
    const identityFacts =
      identity?.forbid_provider_mention === 1 ? { displayName: identity.display_name, developerName: identity.developer_name } : undefined;
    const streamGuard = identityFacts ? new StreamedIdentityGuard(identityFacts, locale) : undefined;
    // The text the user has seen so far, kept so a reply cut mid-stream is stored as shown.
    let streamedText = '';
    const streamOptions: TurnOptions = {
      onText: (textSoFar) => {
        const visibleText = streamGuard ? streamGuard.guard(textSoFar) : textSoFar;
        // The guard returns '' while it holds back the only sentence so far, and the last draft then stays.
        if (visibleText === '') return;
        streamedText = visibleText;
        options.onText?.(visibleText);
      },
    };
    const started = this.#now().getTime();
    let result: CompletionResult;
    try {
      result = await this.#complete({
        user,
        persona,
        preset,
        identity,
        summarySettings: configRows.summary,
        preferences,
        conversationId: conversation.id,
        locale,
        date: promptDate,
        blockedEngines,
        options: streamOptions,
        logIds,
      });
    } catch (error) {
      const attempts = attemptsOf(error);
      this.#log.error({ ...logIds, err: error }, 'no model could answer');
      // A reply cut mid-stream keeps what the user saw and is marked interrupted; neither kind
      // goes back into the model's context.
      const replyMessageId = await appendMessage(db, conversation.id, 'assistant', streamedText, {
        status: streamedText === '' ? 'failed' : 'interrupted',
        error: error instanceof Error ? error.name : 'Error',
        attempts,
        latency_ms: this.#now().getTime() - started,
        persona: persona.name,
        locale,
      });
      // No model left because a daily limit blocks an engine (the local model is not routed to
      // automatically at censorship level 2): the limit, not a fault, is what the user must hear.
      const limitReached = error instanceof NoModelAvailableError && blockedEngines.includes('cloud');
      // Every model skipped or rejected for its request rate: the bot is busy, not broken.
      const busy = attempts.length > 0 && attempts.every((attempt) => attempt.errorKind?.startsWith('rate_limited'));
      let failureText = texts.t(locale, 'error.all_models_failed');
      if (limitReached) failureText = texts.t(locale, 'refusal.limit_daily_cloud', { limit: limits.daily_cloud });
      else if (busy) failureText = texts.t(locale, 'error.busy');
      return {
        kind: 'failed',
        text: failureText,
        partialText: streamedText,
        locale,
        replyMessageId,
        conversationId: conversation.id,
      };
    }

    let answer = result.text;
    let identityRewrites = 0;
    if (identityFacts) {
      const guarded = enforceIdentity(answer, identityFacts, locale);
      answer = guarded.text;
      identityRewrites = guarded.rewritten;
      // The stream guard holds back an unfinished last sentence, and a reply without a final stop
      // ends with one, so the stored reply goes to `onText` once more. The model call trims the
      // reply, so a difference in trailing whitespace alone is ignored.
      if (streamedText.trimEnd() !== answer) options.onText?.(answer);
    }

    const cutOff = isCutOff(result.finishReason);
    // The reply, its usage count and its cache entry are written together, in one commit.
    const usageDate = utcDate(this.#now());
    const replyMessageId = await db.transaction().execute(async (trx) => {
      const id = await appendMessage(trx, conversation.id, 'assistant', answer, {
        status: 'complete',
        cached: false,
        model: result.model,
        model_id: result.modelId,
        provider: result.provider,
        engine: result.engine,
        latency_ms: result.latencyMs,
        usage: result.usage,
        finish_reason: result.finishReason,
        attempts: result.attempts,
        identity_rewrites: identityRewrites,
        persona: persona.name,
        preset_id: preset?.id ?? null,
        locale,
        usage_date: usageDate,
      });
      await countAnsweredChat(trx, user.id, result.engine, usageDate);
      if (cacheKey && !cutOff) {
        const ttlHours = settings.number('cache.ttl_hours', 24);
        // The next UTC midnight, after which the key's date no longer matches any turn.
        const validUntil = new Date(Date.parse(`${promptDate}T00:00:00.000Z`) + 86_400_000);
        await storeAnswer(trx, { userId: user.id, cacheKey, question: text, answer, engine: result.engine, ttlHours, validUntil }, this.#now());
      }
      return id;
    });
    this.contexts.append(conversation.id, { id: replyMessageId, role: 'assistant', content: answer });

    this.#log.info(
      { ...logIds, replyMessageId, model: result.model, provider: result.provider, latencyMs: result.latencyMs },
      'turn answered',
    );
    if (settings.boolean('preferences.infer', false)) {
      // Runs after the reply without delaying it. A model failure is handled inside; a
      // database error (for example during shutdown) is logged here.
      this.#runInBackground(user.id, logIds, (signal) =>
        inferPreferences({
          db,
          router: this.#deps.router,
          logger: this.#log,
          userId: user.id,
          userText: text,
          locale,
          access: routerAccessFor(user),
          signal,
        }),
      );
    }
    const notices = cutOff ? [texts.t(locale, 'notice.cut_off')] : [];
    return { kind: 'answer', text: answer, locale, replyMessageId, conversationId: conversation.id, cached: false, notices };
  }

  async #complete(input: {
    user: UserRow;
    persona: PersonaRow;
    preset: ModelPresetRow | null;
    identity: IdentityRow | undefined;
    summarySettings: ConfigRows['summary'];
    preferences: PreferenceEntry[];
    conversationId: string;
    locale: Locale;
    /** UTC date for the system prompt, the one in the turn's cache key. */
    date: string;
    blockedEngines: Engine[];
    options: TurnOptions;
    logIds: Record<string, unknown>;
  }): Promise<CompletionResult> {
    const { db, router } = this.#deps;
    let maxMessages = input.summarySettings.maxMessages;

    // A context-length error is answered by halving the history once and asking again.
    for (let attempt = 0; ; attempt += 1) {
      const history = await this.#promptHistory(input.conversationId, maxMessages, input.summarySettings.maxMessages);
      const messages = buildChatMessages({
        identity: input.identity ?? DEFAULT_IDENTITY,
        persona: input.persona,
        preset: input.preset,
        preferences: input.preferences,
        userName: input.user.display_name,
        locale: input.locale,
        date: input.date,
        summary: history.summary,
        history: history.messages,
      });
      if (this.#log.isLevelEnabled('debug')) {
        const contextRows = (history.summary === null ? 0 : 1) + history.messages.length;
        const promptChars = promptCharacters(messages);
        this.#log.debug({ ...input.logIds, promptChars, contextRows, rowsRead: history.rowsRead }, 'prompt built');
      }

      try {
        return await router.complete({
          purpose: input.persona.preferred_model_purpose ?? (input.persona.requires_uncensored === 1 ? 'uncensored' : 'chat'),
          messages,
          preferredModel: input.preset?.model_name ?? input.user.selected_model,
          allowedProviders: parseProviders(input.persona.allowed_providers),
          access: { ...routerAccessFor(input.user), blockedEngines: input.blockedEngines },
          temperature: input.preset?.temperature,
          maxTokens: input.preset?.max_tokens ?? undefined,
          onText: input.options.onText,
          logContext: input.logIds,
        });
      } catch (error) {
        if (error instanceof ContextLengthError && attempt === 0 && maxMessages > 1) {
          maxMessages = Math.max(1, Math.floor(history.messages.length / 2));
          this.#log.warn({ ...input.logIds, maxMessages }, 'context too long; retrying with a trimmed history');
          continue;
        }
        throw error;
      }
    }
  }

  /**
   * Returns the conversation's summary and newest messages, from the context cache when it has them.
   * A trimmed retry (`maxMessages` below the configured limit) reads the database and is not kept.
   */
  async #promptHistory(conversationId: string, maxMessages: number, configuredMax: number): Promise<PromptHistory> {
    const cached = this.contexts.get(conversationId, maxMessages);
    if (cached) return cached;
    const generation = this.contexts.generation;
    const history = await loadPromptHistory(this.#deps.db, conversationId, { maxMessages });
    if (maxMessages === configuredMax) this.contexts.store(conversationId, history, maxMessages, generation);
    return history;
  }

  async #preset(presetId: number): Promise<ModelPresetRow | null> {
    const preset = await this.#deps.db.selectFrom('model_presets').selectAll().where('id', '=', presetId).executeTakeFirst();
    return preset ?? null;
  }
}

/**
 * Picks the user's active persona, or the default one when it is gone or inactive. A persona
 * that needs local access is only used by someone who has it.
 */
function personaFor(user: UserRow, rows: ConfigRows): PersonaRow {
  const chosen = rows.personas.find((persona) => persona.name === user.active_persona);
  if (chosen && (chosen.requires_uncensored === 0 || routerAccessFor(user).canUseLocal)) return chosen;
  // The rows come ordered default first, then by sort order.
  return rows.personas.find((persona) => persona.requires_uncensored === 0) ?? DEFAULT_PERSONA;
}

/**
 * Returns true for a completion the provider stopped before it was whole: at the length limit
 * (`length`), or because its content filter flagged the text (`content_filter`). Such a reply is
 * stored with a notice and never cached.
 */
function isCutOff(finishReason: unknown): boolean {
  return finishReason === 'length' || finishReason === 'content_filter';
}

function chatKey(platform: Platform, chatId: string): string {
  return `${platform}:${chatId}`;
}

function blockedEnginesFor(limits: Limits, usage: { cloud: number; local: number }): Engine[] {
  const blocked: Engine[] = [];
  if (limits.daily_cloud > 0 && usage.cloud >= limits.daily_cloud) blocked.push('cloud');
  if (limits.daily_local > 0 && usage.local >= limits.daily_local) blocked.push('local');
  return blocked;
}

function parseProviders(json: string): string[] {
  try {
    const value = JSON.parse(json) as unknown;
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  } catch {
    return [];
  }
}

function attemptsOf(error: unknown): AttemptRecord[] {
  if (error instanceof AllModelsFailedError || error instanceof ContextLengthError) return error.attempts;
  if (error instanceof NoModelAvailableError) return [];
  return [];
}

const DEFAULT_IDENTITY = {
  display_name: 'Assistant',
  developer_name: 'the operators of this bot',
  product_family: 'a chat assistant',
  short_intro: '',
  forbid_provider_mention: 0,
};

const DEFAULT_PERSONA: PersonaRow = {
  id: 0,
  name: 'standard',
  display_name: 'Standard',
  mode_type: 'general',
  description: null,
  icon: null,
  is_active: 1,
  is_default: 1,
  sort_order: 0,
  system_prompt: 'You are a helpful assistant. Answer in the language the user writes in.',
  personality_traits: '{}',
  behavior_rules: '{}',
  allowed_providers: '[]',
  requires_uncensored: 0,
  preferred_model_purpose: null,
  preference_override_mode: 'soft',
  example_dialogues: '[]',
  created_at: '',
  updated_at: '',
};
