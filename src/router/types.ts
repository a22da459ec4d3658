/** Contracts between the conversation engine and the model router. */

export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

/** `cloud` for hosted providers such as Groq, `local` for the Ollama model. */
export type Engine = 'cloud' | 'local';

/** What the router needs to know about the caller to decide which models it may use. */
export interface RouterAccess {
  /** True with `bela_unlocked`, `permissions.can_use_local_chat` or the admin role. */
  canUseLocal: boolean;
  /** 0 unrestricted, 1 normal, 2 strict: level 2 never routes to the local model on its own. */
  censorshipLevel: 0 | 1 | 2;
  /** Engines whose daily limit the caller has reached; their models are skipped. */
  blockedEngines?: Engine[];
}

export interface CompletionRequest {
  /** Model purpose to route by: `chat`, `summary`, `uncensored`, ... */
  purpose: string;
  messages: ChatMessage[];
  /**
   * A `model_configs.name` chosen explicitly (preset model or the user's `/model`), tried
   * first whatever its purpose when the caller may use it; `auto` or undefined for none.
   */
  preferredModel?: string;
  /** Persona's `allowed_providers`; empty or undefined allows every provider. */
  allowedProviders?: string[];
  access: RouterAccess;
  temperature?: number;
  maxTokens?: number;
  /** Called with the visible text so far (reasoning blocks removed) while a stream arrives. */
  onText?: (textSoFar: string) => void;
  signal?: AbortSignal;
  /** Ids carried into log lines. */
  logContext?: Record<string, unknown>;
  /**
   * True for work that no user waits for, such as a summary. It may use only half of each
   * provider's `api_configs.rate_limit` (rounded up), so chat turns keep the rest.
   */
  background?: boolean;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/** One try of one model, kept so a failed turn can say what was tried. */
export interface AttemptRecord {
  model: string;
  provider: string;
  ok: boolean;
  /** `rate_limited`, `server_error`, `timeout`, `network`, `bad_request`, ... when not ok. */
  errorKind?: string;
  status?: number;
  message?: string;
  latencyMs: number;
}

export interface CompletionResult {
  text: string;
  /** `model_configs.name` of the model that answered. */
  model: string;
  /** Provider's model id, e.g. `llama-3.3-70b-versatile`. */
  modelId: string;
  /** `api_configs.name`, e.g. `groq`. */
  provider: string;
  engine: Engine;
  /** Milliseconds from the call to the answer, retries and fallbacks included. */
  latencyMs: number;
  usage: TokenUsage | null;
  /** `stop`, `length`, ... as the provider sent it, or null when the stream ended without one. */
  finishReason: string | null;
  attempts: AttemptRecord[];
}

export interface ModelRouter {
  complete(request: CompletionRequest): Promise<CompletionResult>;
}
