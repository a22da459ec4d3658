import type { Kysely } from 'kysely';
import type pino from 'pino';
import { z } from 'zod';

import type { ApiConfigRow, Database, ModelConfigRow } from '../db/schema.js';
import { fromBool, parseJson } from '../db/values.js';
import type { Engine } from './types.js';

/** One backend from `api_configs`, with its key and base URL resolved. */
export interface ProviderConfig {
  /** `api_configs.name`, e.g. `groq`. */
  name: string;
  baseUrl: string;
  timeoutMs: number;
  /** How often a rate-limited (429) request is retried on the same model. */
  retryCount: number;
  /** Requests per minute sent to this provider; 0 means no limit. */
  rateLimitPerMinute: number;
  /** Secret: never log it. */
  apiKey: string;
  engine: Engine;
}

/** Request parameters from `model_configs.parameters` that the router sends with each call. */
export interface ModelParameters {
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  frequency_penalty?: number;
  presence_penalty?: number;
  stop?: string | string[];
  seed?: number;
}

/** An active model whose provider is usable. */
export interface ModelEntry {
  /** `model_configs.name`, the id users and presets refer to. */
  name: string;
  displayName: string;
  provider: string;
  /** The provider's model id, e.g. `llama-3.3-70b-versatile`. */
  modelId: string;
  purpose: string;
  isDefault: boolean;
  priority: number;
  parameters: ModelParameters;
  /** `streaming`, `vision`, ...; a missing key means the capability is not declared. */
  capabilities: Record<string, boolean>;
  engine: Engine;
  api: ProviderConfig;
}

export interface DisabledProvider {
  name: string;
  reason: string;
}

export interface ModelCatalog {
  models: ModelEntry[];
  /** Active providers left out, e.g. for a missing required API key. */
  disabledProviders: DisabledProvider[];
}

export interface CatalogOptions {
  /** Environment variables; API keys are read only from here. */
  env: Record<string, string | undefined>;
  /** Base URL per `api_configs.name`, replacing the row's `base_url` when set and not empty. */
  baseUrlOverrides?: Record<string, string | undefined>;
  logger: pino.Logger;
}

/**
 * Key the `openai` client gets for a provider that needs none and has no default configured.
 * The client refuses to start without some credential, and such a server ignores the header.
 */
const PLACEHOLDER_API_KEY = 'not-needed';

/** Used when a row's `timeout` is not a positive number of seconds. */
const FALLBACK_TIMEOUT_SECONDS = 60;

/** Keys of `api_configs.settings` that the router reads; other keys are left to other readers. */
const providerSettingsSchema = z.object({
  engine: z.enum(['cloud', 'local']).optional(),
  api_key_env: z.string().optional(),
  default_api_key: z.string().optional(),
  requires_api_key: z.boolean().optional(),
});

const modelParametersSchema = z.object({
  temperature: z.number().optional(),
  top_p: z.number().optional(),
  max_tokens: z.number().int().positive().optional(),
  frequency_penalty: z.number().optional(),
  presence_penalty: z.number().optional(),
  stop: z.union([z.string(), z.array(z.string())]).optional(),
  seed: z.number().int().optional(),
});

const capabilitiesSchema = z.record(z.string(), z.boolean());

/** Reads the active `model_configs` and `api_configs` rows and builds the catalog from them. */
export async function loadCatalog(db: Kysely<Database>, options: CatalogOptions): Promise<ModelCatalog> {
  const modelRows = await db.selectFrom('model_configs').selectAll().where('is_active', '=', 1).execute();
  const apiRows = await db.selectFrom('api_configs').selectAll().where('is_active', '=', 1).execute();
  return buildCatalog(modelRows, apiRows, options);
}

/**
 * Turns rows into typed entries. Inactive rows are skipped. A provider whose key is required
 * (`settings.requires_api_key`) but whose `settings.api_key_env` variable is unset or empty is
 * disabled with one warning, and so are its models. A model naming a missing or inactive
 * provider is skipped with a warning.
 */
