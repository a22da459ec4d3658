import { z } from 'zod';

import type { CommandDefinition } from '../types.js';

/**
 * Maximum prompt length in characters. The WebUI accepts longer prompts by splitting them
 * into 75-token chunks, but each chunk weakens the others, and a short cap also keeps the
 * caption within Telegram's 1024 characters in most cases.
 */
export const IMAGINE_PROMPT_MAX_LENGTH = 1000;

// The length is checked in `handle`, so a long prompt gets its own message rather than the usage line.
const imagineOptions = z.object({ prompt: z.string().trim().min(1) });

/**
 * `/imagine PROMPT`: generates an image through the `ImageService`. The reply carries the PNG
 * in `image`, with the caption also in `text`; refusals and failures are text replies.
 */
export const imagineCommand: CommandDefinition<typeof imagineOptions> = {
  name: 'imagine',
  nameTr: 'ciz',
  usage: '/imagine PROMPT',
  progress: 'upload_photo',
  schema: imagineOptions,
  discordOptions: [
    { name: 'prompt', nameTr: 'istem', descriptionKey: 'option.imagine.prompt.description', type: 'string', required: true },
  ],
  parse: (argumentText) => ({ prompt: argumentText }),
  async handle(context) {
    const { prompt } = context.options;
    if (prompt.length > IMAGINE_PROMPT_MAX_LENGTH) {
      return { text: context.t('image.prompt_too_long', { length: prompt.length, max: IMAGINE_PROMPT_MAX_LENGTH }), isError: true };
    }
    const { images, logger } = context.services;
    if (!images) {
      logger.warn({ userId: context.actor.user.id }, '/imagine used but no image service is configured');
      return { text: context.t('image.unavailable'), isError: true };
    }

    const result = await images.imagine({
      actor: context.actor,
      platform: context.platform,
      chatId: context.chatId,
      prompt,
    });
    if (result.kind !== 'image') return { text: result.text, isError: true };

    const { png, caption, followUpText, replyMessageId } = result;
    return {
      text: caption,
      image: { png, caption, replyMessageId, ...(followUpText === undefined ? {} : { followUpText }) },
    };
  },
};
