import type { Kysely } from 'kysely';

import type { Database } from '../db/schema.js';
import { parseJson } from '../db/values.js';

/** A LoRA applied through a `<lora:name:weight>` prompt tag. */
export interface LoraSpec {
  /** LoRA file name without extension, as the image server lists it. */
  name: string;
  weight: number;
}

/** The size and sampling fields of a `txt2img` request. */
export interface Txt2ImgParams {
  width: number;
  height: number;
  steps: number;
  cfg_scale: number;
  sampler_name: string;
  /** -1 lets the server pick a random seed. */
  seed: number;
}

/** The active `image_gen_configs` row, parsed. */
export interface ImageGenSettings {
  name: string;
  checkpoint: string;
  vae: string | null;
  loras: LoraSpec[];
  params: Txt2ImgParams;
  /**
   * Other `default_params` keys (for example `scheduler` or `enable_hr`), sent with the
   * request as they are.
   */
  extraParams: Record<string, unknown>;
  /** Negative prompt; `{prompt}` is replaced by the user's prompt. */
  negativePromptTemplate: string;
}

/** Address and timeout of the image server. */
export interface ImageEndpoint {
  /** Server root without a trailing slash, e.g. `http://127.0.0.1:7860`. */
  baseUrl: string;
  timeoutMs: number;
}

/** Name of the `api_configs` row of the image server. */
export const IMAGE_API_NAME = 'forge';

/** Used when `api_configs.timeout` of the image server is not a positive number of seconds. */
export const FALLBACK_IMAGE_TIMEOUT_SECONDS = 180;

/** Used for a `default_params` field that is missing or has the wrong type. */
export const FALLBACK_TXT2IMG_PARAMS: Readonly<Txt2ImgParams> = {
  width: 1024,
  height: 1024,
  steps: 25,
  cfg_scale: 7,
  sampler_name: 'Euler a',
  seed: -1,
};

/**
 * Loads the image configuration to use: active rows only, `is_default` first, then the
 * lowest id. Returns undefined when no row is active.
 */
export async function loadActiveImageConfig(db: Kysely<Database>): Promise<ImageGenSettings | undefined> {
  const row = await db
    .selectFrom('image_gen_configs')
    .selectAll()
    .where('is_active', '=', 1)
    .orderBy('is_default', 'desc')
    .orderBy('id')
    .executeTakeFirst();
  if (!row) return undefined;

  const raw = parseJson<unknown>(row.default_params, {});
  const defaults = isPlainObject(raw) ? raw : {};
  const { width, height, steps, cfg_scale, sampler_name, seed, ...extraParams } = defaults;

  return {
    name: row.name,
    checkpoint: row.checkpoint,
    vae: row.vae,
    loras: parseLoras(row.loras),
    params: {
      width: positiveNumber(width) ?? FALLBACK_TXT2IMG_PARAMS.width,
      height: positiveNumber(height) ?? FALLBACK_TXT2IMG_PARAMS.height,
      steps: positiveNumber(steps) ?? FALLBACK_TXT2IMG_PARAMS.steps,
      cfg_scale: positiveNumber(cfg_scale) ?? FALLBACK_TXT2IMG_PARAMS.cfg_scale,
      sampler_name: typeof sampler_name === 'string' && sampler_name !== '' ? sampler_name : FALLBACK_TXT2IMG_PARAMS.sampler_name,
      seed: typeof seed === 'number' && Number.isInteger(seed) && seed >= -1 ? seed : FALLBACK_TXT2IMG_PARAMS.seed,
    },
    extraParams,
    negativePromptTemplate: row.negative_prompt_template,
  };
}

/**
 * Loads the image server's address and timeout from its `api_configs` row. `baseUrlOverride`
 * (the `IMAGE_API_BASE_URL` environment variable) replaces the row's `base_url`. Returns
 * undefined when the row is missing or inactive, which turns image generation off.
 */
export async function loadImageEndpoint(db: Kysely<Database>, baseUrlOverride?: string): Promise<ImageEndpoint | undefined> {
  const row = await db
    .selectFrom('api_configs')
    .select(['base_url', 'timeout', 'is_active'])
    .where('name', '=', IMAGE_API_NAME)
    .executeTakeFirst();
  if (!row || row.is_active !== 1) return undefined;

  const seconds = row.timeout > 0 ? row.timeout : FALLBACK_IMAGE_TIMEOUT_SECONDS;
  const baseUrl = (baseUrlOverride ?? row.base_url).replace(/\/+$/, '');
  return { baseUrl, timeoutMs: Math.round(seconds * 1000) };
}

/** Keeps the entries of a hand-edited `loras` column that have a name and a numeric weight. */
function parseLoras(json: string): LoraSpec[] {
  const value = parseJson<unknown>(json, []);
  if (!Array.isArray(value)) return [];
  return value.flatMap((item): LoraSpec[] => {
    if (!isPlainObject(item)) return [];
    const { name, weight } = item;
    if (typeof name !== 'string' || name.trim() === '') return [];
    return [{ name: name.trim(), weight: typeof weight === 'number' && Number.isFinite(weight) ? weight : 1 }];
  });
}

function positiveNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
