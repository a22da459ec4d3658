import type { APIActionRowComponent, APIButtonComponentWithCustomId, MessageCreateOptions, MessageEditOptions } from 'discord.js';
import type { Logger } from 'pino';
import { DISCORD_MESSAGE_MAX_LENGTH } from '../../render/limits.js';
import { splitDiscordMarkdown } from '../../render/split-discord.js';
import { NO_MENTIONS, type DeliveryResult } from './message-delivery.js';

/** A sent message the writer can edit or delete. */
export interface EditableMessage {
  id: string;
  edit(options: MessageEditOptions): Promise<unknown>;
  delete(): Promise<unknown>;
}

/** A channel the writer posts into; a DM channel in practice. */
export interface StreamChannel {
  id: string;
  send(options: MessageCreateOptions): Promise<EditableMessage>;
}

interface SentPart {
  message: EditableMessage;
  content: string;
  hasComponents: boolean;
}

/** Button rows shown under the last message of a finished reply (the 👍/👎 vote buttons). */
export type ButtonRows = Array<APIActionRowComponent<APIButtonComponentWithCustomId>>;

/**
 * Delivers one reply to a Discord channel while it is written. The first text is sent as a
 * message, which is edited as the text grows; text past 2000 characters continues in a new
 * message. `finish` makes every message show the final text. Code fences cut by a split are
 * closed and reopened, so no message shows a broken block.
 */
export class DiscordStreamWriter {
  readonly #sent: SentPart[] = [];

  constructor(
    private readonly channel: StreamChannel,
    private readonly logger: Logger,
    private readonly logContext: Record<string, unknown> = {},
  ) {}

  get messageIds(): string[] {
    return this.#sent.map((part) => part.message.id);
  }

  /** Shows the text so far; nothing is sent while it has no visible text. */
  async showPartial(markdown: string): Promise<void> {
    const chunks = splitDiscordMarkdown(markdown, DISCORD_MESSAGE_MAX_LENGTH);
    for (const [index, chunk] of chunks.entries()) await this.#put(index, chunk);
  }

  /**
   * Makes the messages show the final text, with `components` under the last one; on a
   * failure returns what arrived and the error.
   */
  async finish(markdown: string, components: ButtonRows = []): Promise<DeliveryResult> {
    const chunks = splitDiscordMarkdown(markdown, DISCORD_MESSAGE_MAX_LENGTH);
    try {
      for (const [index, chunk] of chunks.entries()) {
        await this.#put(index, chunk, index === chunks.length - 1 ? components : []);
      }
      while (this.#sent.length > chunks.length) {
        const extra = this.#sent.pop()!;
        await extra.message.delete().catch((error: unknown) => {
          this.logger.warn({ err: error, channelId: this.channel.id, messageId: extra.message.id }, 'extra message could not be deleted');
        });
      }
    } catch (error) {
      this.logger.error({ err: error, channelId: this.channel.id, ...this.logContext }, 'reply could not be delivered');
      return { messageIds: this.messageIds, error };
    }
    return { messageIds: this.messageIds };
  }

  async #put(index: number, content: string, components: ButtonRows = []): Promise<void> {
    const existing = this.#sent[index];
    if (!existing) {
      const message = await this.channel.send({ content, components, allowedMentions: NO_MENTIONS });
      this.#sent[index] = { message, content, hasComponents: components.length > 0 };
      return;
    }
    if (existing.content === content && existing.hasComponents === components.length > 0) return;
    await existing.message.edit({ content, components, allowedMentions: NO_MENTIONS });
    existing.content = content;
    existing.hasComponents = components.length > 0;
  }
}
