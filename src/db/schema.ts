import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * Typed view of the SQLite schema built by the migrations in `migrations/`.
 *
 * Stored formats: timestamps are UTC ISO-8601 text (`2026-12-04T19:37:03.000Z`),
 * `usage_date` is `YYYY-MM-DD` (UTC), booleans are integers 0/1 and JSON columns hold
 * JSON text. Use the helpers in `db/values.ts` to convert.
 */
export interface Database {
  system_configs: SystemConfigTable;
  model_configs: ModelConfigTable;
  api_configs: ApiConfigTable;
  theme_configs: ThemeConfigTable;
  persona_configs: PersonaConfigTable;
  image_gen_configs: ImageGenConfigTable;
  ui_text_configs: UiTextConfigTable;
  users: UserTable;
  user_preferences: UserPreferenceTable;
  model_presets: ModelPresetTable;
  conversations: ConversationTable;
  messages: MessageTable;
  conversation_summaries: ConversationSummaryTable;
  answer_cache: AnswerCacheTable;
  usage_counters: UsageCounterTable;
  sessions: SessionTable;
  invites: InviteTable;
  feedback: FeedbackTable;
  ai_identity_config: AiIdentityConfigTable;
  conversation_summary_settings: ConversationSummarySettingsTable;
  platform_updates: PlatformUpdateTable;
}

/** 0 or 1: SQLite has no boolean type. */
export type Bool = number;
/** UTC ISO-8601 timestamp text. */
export type Timestamp = string;
/** JSON text. */
export type Json = string;

export interface SystemConfigTable {
  id: Generated<number>;
  key: string;
  value: string;
  /** `string`, `integer`, `float`, `boolean` or `json`. */
  value_type: string;
  category: string;
  description: string | null;
  is_secret: Bool;
  is_editable: Bool;
  default_value: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  updated_by: string | null;
}

