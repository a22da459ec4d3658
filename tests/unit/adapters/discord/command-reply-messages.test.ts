import { ButtonStyle, ComponentType } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { buttonRowsFor, commandReplyMessages, type EmbedColors } from '../../../../src/adapters/discord/command-reply-messages.js';

const COLORS: EmbedColors = { primary: 0x112233, error: 0xaa0000 };

function fenceCount(text: string): number {
  return text.split('\n').filter((line) => /^\s*```/.test(line)).length;
}

describe('commandReplyMessages', () => {
  it('short reply is one embed in the primary colour', () => {
    const { messages } = commandReplyMessages({ text: 'Done.', title: 'Persona' }, COLORS);

    expect(messages).toEqual([{ embeds: [{ color: COLORS.primary, description: 'Done.', title: 'Persona' }], components: [] }]);
  });

  it('error reply uses the error colour', () => {
    const { messages } = commandReplyMessages({ text: 'No.', isError: true }, COLORS);

    expect(messages[0]?.embeds[0]?.color).toBe(COLORS.error);
  });

  it('long text splits into embeds under 4096 with balanced fences', () => {
    const code = ['```py', ...Array.from({ length: 200 }, (_, i) => `print("line ${i} of a long listing")`), '```'].join('\n');
    const text = `Intro paragraph.\n\n${code}\n\nOutro.`;

    const { messages } = commandReplyMessages({ text, title: 'Listing' }, COLORS);
    const embeds = messages.flatMap((message) => message.embeds);

    expect(text.length).toBeGreaterThan(4096);
    expect(embeds.length).toBeGreaterThanOrEqual(2);
    for (const embed of embeds) {
      expect(embed.description!.length).toBeLessThanOrEqual(4096);
      expect(fenceCount(embed.description!) % 2).toBe(0);
    }
    expect(embeds[0]?.title).toBe('Listing');
    expect(embeds.slice(1).every((embed) => embed.title === undefined)).toBe(true);
  });

  it('packs embeds under 6000 characters per message', () => {
    const text = Array.from({ length: 6 }, (_, i) => `${String(i).repeat(3000)}`).join('\n\n');

    const { messages } = commandReplyMessages({ text }, COLORS);

    for (const message of messages) {
      const total = message.embeds.reduce((sum, embed) => sum + (embed.title?.length ?? 0) + (embed.description?.length ?? 0), 0);
      expect(total).toBeLessThanOrEqual(6000);
      expect(message.embeds.length).toBeLessThanOrEqual(10);
    }
    expect(messages.length).toBeGreaterThanOrEqual(3);
  });

  it('puts buttons under the last message only', () => {
    const text = 'x'.repeat(7000);
    const { messages } = commandReplyMessages({ text, buttons: [[{ label: 'Again', command: '/help' }]] }, COLORS);

    expect(messages.length).toBeGreaterThanOrEqual(2);
    expect(messages.slice(0, -1).every((message) => message.components.length === 0)).toBe(true);
    expect(messages.at(-1)?.components).toHaveLength(1);
  });

  it('empty text still makes a valid embed', () => {
    const { messages } = commandReplyMessages({ text: '' }, COLORS);

    expect(messages).toHaveLength(1);
    expect(messages[0]?.embeds[0]?.description).toBe('\u200b');
  });

  it('cuts a title over 256 characters', () => {
    const { messages } = commandReplyMessages({ text: 'body', title: 't'.repeat(300) }, COLORS);

    expect([...(messages[0]?.embeds[0]?.title ?? '')]).toHaveLength(256);
  });
});

describe('buttonRowsFor', () => {
  it('maps buttons to rows with the command line as custom_id', () => {
    const { rows, dropped } = buttonRowsFor([[{ label: 'Coder', command: '/persona coder' }]]);

    expect(dropped).toBe(0);
    expect(rows).toEqual([
      {
        type: ComponentType.ActionRow,
        components: [{ type: ComponentType.Button, style: ButtonStyle.Secondary, label: 'Coder', custom_id: '/persona coder' }],
      },
    ]);
  });

  it('drops command lines over 100 characters and repeats', () => {
    const { rows, dropped } = buttonRowsFor([
      [
        { label: 'Long', command: `/text set ${'k'.repeat(100)}` },
        { label: 'A', command: '/help' },
        { label: 'B', command: '/help' },
      ],
    ]);

    expect(dropped).toBe(2);
    expect(rows[0]?.components.map((button) => button.custom_id)).toEqual(['/help']);
  });

  it('wraps rows at 5 buttons and stops at 5 rows', () => {
    const buttons = Array.from({ length: 27 }, (_, i) => ({ label: `B${i}`, command: `/persona p${i}` }));

    const { rows, dropped } = buttonRowsFor([buttons]);

    expect(rows).toHaveLength(5);
    expect(rows.every((row) => row.components.length <= 5)).toBe(true);
    expect(dropped).toBe(2);
  });

  it('cuts labels over 80 characters', () => {
    const { rows } = buttonRowsFor([[{ label: 'l'.repeat(90), command: '/help' }]]);

    expect([...(rows[0]?.components[0]?.label ?? '')]).toHaveLength(80);
  });
});
