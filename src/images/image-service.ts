import type { Kysely } from 'kysely';
import type { Logger } from 'pino';

import type { Database } from '../db/schema.js';
import { utcDate } from '../db/values.js';
import type { Actor } from '../engine/actor.js';
import { appendMessage, findActiveConversation, startConversation, titleFrom } from '../engine/conversations.js';
import { escapeMarkdown } from '../engine/markdown-escape.js';
import { effectiveLimits, parsePermissions } from '../engine/permissions.js';
import type { SystemSettings } from '../engine/settings.js';
import type { Platform } from '../engine/types.js';
import { countGeneratedImage, readDailyUsage } from '../engine/usage.js';
import type { TextCatalog } from '../i18n/texts.js';
import { splitCaption } from './caption.js';
import { ImageGenerationError } from './errors.js';
import { loadActiveImageConfig, loadImageEndpoint } from './image-config.js';
import { findBlockedWord } from './prompt-safety.js';
import { generateImage, type GeneratedImage } from './txt2img-client.js';
import { buildTxt2ImgRequest } from './txt2img-request.js';

/** Result of `/imagine`, ready for an adapter to send. Texts are Markdown. */
export type ImagineResult =
  | { kind: 'image'; png: Buffer; caption: string; followUpText?: string; replyMessageId: number }
  /** Refused before any request to the image server; nothing was stored or counted. */
  | { kind: 'refused'; text: string }
  /**
   * The image server failed or is turned off. When a request was sent, the prompt and an
   * assistant row with status `failed` are stored, and `replyMessageId` is that row.
   */
  | { kind: 'failed'; text: string; replyMessageId?: number };

export interface ImagineRequest {
  actor: Actor;
  platform: Platform;
  /** Chat whose active conversation receives the prompt and the image reply. */
  chatId: string;
  prompt: string;
}

export interface ImageServiceOptions {
  db: Kysely<Database>;
  settings: SystemSettings;
  texts: TextCatalog;
  logger: Logger;
  /** `IMAGE_API_BASE_URL`; replaces `base_url` of the `forge` row when set. */
  baseUrlOverride?: string;
  /**
   * Runs a task in the chat's queue (`ConversationEngine.runInChat`), so storing the prompt
   * cannot interleave with a chat turn of the same chat. Runs the task directly when unset.
   */
  runInChat?: <T>(platform: Platform, chatId: string, task: () => Promise<T>) => Promise<T>;
  fetch?: typeof fetch;
  now?: () => Date;
}

/**
 * `/imagine` without the platform: the permission, daily limit and strict-mode checks, the
 * `txt2img` call, the image count and the stored conversation rows. One user gets one image
 * at a time, which also keeps two parallel requests from both passing the daily limit check.
 */
export class ImageService {
  readonly #options: ImageServiceOptions;
  readonly #log: Logger;
  /** Ids of users with an image request in progress. */
  readonly #inProgress = new Set<number>();

  constructor(options: ImageServiceOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'images' });
  }

  /**
   * Generates one image for `request.prompt`. Failures of the image server become a `failed`
   * result; database errors still throw.
   */
  async imagine(request: ImagineRequest): Promise<ImagineResult> {
    const { db, settings, texts } = this.#options;
    const { user, locale } = request.actor;
    const t = (key: string, variables?: Record<string, string | number>) => texts.t(locale, key, variables);
    const refuse = (key: string, variables?: Record<string, string | number>): ImagineResult => {
      this.#log.info({ userId: user.id, reason: key }, 'image request refused');
      return { kind: 'refused', text: t(key, variables) };
    };

    const permissions = parsePermissions(user.permissions);
    if (!permissions.canUseImage) return refuse('refusal.image_not_allowed');

    const today = utcDate(this.#now());
    const limit = effectiveLimits(user, settings).daily_image;
    if (limit > 0 && (await readDailyUsage(db, user.id, today)).image >= limit) {
      return refuse('refusal.limit_daily_image', { limit });
    }

    const strict = permissions.censorshipLevel === 2;
    if (strict && findBlockedWord(request.prompt) !== undefined) return refuse('refusal.image_prompt_blocked');

    const config = await loadActiveImageConfig(db);
    const endpoint = await loadImageEndpoint(db, this.#options.baseUrlOverride);
    if (!config || !endpoint) {
      this.#log.warn({ userId: user.id, hasConfig: config !== undefined, hasEndpoint: endpoint !== undefined }, 'image generation is turned off: no active image_gen_configs row or forge api_configs row');
      return { kind: 'failed', text: t('image.unavailable') };
    }

    if (this.#inProgress.has(user.id)) return refuse('refusal.image_in_progress');
    this.#inProgress.add(user.id);
    try {
      const conversationId = await this.#storePrompt(request);
      const txt2img = buildTxt2ImgRequest(config, request.prompt, { strict });
      const logIds = { userId: user.id, conversationId, imageConfig: config.name };
      const baseMetadata = {
        kind: 'image',
        image_config: config.name,
        checkpoint: config.checkpoint,
        width: txt2img.width,
        height: txt2img.height,
        steps: txt2img.steps,
        locale,
      };

      const started = this.#now().getTime();
      let image: GeneratedImage;
      try {
        image = await generateImage(endpoint, txt2img, this.#options.fetch);
      } catch (error) {
        const latencyMs = this.#now().getTime() - started;
        const kind = error instanceof ImageGenerationError ? error.kind : 'unexpected';
        this.#log.error({ ...logIds, err: error, failure: kind, latencyMs }, 'image generation failed');
        const replyMessageId = await appendMessage(db, conversationId, 'assistant', '', {
          ...baseMetadata,
          status: 'failed',
          error: kind,
          seed: txt2img.seed,
          latency_ms: latencyMs,
        });
        return { kind: 'failed', text: t(kind === 'timeout' ? 'error.image_timeout' : 'error.image_failed'), replyMessageId };
      }

      const latencyMs = this.#now().getTime() - started;
      const text = t('image.caption', { prompt: escapeMarkdown(request.prompt.trim()) });
      // The image and its count are written in one commit, so a refund finds what was counted.
      const replyMessageId = await db.transaction().execute(async (trx) => {
        await countGeneratedImage(trx, user.id, today);
        return appendMessage(trx, conversationId, 'assistant', text, {
          ...baseMetadata,
          status: 'complete',
          seed: image.seed,
          latency_ms: latencyMs,
          usage_date: today,
        });
      });
      this.#log.info({ ...logIds, replyMessageId, seed: image.seed, latencyMs, bytes: image.png.length }, 'image generated');

      return { kind: 'image', png: image.png, ...splitCaption(text), replyMessageId };
    } finally {
      this.#inProgress.delete(user.id);
    }
  }

  /**
   * Stores the prompt as a user message `/imagine PROMPT` in the chat's active conversation,
   * starting one when there is none, and returns the conversation id.
   */
  async #storePrompt(request: ImagineRequest): Promise<string> {
    const { db } = this.#options;
    const ref = { userId: request.actor.user.id, platform: request.platform, chatId: request.chatId };
    const run = this.#options.runInChat ?? ((_platform, _chatId, task) => task());

    return run(request.platform, request.chatId, async () => {
      const prompt = request.prompt.trim();
      const conversation = (await findActiveConversation(db, ref)) ?? (await startConversation(db, ref, { title: titleFrom(prompt) }));
      await appendMessage(db, conversation.id, 'user', `/imagine ${prompt}`, {
        kind: 'image_prompt',
        platform: request.platform,
        locale: request.actor.locale,
      });
      return conversation.id;
    });
  }

  #now(): Date {
    return this.#options.now ? this.#options.now() : new Date();
  }
}
