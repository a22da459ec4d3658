import {
  ButtonStyle,
  ComponentType,
  type APIActionRowComponent,
  type APIButtonComponentWithCustomId,
  type APIStringSelectComponent,
  type APIEmbed,
  type APIMessageTopLevelComponent,
} from 'discord.js';
import type { CommandReply, ReplyButton } from '../../commands/types.js';
import { DISCORD_EMBED_DESCRIPTION_MAX_LENGTH, DISCORD_MESSAGE_MAX_LENGTH } from '../../render/limits.js';
import type { OutgoingMessage } from './message-delivery.js';
import { splitDiscordMarkdown } from '../../render/split-discord.js';
import {
  ACTION_ROWS_MAX,
  BUTTON_LABEL_MAX_LENGTH,
  BUTTONS_PER_ROW_MAX,
  CUSTOM_ID_MAX_LENGTH,
  EMBED_TITLE_MAX_LENGTH,
  EMBED_TOTAL_MAX_LENGTH,
  EMBEDS_PER_MESSAGE_MAX,
  SELECT_OPTION_LABEL_MAX_LENGTH,
  SELECT_OPTION_VALUE_MAX_LENGTH,
  SELECT_OPTIONS_MAX,
} from './limits.js';

/** Embed colours as 24-bit RGB integers. */
export interface EmbedColors {
  primary: number;
  error: number;
}

/** One Discord message of a command reply. */
export interface CommandReplyMessage {
  embeds: APIEmbed[];
  components: Array<APIActionRowComponent<APIButtonComponentWithCustomId | APIStringSelectComponent>>;
}

export interface CommandReplyMessages {
  messages: CommandReplyMessage[];
  /** Number of buttons left out: command lines over `CUSTOM_ID_MAX_LENGTH`, repeated ones, or rows past the limit. */
  droppedButtons: number;
}

/**
 * Renders a command reply as Discord messages. The text becomes embed descriptions in the
 * theme's primary colour (error colour for `isError`), split under 4096 characters per embed
 * with code fences balanced, and packed at most 10 embeds and 6000 characters per message.
 * The title heads the first embed. The buttons go under the last message, each with the
 * command line as its `custom_id`.
 */
export function commandReplyMessages(reply: CommandReply, colors: EmbedColors): CommandReplyMessages {
  const color = reply.isError ? colors.error : colors.primary;
  const title = reply.title ? cut(reply.title.trim(), EMBED_TITLE_MAX_LENGTH) : undefined;
  const descriptions = splitDiscordMarkdown(reply.text, DISCORD_EMBED_DESCRIPTION_MAX_LENGTH);

  const embeds: APIEmbed[] = descriptions.map((text, index) => ({
    color,
    description: text,
    ...(index === 0 && title ? { title } : {}),
  }));
  if (embeds.length === 0) {
    // An embed needs a title or a description, so an empty reply shows a zero-width space.
    embeds.push({ color, ...(title ? { title } : { description: '\u200b' }) });
  }

  const messages = packEmbeds(embeds).map((group) => ({ embeds: group, components: [] as CommandReplyMessage['components'] }));
  const choices = choiceMenuFor(reply.buttons);
  const { rows, dropped } = choices ? { rows: [choices], dropped: 0 } : buttonRowsFor(reply.buttons);
  const last = messages.at(-1);
  if (last) last.components = rows;
  return { messages, droppedButtons: dropped };
}

/** `custom_id` of the select menu that offers a command's choices; each option's value is a command line. */
export const CHOICE_MENU_ID = 'choice';

/** A choice list this long reads better as one select menu than as rows of buttons. */
const CHOICE_MENU_MIN_OPTIONS = 4;

/**
 * Turns a list of choices for one command (every button runs the same command, e.g.
 * `/persona coder`, `/persona friend`, ...) into a string select menu, Discord's control for
 * picking one of many. Returns undefined for other button sets, which stay buttons.
 */
export function choiceMenuFor(
  buttons: ReplyButton[][] | undefined,
): APIActionRowComponent<APIStringSelectComponent> | undefined {
  const flat = (buttons ?? []).flat();
  if (flat.length < CHOICE_MENU_MIN_OPTIONS) return undefined;
  const commandNames = new Set(flat.map((button) => button.command.split(/\s/)[0]));
  if (commandNames.size !== 1) return undefined;

  const unique = flat.filter(
    (button, index) => button.command.length <= SELECT_OPTION_VALUE_MAX_LENGTH && flat.findIndex((other) => other.command === button.command) === index,
  );
  return {
    type: ComponentType.ActionRow,
    components: [
      {
        type: ComponentType.StringSelect,
        custom_id: CHOICE_MENU_ID,
        options: unique.slice(0, SELECT_OPTIONS_MAX).map((button) => ({
          label: cut(button.label, SELECT_OPTION_LABEL_MAX_LENGTH),
          value: button.command,
        })),
      },
    ],
  };
}

