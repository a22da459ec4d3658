/**
 * A fake Telegram Bot API server for end-to-end tests, faithful enough that an unchanged
 * grammY bot (long polling through @grammyjs/runner) runs against it:
 *
 * ```ts
 * const telegram = await startFakeTelegram();
 * const bot = new Bot(telegram.token, { client: { apiRoot: telegram.apiRoot } });
 * const runner = run(bot);
 * telegram.sendText({ id: 42, first_name: 'Ada' }, '/start');
 * const [reply] = await telegram.waitForMessages(42, 1);
 * await runner.stop();
 * await telegram.close();
 * ```
 *
 * Tests inject user input (`sendText`, `sendCallback`, `sendUpdate`), read what the bot did
 * (`calls`, `sentMessages`, `drafts`, `chatActions`...) and inject failures (`failNext`,
 * `blockUser`). Validation, error wording and flood limits follow Telegram; see the
 * modules next to this one for each rule.
 */

import type { BotCommand, Update, UserFromGetMe } from 'grammy/types';

import { TelegramApiError, methodNotFound, unauthorized } from './errors.js';
import { listenApiServer, type ApiServer, type IncomingCall } from './http-server.js';
import { DEFAULT_RATE_LIMITS, RateLimiter, type RateLimitOptions } from './limits.js';
import type { MethodContext } from './method-context.js';
import { findMethod } from './methods.js';
import { parseRequestParams } from './request-body.js';
import { FakeState, commandsKey } from './state.js';
import { UpdateQueue } from './update-queue.js';
import { queueCallback, queueRawUpdate, queueText, type SendTextOptions } from './user-input.js';
import type {
  ApiResponse,
  CallbackAnswer,
  ChatActionRecord,
  DraftRecord,
  FakeUser,
  InjectedError,
  RecordedCall,
  SentMessage,
} from './types.js';

export interface FakeTelegramOptions {
  /** Bot token the fake accepts; any other token gets 401. Defaults to one built from the bot id. */
  token?: string;
  /** Overrides fields of the getMe result. */
  botInfo?: Partial<UserFromGetMe>;
  /**
   * Flood limits. `false` turns them off, for throughput benchmarks that measure the bot
   * and not Telegram's pacing; a partial object overrides single defaults.
   */
  limits?: false | Partial<RateLimitOptions>;
  /** Id of the first queued update; Telegram's ids are large, but only their order matters. */
  firstUpdateId?: number;
}

/** How long `waitFor` and `waitForMessages` wait by default, in milliseconds. */
export const DEFAULT_WAIT_TIMEOUT_MS = 5000;

const DEFAULT_BOT_INFO: UserFromGetMe = {
  id: 7_000_000_001,
  is_bot: true,
  first_name: 'Nova',
  username: 'nova_test_bot',
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
  supports_join_request_queries: false,
};

/** Starts a fake Bot API server on an ephemeral port of 127.0.0.1. */
export async function startFakeTelegram(options: FakeTelegramOptions = {}): Promise<FakeTelegram> {
  const botInfo: UserFromGetMe = { ...DEFAULT_BOT_INFO, ...options.botInfo };
  const token = options.token ?? `${botInfo.id}:AAF-fake-telegram-token-for-tests-0`;
  const limiter =
    options.limits === false ? undefined : new RateLimiter({ ...DEFAULT_RATE_LIMITS, ...options.limits });

  const fake = new FakeTelegram(token, botInfo, limiter, options.firstUpdateId);
  await fake.listen();
  return fake;
}

export class FakeTelegram {
  readonly token: string;
  /** The getMe result. */
  readonly botInfo: UserFromGetMe;

  readonly #state = new FakeState();
  readonly #updates: UpdateQueue;
  readonly #limiter: RateLimiter | undefined;
  #server: ApiServer | undefined;

  /** Use `startFakeTelegram`, which also starts the HTTP server. */
  constructor(token: string, botInfo: UserFromGetMe, limiter: RateLimiter | undefined, firstUpdateId?: number) {
    this.token = token;
    this.botInfo = botInfo;
    this.#limiter = limiter;
    this.#updates = new UpdateQueue(firstUpdateId, () => this.#state.notifyChange());
  }

