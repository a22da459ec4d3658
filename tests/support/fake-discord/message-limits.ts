import { ButtonStyle, ComponentType, MessageFlags } from 'discord.js';
import type { FieldError } from './errors.js';

/** Maximum `content` length of a message (Discord API reference, Create Message). */
export const MESSAGE_CONTENT_MAX_LENGTH = 2000;

/** Embed limits from Discord's API reference (Message resource, "Embed Limits"). */
export const EMBED_LIMITS = {
  perMessage: 10,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footerText: 2048,
  authorName: 256,
  totalCharacters: 6000,
} as const;

/** Maximum number of top-level action rows on a message that does not use components v2. */
export const ACTION_ROWS_MAX = 5;

/** Maximum length of a component's `custom_id`. */
export const CUSTOM_ID_MAX_LENGTH = 100;

/** Maximum length of a button's `label` (Discord components reference, Button Structure). */
export const BUTTON_LABEL_MAX_LENGTH = 80;

/**
 * Button styles from Discord's components reference (Button Styles): Primary 1, Secondary 2,
 * Success 3 and Danger 4 require a `custom_id`, and 5 is Link and 6 Premium.
 */
const BUTTON_STYLES_WITH_CUSTOM_ID = [ButtonStyle.Primary, ButtonStyle.Secondary, ButtonStyle.Success, ButtonStyle.Danger];
const BUTTON_STYLES = [...BUTTON_STYLES_WITH_CUSTOM_ID, ButtonStyle.Link, ButtonStyle.Premium];

/** The parts of a create or edit message body that the fake checks and stores. */
export interface MessageBody {
  content?: string | null;
  embeds?: unknown[] | null;
  components?: unknown[] | null;
  flags?: number | null;
  sticker_ids?: unknown[] | null;
  poll?: unknown;
  attachments?: unknown[] | null;
}

// NOTE: lengths are counted in Unicode code points. Discord does not document whether it counts
// code points or UTF-16 units; a string of astral characters (emoji) is where the two differ.
function textLength(text: string): number {
  return [...text].length;
}

