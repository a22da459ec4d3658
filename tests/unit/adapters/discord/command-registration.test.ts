import { ApplicationCommandOptionType, InteractionContextType } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { argumentTextFrom } from '../../../../src/adapters/discord/command-arguments.js';
import { ARGUMENTS_OPTION, slashCommandBodies } from '../../../../src/adapters/discord/command-registration.js';
import { COMMANDS } from '../../../../src/commands/registry.js';
import type { CommandDefinition, DiscordOptionSpec } from '../../../../src/commands/types.js';
import { TextCatalog } from '../../../../src/i18n/texts.js';
import { loadSeedData } from '../../../../src/seed/load-seed-data.js';
import { seedDatabase } from '../../../../src/seed/seed-database.js';
import pino from 'pino';
import { z } from 'zod';
import { createTempDatabase, type TempDatabase } from '../../../support/temp-db.js';

/** Discord's rule for `CHAT_INPUT` command and option names (API reference, Application Commands). */
const NAME_PATTERN = /^[-_'\p{L}\p{N}]{1,32}$/u;

let temp: TempDatabase;
let texts: TextCatalog;

beforeAll(async () => {
  temp = await createTempDatabase();
  await seedDatabase(temp.db, loadSeedData(), pino({ level: 'silent' }));
  texts = new TextCatalog(temp.db);
  await texts.load();
});

afterAll(async () => {
  await temp.cleanup();
});

function fakeCommand(discordOptions?: DiscordOptionSpec[]): CommandDefinition {
  return {
    name: 'help',
    nameTr: 'yardim',
    schema: z.object({}),
    discordOptions,
    parse: () => ({}),
    handle: async () => ({ text: '' }),
  };
}

describe('slashCommandBodies', () => {
  it('every registry command has valid names and descriptions', () => {
    const bodies = slashCommandBodies(COMMANDS, texts);

    expect(bodies).toHaveLength(COMMANDS.length);
    for (const body of bodies) {
      const names = [body.name, body.name_localizations?.tr, ...(body.options ?? []).flatMap((option) => [option.name, option.name_localizations?.tr])];
      for (const name of names.filter((value): value is string => value !== undefined && value !== null)) {
        expect(name, `name of /${body.name}`).toMatch(NAME_PATTERN);
        expect(name).toBe(name.toLowerCase());
      }
      const descriptions = [body.description, body.description_localizations?.tr, ...(body.options ?? []).map((option) => option.description)];
      for (const description of descriptions) {
        expect([...(description ?? '')].length, `description of /${body.name}`).toBeGreaterThan(0);
        expect([...(description ?? '')].length).toBeLessThanOrEqual(100);
      }
      expect(body.description).not.toMatch(/^command\./);
      expect(body.contexts).toEqual([InteractionContextType.BotDM, InteractionContextType.Guild]);
    }
  });

  it('option descriptions come from ui texts, not keys', () => {
    for (const body of slashCommandBodies(COMMANDS, texts)) {
      for (const option of body.options ?? []) {
        expect(option.description, `/${body.name} ${option.name}`).not.toMatch(/^option\./);
        expect(option.description_localizations?.tr, `/${body.name} ${option.name}`).not.toMatch(/^option\./);
      }
    }
  });

  it('command without options gets the args option', () => {
    const [body] = slashCommandBodies([fakeCommand()], texts);

    expect(body?.name_localizations).toEqual({ tr: 'yardim' });
    expect(body?.options).toEqual([
      expect.objectContaining({ type: ApplicationCommandOptionType.String, name: ARGUMENTS_OPTION.name, required: false }),
    ]);
  });

  it('registers required options before optional ones', () => {
    const [body] = slashCommandBodies(
      [
        fakeCommand([
          { name: 'later', descriptionKey: 'option.args.description', type: 'string' },
          { name: 'who', nameTr: 'kim', descriptionKey: 'option.user.description', type: 'user', required: true },
          { name: 'count', descriptionKey: 'option.args.description', type: 'integer', required: true },
        ]),
      ],
      texts,
    );

    expect(body?.options?.map((option) => [option.name, option.type, option.required])).toEqual([
      ['who', ApplicationCommandOptionType.User, true],
      ['count', ApplicationCommandOptionType.Integer, true],
      ['later', ApplicationCommandOptionType.String, false],
    ]);
  });

  it('keeps string choices', () => {
    const choices = [{ name: 'create', value: 'create' }];
    const [body] = slashCommandBodies([fakeCommand([{ name: 'action', descriptionKey: 'option.args.description', type: 'string', choices }])], texts);

    expect(body?.options?.[0]).toEqual(expect.objectContaining({ choices }));
  });
});

describe('argumentTextFrom', () => {
  const options: DiscordOptionSpec[] = [
    { name: 'action', descriptionKey: 'x', type: 'string' },
    { name: 'key', descriptionKey: 'x', type: 'string' },
    { name: 'value', descriptionKey: 'x', type: 'string' },
  ];

  function textOf(values: Record<string, string>) {
    return argumentTextFrom(options, (option) => values[option.name]);
  }

  it('joins values in definition order', () => {
    expect(textOf({ value: 'formal', key: 'tone', action: 'set' })).toEqual({ text: 'set tone formal' });
  });

  it('keeps spaces in the last option', () => {
    expect(textOf({ action: 'set', key: 'tone', value: ' very casual ' })).toEqual({ text: 'set tone very casual' });
  });

  it('leaves out empty options at the end', () => {
    expect(textOf({ action: 'list', key: ' ' })).toEqual({ text: 'list' });
  });

  it('returns empty text without values', () => {
    expect(argumentTextFrom(options, () => undefined)).toEqual({ text: '' });
  });

  it('rejects spaces in an earlier option', () => {
    expect(textOf({ action: 'set', key: 'my tone', value: 'x' })).toEqual({ problem: { kind: 'has_spaces', option: options[1] } });
    expect(textOf({ action: 'set', key: 'my tone' })).toEqual({ problem: { kind: 'has_spaces', option: options[1] } });
  });

  it('rejects a value after an empty option', () => {
    expect(textOf({ key: 'tone', value: 'formal' })).toEqual({ problem: { kind: 'missing', option: options[0] } });
    expect(textOf({ action: 'set', key: '  ', value: 'formal' })).toEqual({ problem: { kind: 'missing', option: options[1] } });
  });
});
