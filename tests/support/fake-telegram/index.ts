/** Entry point of the fake Telegram Bot API server for tests. */

export { DEFAULT_WAIT_TIMEOUT_MS, FakeTelegram, startFakeTelegram, type FakeTelegramOptions } from './fake-telegram.js';
export { DEFAULT_RATE_LIMITS, type RateLimitOptions } from './limits.js';
export { MAX_CAPTION_LENGTH, MAX_MESSAGE_TEXT_LENGTH } from './formatting.js';
export type { SendTextOptions } from './user-input.js';
export type {
  ApiResponse,
  CallbackAnswer,
  ChatActionRecord,
  DraftRecord,
  FakeUser,
  InjectedError,
  MessageContent,
  RecordedCall,
  SentMessage,
  SentPhoto,
} from './types.js';