export interface ModelConfigTable {
  id: Generated<number>;
  name: string;
  display_name: string;
  /** Name of an `api_configs` row. */
  provider: string;
  model_id: string;
  /** `chat`, `summary`, `uncensored`, ... */
  purpose: string;
  is_active: Bool;
  is_default: Bool;
  priority: number;
  parameters: Json;
  capabilities: Json;
  description: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ApiConfigTable {
  id: Generated<number>;
  name: string;
  display_name: string;
  base_url: string;
  is_active: Bool;
  /** Seconds. */
  timeout: number;
  /** Requests per minute; 0 means no limit. */
  rate_limit: number;
  retry_count: number;
  settings: Json;
  description: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ThemeConfigTable {
  id: Generated<number>;
  name: string;
  display_name: string;
  is_active: Bool;
  is_default: Bool;
  sort_order: number;
  colors: Json;
  fonts: Json;
  custom_css: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface PersonaConfigTable {
  id: Generated<number>;
  name: string;
  display_name: string;
  mode_type: string;
  description: string | null;
  icon: string | null;
  is_active: Bool;
  is_default: Bool;
  sort_order: number;
  system_prompt: string;
  personality_traits: Json;
  behavior_rules: Json;
  allowed_providers: Json;
  requires_uncensored: Bool;
  preferred_model_purpose: string | null;
  /** `hard` or `soft`. */
  preference_override_mode: string;
  example_dialogues: Json;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ImageGenConfigTable {
  id: Generated<number>;
  name: string;
  display_name: string;
  is_active: Bool;
  is_default: Bool;
  checkpoint: string;
  vae: string | null;
  loras: Json;
  default_params: Json;
  negative_prompt_template: string;
  description: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface UiTextConfigTable {
  id: Generated<number>;
  key: string;
  value: string;
  locale: string;
  category: string;
  description: string | null;
  updated_at: Timestamp;
}

export interface UserTable {
  id: Generated<number>;
  /** `telegram:<id>` or `discord:<id>`. */
  username: string;
  password_hash: ColumnType<string, string | undefined, string>;
  /** `user`, `vip` or `admin`. */
  role: string;
  is_banned: Bool;
  /** A `model_configs.name`, or `auto`. */
  selected_model: string;
  bela_unlocked: Bool;
  active_persona: ColumnType<string, string | undefined, string>;
  limits: Json;
  permissions: Json;
  created_at: Timestamp;
  /** Name shown on the platform; added after the initial schema. */
  display_name: string | null;
  /** Platform @username without the @, lower-cased; added after the initial schema. */
  platform_username: string | null;
  /** Set when the platform reported that the user blocked the bot. */
  blocked_at: Timestamp | null;
  last_seen_at: Timestamp | null;
}

export interface UserPreferenceTable {
  id: Generated<number>;
  user_id: number;
  key: string;
  value: string;
  /** `style`, `behavior`, `personal` or `system`. */
  category: string;
  /** `explicit` or `inferred`. */
  source: string;
  is_active: Bool;
  updated_at: Timestamp;
}

export interface ModelPresetTable {
  id: Generated<number>;
  name: string;
  description: string | null;
  system_prompt_template: string;
  temperature: number;
  max_tokens: number | null;
  model_name: string | null;
  is_global: Bool;
  owner_id: number | null;
}

export interface ConversationTable {
  /** UUID. */
  id: string;
  user_id: number;
  title: string | null;
  preset_id: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** `telegram` or `discord`; added after the initial schema. */
  platform: string | null;
  /** Platform chat or channel id the conversation lives in. */
  chat_id: string | null;
  /** 1 for the user's current conversation in that chat; `/new` clears it. */
  is_active: ColumnType<Bool, Bool | undefined, Bool>;
}

export interface MessageTable {
  id: Generated<number>;
  conversation_id: string;
  /** `user`, `assistant` or `system`. */
  role: string;
  content: string;
  extra_metadata: Json;
  created_at: Timestamp;
}

export interface ConversationSummaryTable {
  conversation_id: string;
  summary: string;
  updated_at: Timestamp;
  message_count_at_update: number;
  last_message_id: number | null;
}

export interface AnswerCacheTable {
  id: Generated<number>;
  user_id: number;
  cache_key: string;
  question: string;
  answer: string;
  /** `cloud` or `local`. */
  engine: string;
  created_at: Timestamp;
  expires_at: Timestamp | null;
}

export interface UsageCounterTable {
  id: Generated<number>;
  user_id: number;
  /** `YYYY-MM-DD`, UTC. */
  usage_date: string;
  groq_count: ColumnType<number, number | undefined, number>;
  local_count: ColumnType<number, number | undefined, number>;
  total_chat_count: ColumnType<number, number | undefined, number>;
  /** Added after the initial schema. */
  image_count: ColumnType<number, number | undefined, number>;
}

export interface SessionTable {
  id: string;
  user_id: number;
  /** `active_session` or `remember_token`. */
  type: string;
  expires_at: Timestamp;
  user_agent: string | null;
  created_at: Timestamp;
}

export interface InviteTable {
  /** 10 uppercase hex characters. */
  code: string;
  created_by: string;
  is_used: Bool;
  used_by: string | null;
  used_at: Timestamp | null;
  created_at: Timestamp;
}

export interface FeedbackTable {
  id: Generated<number>;
  user_id: number;
  conversation_id: string | null;
  message_content: string;
  /** `like` or `dislike`. */
  feedback_type: string;
  created_at: Timestamp;
  /** `messages.id` of the reply voted on; added after the initial schema. */
  message_id: number | null;
}

export interface AiIdentityConfigTable {
  id: number;
  display_name: string;
  developer_name: string;
  product_family: string;
  short_intro: string;
  forbid_provider_mention: Bool;
  updated_at: Timestamp;
}

export interface ConversationSummarySettingsTable {
  id: number;
  summary_enabled: Bool;
  summary_first_threshold: number;
  summary_update_step: number;
  summary_max_messages: number;
  updated_at: Timestamp;
}

/**
 * Platform updates as received, so that an update confirmed to the platform but not yet
 * handled survives a crash and is handled once on the next start.
 */
export interface PlatformUpdateTable {
  id: Generated<number>;
  /** `telegram` or `discord`. */
  platform: string;
  /** Telegram `update_id`, or the Discord message or interaction id. */
  update_key: string;
  /** Chat the update belongs to, so per-chat ordering can be restored on replay. */
  chat_id: string | null;
  payload: Json;
  /** `received`, `handled` or `failed`. */
  status: string;
  received_at: Timestamp;
  handled_at: Timestamp | null;
}

export type UserRow = Selectable<UserTable>;
export type NewUser = Insertable<UserTable>;
export type UserUpdate = Updateable<UserTable>;
export type PersonaRow = Selectable<PersonaConfigTable>;
export type ModelConfigRow = Selectable<ModelConfigTable>;
export type ApiConfigRow = Selectable<ApiConfigTable>;
export type ConversationRow = Selectable<ConversationTable>;
export type MessageRow = Selectable<MessageTable>;
export type ModelPresetRow = Selectable<ModelPresetTable>;
export type SystemConfigRow = Selectable<SystemConfigTable>;
export type IdentityRow = Selectable<AiIdentityConfigTable>;
export type SummarySettingsRow = Selectable<ConversationSummarySettingsTable>;
export type ImageGenConfigRow = Selectable<ImageGenConfigTable>;
export type ThemeConfigRow = Selectable<ThemeConfigTable>;