function maxLength(path: Array<string | number>, value: unknown, limit: number): FieldError[] {
  if (typeof value !== 'string' || textLength(value) <= limit) {
    return [];
  }
  return [{ path, code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${limit} or fewer in length.` }];
}

function validateEmbeds(embeds: unknown[]): FieldError[] {
  const errors: FieldError[] = [];

  if (embeds.length > EMBED_LIMITS.perMessage) {
    errors.push({
      path: ['embeds'],
      code: 'BASE_TYPE_MAX_LENGTH',
      message: `Must be ${EMBED_LIMITS.perMessage} or fewer in length.`,
    });
  }

  let total = 0;
  embeds.forEach((raw, index) => {
    const embed = (raw ?? {}) as Record<string, any>;
    const fields: unknown[] = Array.isArray(embed.fields) ? embed.fields : [];

    errors.push(...maxLength(['embeds', index, 'title'], embed.title, EMBED_LIMITS.title));
    errors.push(...maxLength(['embeds', index, 'description'], embed.description, EMBED_LIMITS.description));
    errors.push(...maxLength(['embeds', index, 'footer', 'text'], embed.footer?.text, EMBED_LIMITS.footerText));
    errors.push(...maxLength(['embeds', index, 'author', 'name'], embed.author?.name, EMBED_LIMITS.authorName));
    if (fields.length > EMBED_LIMITS.fields) {
      errors.push({
        path: ['embeds', index, 'fields'],
        code: 'BASE_TYPE_MAX_LENGTH',
        message: `Must be ${EMBED_LIMITS.fields} or fewer in length.`,
      });
    }
    fields.forEach((rawField, fieldIndex) => {
      const field = (rawField ?? {}) as Record<string, unknown>;
      errors.push(...maxLength(['embeds', index, 'fields', fieldIndex, 'name'], field.name, EMBED_LIMITS.fieldName));
      errors.push(
        ...maxLength(['embeds', index, 'fields', fieldIndex, 'value'], field.value, EMBED_LIMITS.fieldValue),
      );
      total += textLength(String(field.name ?? '')) + textLength(String(field.value ?? ''));
    });

    for (const text of [embed.title, embed.description, embed.footer?.text, embed.author?.name]) {
      total += typeof text === 'string' ? textLength(text) : 0;
    }
  });

  if (total > EMBED_LIMITS.totalCharacters) {
    errors.push({
      path: ['embeds'],
      code: 'MAX_EMBED_SIZE_EXCEEDED',
      message: `Embed size exceeds maximum size of ${EMBED_LIMITS.totalCharacters}`,
    });
  }
  return errors;
}

function validateComponents(components: unknown[], flags: number): FieldError[] {
  const errors: FieldError[] = [];
  const usesComponentsV2 = (flags & MessageFlags.IsComponentsV2) !== 0;

  if (!usesComponentsV2 && components.length > ACTION_ROWS_MAX) {
    errors.push({
      path: ['components'],
      code: 'BASE_TYPE_MAX_LENGTH',
      message: `Must be ${ACTION_ROWS_MAX} or fewer in length.`,
    });
  }

  const customIds = new Set<string>();
  components.forEach((rawRow, rowIndex) => {
    const row = (rawRow ?? {}) as { components?: unknown[] };
    (row.components ?? []).forEach((rawChild, childIndex) => {
      const child = (rawChild ?? {}) as { type?: unknown; custom_id?: unknown };
      const path = ['components', rowIndex, 'components', childIndex];
      errors.push(...maxLength([...path, 'custom_id'], child.custom_id, CUSTOM_ID_MAX_LENGTH));
      if (child.type === ComponentType.Button) {
        errors.push(...validateButton(path, rawChild as ButtonBody));
      }
      if (typeof child.custom_id === 'string') {
        // Discord requires unique custom_ids in a message. The code and message are the ones its API returns.
        if (customIds.has(child.custom_id)) {
          errors.push({ path: [...path, 'custom_id'], code: 'COMPONENT_CUSTOM_ID_DUPLICATED', message: 'Component custom id was already specified' });
        }
        customIds.add(child.custom_id);
      }
    });
  });
  return errors;
}

interface ButtonBody {
  style?: unknown;
  label?: unknown;
  custom_id?: unknown;
}

/** Checks a button's style, the `custom_id` that styles 1 to 4 require, and its label length. */
function validateButton(path: ReadonlyArray<string | number>, button: ButtonBody): FieldError[] {
  const errors = maxLength([...path, 'label'], button.label, BUTTON_LABEL_MAX_LENGTH);
  if (!BUTTON_STYLES.includes(button.style as ButtonStyle)) {
    errors.push({ path: [...path, 'style'], code: 'BASE_TYPE_CHOICES', message: `Value must be one of {${BUTTON_STYLES.join(', ')}}.` });
    return errors;
  }
  if (BUTTON_STYLES_WITH_CUSTOM_ID.includes(button.style as ButtonStyle) && typeof button.custom_id !== 'string') {
    errors.push({ path: [...path, 'custom_id'], code: 'BASE_TYPE_REQUIRED', message: 'This field is required' });
  }
  return errors;
}

/** Checks content, embed and component limits of a message body and returns every failure found. */
export function validateMessageBody(body: MessageBody): FieldError[] {
  return [
    ...maxLength(['content'], body.content, MESSAGE_CONTENT_MAX_LENGTH),
    ...(Array.isArray(body.embeds) ? validateEmbeds(body.embeds) : []),
    ...(Array.isArray(body.components) ? validateComponents(body.components, body.flags ?? 0) : []),
  ];
}

/**
 * Reports whether a message would have nothing to show: no content, embeds, files, components,
 * stickers or poll. Discord rejects such a message with 50006 "Cannot send an empty message".
 */
export function isEmptyMessage(message: MessageBody, fileCount: number): boolean {
  const hasContent = typeof message.content === 'string' && message.content.length > 0;
  const hasEmbeds = Array.isArray(message.embeds) && message.embeds.length > 0;
  const hasComponents = Array.isArray(message.components) && message.components.length > 0;
  const hasStickers = Array.isArray(message.sticker_ids) && message.sticker_ids.length > 0;
  const hasAttachments = fileCount > 0 || (Array.isArray(message.attachments) && message.attachments.length > 0);

  return !(hasContent || hasEmbeds || hasComponents || hasStickers || hasAttachments || message.poll != null);
}
