import type { ImageGenSettings } from './image-config.js';
import { STRICT_NEGATIVE_PROMPT } from './prompt-safety.js';

/**
 * Body of `POST /sdapi/v1/txt2img` on AUTOMATIC1111 Stable Diffusion WebUI and Forge. The
 * field names are the parameters of `StableDiffusionProcessingTxt2Img`, which the WebUI's
 * `modules/api/models.py` turns into the request model.
 */
export interface Txt2ImgRequest {
  prompt: string;
  negative_prompt: string;
  width: number;
  height: number;
  steps: number;
  cfg_scale: number;
  sampler_name: string;
  seed: number;
  /** Options applied for this request only: the checkpoint and VAE to load. */
  override_settings: { sd_model_checkpoint: string; sd_vae?: string };
  /** True so the server goes back to its own checkpoint after the request. */
  override_settings_restore_afterwards: boolean;
  [extra: string]: unknown;
}

/**
 * Extra-network tags such as `<lora:name:1>` or `<hypernet:name:1>`. They are removed from
 * what users type, because they would load any LoRA or network file on the server.
 */
const EXTRA_NETWORK_TAG = /<\s*[a-z_]+\s*:[^<>]*>/gi;

/**
 * Builds the `txt2img` body: the user's prompt with the configuration's LoRA tags appended,
 * the negative prompt template with `{prompt}` filled in (plus the strict negative prompt in
 * strict mode), the default parameters, and the checkpoint and VAE as override settings.
 */
export function buildTxt2ImgRequest(config: ImageGenSettings, userPrompt: string, options: { strict?: boolean } = {}): Txt2ImgRequest {
  const prompt = cleanUserPrompt(userPrompt);
  const loraTags = config.loras.map((lora) => `<lora:${lora.name}:${lora.weight}>`);

  const negativeParts = [config.negativePromptTemplate.replaceAll('{prompt}', prompt).trim()];
  if (options.strict) negativeParts.push(STRICT_NEGATIVE_PROMPT);

  const overrideSettings: Txt2ImgRequest['override_settings'] = { sd_model_checkpoint: config.checkpoint };
  if (config.vae) overrideSettings.sd_vae = config.vae;

  return {
    ...config.extraParams,
    prompt: [prompt, ...loraTags].join(' '),
    negative_prompt: negativeParts.filter((part) => part !== '').join(', '),
    ...config.params,
    override_settings: overrideSettings,
    override_settings_restore_afterwards: true,
  };
}

/** Removes extra-network tags and collapses white space. */
export function cleanUserPrompt(prompt: string): string {
  return prompt.replace(EXTRA_NETWORK_TAG, ' ').replace(/\s+/g, ' ').trim();
}
