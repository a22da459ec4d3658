import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { COMMANDS } from '../../../src/commands/registry.js';
import { localizeUsage } from '../../../src/commands/usage-line.js';
import { loadSeedData } from '../../../src/seed/load-seed-data.js';
import { createCommandFixture, person, type CommandFixture } from './command-fixture.js';

describe('usage line words', () => {
  const { uiTexts } = loadSeedData();

  it.each(COMMANDS.filter((command) => command.usage !== undefined).map((command) => [command.name, command.usage!]))(
    '/%s has every placeholder in both languages',
    (_name, usage) => {
      for (const word of usage.match(/\b[A-Z][A-Z_]*[A-Z]\b/g) ?? []) {
        const entry = uiTexts[`usage.word.${word.toLowerCase()}`];
        expect(entry?.en, word).toBe(word);
        expect(entry?.tr, word).toBeTruthy();
      }
    },
  );
});

describe('localizeUsage', () => {
  let fixture: CommandFixture;

  beforeEach(async () => {
    fixture = await createCommandFixture();
  });

  afterEach(async () => {
    await fixture.cleanup();
  });

  it('translates placeholders only', () => {
    const { texts } = fixture.services;

    expect(localizeUsage('/prefs [list | set KEY VALUE | forget KEY]', 'tr', texts)).toBe('/prefs [list | set ANAHTAR DEĞER | forget ANAHTAR]');
    expect(localizeUsage('/prefs [list | set KEY VALUE | forget KEY]', 'en', texts)).toBe('/prefs [list | set KEY VALUE | forget KEY]');
  });

  it('keeps words without a text', () => {
    expect(localizeUsage('/text set KEY tr|en UNKNOWN_WORD', 'tr', fixture.services.texts)).toBe('/text set ANAHTAR tr|en UNKNOWN_WORD');
  });

  it('reaches the invalid arguments reply', async () => {
    const user = person('telegram', '120', 'tr');
    await fixture.addUser(user);

    const reply = await fixture.run(user, '/redeem');

    expect(reply.text).toBe(fixture.services.texts.t('tr', 'command.invalid_arguments', { command: 'redeem', usage: '/redeem KOD' }));
  });
});