/** Groups embeds into messages within the per-message count and total length limits. */
function packEmbeds(embeds: readonly APIEmbed[]): APIEmbed[][] {
  const groups: APIEmbed[][] = [];
  let current: APIEmbed[] = [];
  let currentLength = 0;

  for (const embed of embeds) {
    const length = embedLength(embed);
    if (current.length > 0 && (current.length === EMBEDS_PER_MESSAGE_MAX || currentLength + length > EMBED_TOTAL_MAX_LENGTH)) {
      groups.push(current);
      current = [];
      currentLength = 0;
    }
    current.push(embed);
    currentLength += length;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

function embedLength(embed: APIEmbed): number {
  return [...(embed.title ?? '')].length + [...(embed.description ?? '')].length;
}

/**
 * Turns reply buttons into action rows of at most 5 buttons and 5 rows. A command line longer
 * than `CUSTOM_ID_MAX_LENGTH` is left out, and so is a repeated one, because Discord requires
 * unique `custom_id`s on a message. A row with more than 5 buttons continues on the next row.
 */
export function buttonRowsFor(buttons: ReplyButton[][] | undefined): {
  rows: Array<APIActionRowComponent<APIButtonComponentWithCustomId>>;
  dropped: number;
} {
  const rows: Array<APIActionRowComponent<APIButtonComponentWithCustomId>> = [];
  const used = new Set<string>();
  let dropped = 0;

  for (const row of buttons ?? []) {
    let current: APIButtonComponentWithCustomId[] = [];
    const flush = (): void => {
      if (current.length === 0) return;
      if (rows.length < ACTION_ROWS_MAX) rows.push({ type: ComponentType.ActionRow, components: current });
      else dropped += current.length;
      current = [];
    };

    for (const button of row) {
      if (button.command.length > CUSTOM_ID_MAX_LENGTH || used.has(button.command)) {
        dropped += 1;
        continue;
      }
      used.add(button.command);
      current.push({
        type: ComponentType.Button,
        style: ButtonStyle.Secondary,
        label: cut(button.label, BUTTON_LABEL_MAX_LENGTH),
        custom_id: button.command,
      });
      if (current.length === BUTTONS_PER_ROW_MAX) flush();
    }
    flush();
  }
  return { rows, dropped };
}

/**
 * Returns a copy of a message's components that shows the button `chosenId` as chosen. In the
 * action row that contains it, that button gets the Primary style. The row's other buttons with
 * a `custom_id` get Secondary, which `buttonRowsFor` gives every button. Other rows, link
 * buttons and select menus are copied unchanged.
 */
export function markChosenButton(components: readonly APIMessageTopLevelComponent[], chosenId: string): APIMessageTopLevelComponent[] {
  return components.map((component) => {
    if (component.type !== ComponentType.ActionRow) return component;
    const holdsChoice = component.components.some(
      (child) => child.type === ComponentType.Button && 'custom_id' in child && child.custom_id === chosenId,
    );
    if (!holdsChoice) return component;

    return {
      ...component,
      components: component.components.map((child) => {
        if (child.type !== ComponentType.Button || !('custom_id' in child)) return child;
        const style: APIButtonComponentWithCustomId['style'] = child.custom_id === chosenId ? ButtonStyle.Primary : ButtonStyle.Secondary;
        return { ...child, style };
      }),
    };
  });
}

/** Cuts text to `max` code points, ending with an ellipsis when something was cut. */
function cut(text: string, max: number): string {
  const characters = [...text];
  return characters.length <= max ? text : `${characters.slice(0, max - 1).join('')}…`;
}

/**
 * Messages of a generated image: the PNG attached to the first message with its caption, and
 * any longer text after it, split under Discord's 2000-character limit.
 */
export function imageReplyMessages(image: NonNullable<CommandReply['image']>): OutgoingMessage[] {
  const caption = splitDiscordMarkdown(image.caption, DISCORD_MESSAGE_MAX_LENGTH)[0] ?? '';
  const messages: OutgoingMessage[] = [{ content: caption, files: [{ attachment: image.png, name: 'image.png' }] }];
  for (const chunk of splitDiscordMarkdown(image.followUpText ?? '', DISCORD_MESSAGE_MAX_LENGTH)) messages.push({ content: chunk });
  return messages;
}