  /** `http://127.0.0.1:<port>`, to pass as grammY's `client.apiRoot`. */
  get apiRoot(): string {
    if (this.#server === undefined) {
      throw new Error('FakeTelegram is not listening: create it with startFakeTelegram()');
    }
    return this.#server.origin;
  }

  async listen(): Promise<void> {
    this.#server ??= await listenApiServer((call) => this.#dispatch(call));
  }

  /** Releases a held getUpdates with no updates, then stops the server and drops its connections. */
  async close(): Promise<void> {
    this.#updates.close();
    const server = this.#server;
    this.#server = undefined;
    await server?.close();
  }

  // --- User input -------------------------------------------------------------------------

  /**
   * Queues a private-chat `message` update from `from` (chat id = user id). A text starting
   * with a command gets its `bot_command` entity. Returns the update with its id.
   */
  sendText(from: FakeUser, text: string, options?: SendTextOptions): Update {
    return queueText(this.#inputDeps(), from, text, options);
  }

  /** Queues a `callback_query` update for an inline button under bot message `messageId`. */
  sendCallback(from: FakeUser, messageId: number, data: string): Update {
    return queueCallback(this.#inputDeps(), from, messageId, data);
  }

  /**
   * Queues any other update (a photo, a sticker, an edited message...). Message objects
   * without `message_id` or `date` get them filled in, and their chats become known.
   */
  sendUpdate(update: Record<string, unknown>): Update {
    return queueRawUpdate(this.#inputDeps(), update);
  }

  /**
   * True while a getUpdates call is held open, i.e. the bot is long polling and idle.
   * `await fake.waitFor((f) => f.isPolling())` waits until a started bot is ready.
   */
  isPolling(): boolean {
    return this.#updates.isHolding();
  }

  /** Updates queued and not yet confirmed by a getUpdates offset, oldest first. */
  pendingUpdates(): readonly Update[] {
    return this.#updates.pending();
  }

  // --- Failure injection ------------------------------------------------------------------

  /** Makes the next `times` calls of `method` fail with `error` before any other check. */
  failNext(method: string, error: InjectedError, times = 1): void {
    this.#state.failNext(method, error, times);
  }

  /** Makes every call that targets `chatId` fail with 403 "bot was blocked by the user". */
  blockUser(chatId: number): void {
    this.#state.setBlocked(chatId, true);
  }

  unblockUser(chatId: number): void {
    this.#state.setBlocked(chatId, false);
  }

  // --- Recorded state ---------------------------------------------------------------------

  /** Returns every call so far in the order of the replies. `method` matches case-insensitively. */
  calls(method?: string): RecordedCall[] {
    if (method === undefined) {
      return [...this.#state.calls];
    }
    const wanted = method.toLowerCase();
    return this.#state.calls.filter((call) => call.method.toLowerCase() === wanted);
  }

  /** Current state of the bot's messages that were not deleted, in the order they were sent. */
  sentMessages(chatId?: number): SentMessage[] {
    return this.#state.sentMessages(chatId);
  }

  /** Accepted drafts in arrival order. */
  drafts(chatId?: number): DraftRecord[] {
    return this.#state.drafts.filter((draft) => chatId === undefined || draft.chat_id === chatId);
  }

  /** Accepted chat actions in arrival order. */
  chatActions(chatId?: number): ChatActionRecord[] {
    return this.#state.chatActions.filter((action) => chatId === undefined || action.chat_id === chatId);
  }

  callbackAnswers(): CallbackAnswer[] {
    return [...this.#state.callbackAnswers];
  }

  /** Commands set for one scope (default: `{ type: 'default' }`) and language (default: none). */
  commands(scope: Record<string, unknown> = { type: 'default' }, languageCode = ''): BotCommand[] {
    return this.#state.commands.get(commandsKey(scope, languageCode))?.commands ?? [];
  }

  // --- Waiting ----------------------------------------------------------------------------

  /**
   * Resolves with the first truthy value `predicate` returns. The predicate runs now and
   * after every change (a call replied to, an update queued). Rejects after `timeoutMs` with
   * the last calls in the message, or as soon as `predicate` throws.
   */
  waitFor<T>(predicate: (fake: FakeTelegram) => T, timeoutMs = DEFAULT_WAIT_TIMEOUT_MS): Promise<NonNullable<T>> {
    return new Promise((resolve, reject) => {
      let settled = false;
      let unsubscribe = (): void => {};
      let timer: NodeJS.Timeout | undefined;

      const finish = (): void => {
        settled = true;
        unsubscribe();
        clearTimeout(timer);
      };
      const check = (): void => {
        if (settled) {
          return;
        }
        try {
          const value = predicate(this);
          if (value !== undefined && value !== null && value !== false) {
            finish();
            resolve(value as NonNullable<T>);
          }
        } catch (error) {
          finish();
          reject(error as Error);
        }
      };

      check();
      if (settled) {
        return;
      }
      unsubscribe = this.#state.onChange(check);
      timer = setTimeout(() => {
        finish();
        reject(new Error(`waitFor timed out after ${timeoutMs} ms; ${this.#describeRecentCalls()}`));
      }, timeoutMs);
    });
  }

  /** Resolves with the chat's messages once the bot has at least `count` of them there. */
  async waitForMessages(
    chatId: number,
    count: number,
    timeoutMs = DEFAULT_WAIT_TIMEOUT_MS,
  ): Promise<SentMessage[]> {
    try {
      return await this.waitFor((fake) => {
        const messages = fake.sentMessages(chatId);
        return messages.length >= count ? messages : undefined;
      }, timeoutMs);
    } catch (error) {
      const found = this.sentMessages(chatId).length;
      throw new Error(
        `waitForMessages: chat ${chatId} has ${found} of ${count} expected messages. ${(error as Error).message}`,
      );
    }
  }

  // --- Request handling -------------------------------------------------------------------

  async #dispatch(call: IncomingCall): Promise<ApiResponse> {
    const at = Date.now();
    let params: Record<string, unknown> = {};
    let response: ApiResponse;

    try {
      const parsed = parseRequestParams(call.url, call.contentType, call.body);
      params = parsed.params;

      if (call.token !== this.token) {
        throw unauthorized();
      }
      const handler = findMethod(call.method);
      if (handler === undefined) {
        throw methodNotFound();
      }
      const injected = this.#state.takeFailure(call.method);
      if (injected !== undefined) {
        throw toApiError(injected);
      }

      const context: MethodContext = {
        state: this.#state,
        updates: this.#updates,
        limiter: this.#limiter,
        botInfo: this.botInfo,
        files: parsed.files,
        signal: call.signal,
        now: at,
      };
      response = { ok: true, result: await handler(params, context) };
    } catch (error) {
      response =
        error instanceof TelegramApiError
          ? errorResponse(error)
          : // A fault of the fake itself reaches the bot as a server error that names the cause.
            { ok: false, error_code: 500, description: `Internal Server Error: ${(error as Error).message}` };
    }

    this.#state.calls.push({ method: call.method, params, at, response });
    this.#state.notifyChange();
    return response;
  }

  #inputDeps() {
    return { state: this.#state, updates: this.#updates, botInfo: this.botInfo };
  }

  #describeRecentCalls(): string {
    const recent = this.#state.calls.filter((call) => call.method.toLowerCase() !== 'getupdates').slice(-5);
    if (recent.length === 0) {
      return 'the bot made no calls other than getUpdates';
    }
    const lines = recent.map((call) => {
      const outcome = call.response.ok ? 'ok' : `${call.response.error_code} ${call.response.description}`;
      return `${call.method} ${JSON.stringify(call.params).slice(0, 120)} -> ${outcome}`;
    });
    return `last calls: ${lines.join('; ')}`;
  }
}

function toApiError(injected: InjectedError): TelegramApiError {
  const parameters = injected.retry_after === undefined ? undefined : { retry_after: injected.retry_after };
  return new TelegramApiError(injected.error_code, injected.description, parameters);
}

function errorResponse(error: TelegramApiError): ApiResponse {
  const response: ApiResponse = {
    ok: false,
    error_code: error.errorCode,
    description: error.description,
  };
  if (error.parameters !== undefined) {
    response.parameters = error.parameters;
  }
  return response;
}