export function buildCatalog(
  modelRows: readonly ModelConfigRow[],
  apiRows: readonly ApiConfigRow[],
  options: CatalogOptions,
): ModelCatalog {
  const providers = new Map<string, ProviderConfig>();
  const disabledProviders: DisabledProvider[] = [];

  for (const row of apiRows) {
    if (!fromBool(row.is_active)) continue;
    const resolved = resolveProvider(row, options);
    if ('reason' in resolved) {
      disabledProviders.push(resolved);
      options.logger.warn({ provider: row.name, reason: resolved.reason }, 'provider disabled');
    } else {
      providers.set(row.name, resolved);
    }
  }

  const disabledNames = new Set(disabledProviders.map((provider) => provider.name));
  const models: ModelEntry[] = [];
  for (const row of modelRows) {
    if (!fromBool(row.is_active)) continue;
    const provider = providers.get(row.provider);
    if (provider === undefined) {
      // Models of a disabled provider were already explained by the provider's warning.
      if (!disabledNames.has(row.provider)) {
        options.logger.warn(
          { model: row.name, provider: row.provider },
          'model skipped: its provider has no active api_configs row',
        );
      }
      continue;
    }
    models.push(toModelEntry(row, provider, options.logger));
  }

  return { models, disabledProviders };
}

/** True when at least one model of purpose `chat` is usable, the condition for starting the bot. */
export function hasUsableChatModel(catalog: ModelCatalog): boolean {
  return catalog.models.some((model) => model.purpose === 'chat');
}

function resolveProvider(row: ApiConfigRow, options: CatalogOptions): ProviderConfig | DisabledProvider {
  const parsed = providerSettingsSchema.safeParse(parseJson<unknown>(row.settings, {}));
  if (!parsed.success) {
    return { name: row.name, reason: `invalid api_configs.settings: ${z.prettifyError(parsed.error)}` };
  }
  const settings = parsed.data;

  const keyFromEnv = settings.api_key_env === undefined ? undefined : options.env[settings.api_key_env];
  let apiKey: string;
  if (keyFromEnv !== undefined && keyFromEnv !== '') {
    apiKey = keyFromEnv;
  } else if (settings.requires_api_key === true) {
    const variable = settings.api_key_env ?? '(no api_key_env in settings)';
    return { name: row.name, reason: `API key missing: set the environment variable ${variable}` };
  } else {
    apiKey = settings.default_api_key ?? PLACEHOLDER_API_KEY;
  }

  const override = options.baseUrlOverrides?.[row.name];
  const baseUrl = override !== undefined && override !== '' ? override : row.base_url;

  let timeoutSeconds = row.timeout;
  if (!(timeoutSeconds > 0)) {
    options.logger.warn(
      { provider: row.name, timeout: row.timeout, fallbackSeconds: FALLBACK_TIMEOUT_SECONDS },
      'api_configs.timeout is not a positive number of seconds; using the fallback',
    );
    timeoutSeconds = FALLBACK_TIMEOUT_SECONDS;
  }

  return {
    name: row.name,
    baseUrl,
    timeoutMs: Math.round(timeoutSeconds * 1000),
    retryCount: Math.max(0, Math.trunc(row.retry_count)),
    rateLimitPerMinute: Math.max(0, Math.trunc(row.rate_limit)),
    apiKey,
    // NOTE: a row without settings.engine counts as cloud, so only rows marked `local` are
    // gated by local access.
    engine: settings.engine ?? 'cloud',
  };
}

function toModelEntry(row: ModelConfigRow, provider: ProviderConfig, logger: pino.Logger): ModelEntry {
  const parameters = modelParametersSchema.safeParse(parseJson<unknown>(row.parameters, {}));
  if (!parameters.success) {
    logger.warn(
      { model: row.name, provider: row.provider, problem: z.prettifyError(parameters.error) },
      'invalid model_configs.parameters; sending none',
    );
  }
  const capabilities = capabilitiesSchema.safeParse(parseJson<unknown>(row.capabilities, {}));
  if (!capabilities.success) {
    logger.warn(
      { model: row.name, provider: row.provider, problem: z.prettifyError(capabilities.error) },
      'invalid model_configs.capabilities; assuming defaults',
    );
  }

  return {
    name: row.name,
    displayName: row.display_name,
    provider: row.provider,
    modelId: row.model_id,
    purpose: row.purpose,
    isDefault: fromBool(row.is_default),
    priority: row.priority,
    parameters: parameters.success ? parameters.data : {},
    capabilities: capabilities.success ? capabilities.data : {},
    engine: provider.engine,
    api: provider,
  };
}
