import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  DEFAULT_CONFIG_DIR,
  SEED_FILES,
  SeedDataError,
  loadSeedData,
} from '../../../src/seed/load-seed-data.js';

let configDir: string;

beforeEach(() => {
  configDir = mkdtempSync(join(tmpdir(), 'seed-config-'));
  cpSync(DEFAULT_CONFIG_DIR, configDir, { recursive: true });
});

afterEach(() => {
  rmSync(configDir, { recursive: true, force: true });
});

function readJson(file: string): any {
  return JSON.parse(readFileSync(join(configDir, file), 'utf8'));
}

function writeJson(file: string, value: unknown): void {
  writeFileSync(join(configDir, file), JSON.stringify(value, null, 2));
}

/** Runs `loadSeedData` on the copied folder and returns the error it throws. */
function loadError(): SeedDataError {
  try {
    loadSeedData(configDir);
  } catch (error) {
    expect(error).toBeInstanceOf(SeedDataError);
    return error as SeedDataError;
  }
  throw new Error('loadSeedData accepted an invalid config folder');
}

describe('loadSeedData', () => {
  it('accepts an unchanged copy', () => {
    expect(() => loadSeedData(configDir)).not.toThrow();
  });

  it('rejects invalid json naming the file', () => {
    writeFileSync(join(configDir, SEED_FILES.themes), '[{"name": "default",');

    const error = loadError();
    expect(error.file).toBe(join(configDir, SEED_FILES.themes));
    expect(error.message).toContain(SEED_FILES.themes);
    expect(error.message).toContain('is not valid JSON');
  });

  it('rejects a missing file naming it', () => {
    unlinkSync(join(configDir, SEED_FILES.identity));

    const error = loadError();
    expect(error.message).toContain(SEED_FILES.identity);
    expect(error.message).toContain('cannot be read');
  });

  it('rejects a wrong type naming file and path', () => {
    const personas = readJson(SEED_FILES.personas);
    personas[2].personality_traits.humor = 1.5;
    writeJson(SEED_FILES.personas, personas);

    const error = loadError();
    expect(error.file).toBe(join(configDir, SEED_FILES.personas));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toContain('$[2].personality_traits.humor');
  });

  it('rejects an unknown field', () => {
    const identity = readJson(SEED_FILES.identity);
    identity.display_nmae = 'Typo';
    writeJson(SEED_FILES.identity, identity);

    const error = loadError();
    expect(error.message).toContain(SEED_FILES.identity);
    expect(error.message).toContain('display_nmae');
  });

  it('rejects a setting value of the wrong type', () => {
    const settings = readJson(SEED_FILES.systemConfigs);
    const index = settings.findIndex((row: { key: string }) => row.key === 'cache.ttl_hours');
    settings[index].value = '24';
    writeJson(SEED_FILES.systemConfigs, settings);

    const error = loadError();
    expect(error.message).toContain(SEED_FILES.systemConfigs);
    expect(error.problems.join('\n')).toContain(`$[${index}].value`);
  });

  it('rejects a setting key without a category', () => {
    const settings = readJson(SEED_FILES.systemConfigs);
    settings[0].key = 'mode';
    writeJson(SEED_FILES.systemConfigs, settings);

    expect(loadError().problems.join('\n')).toContain('$[0].key');
  });

  it('rejects duplicate setting keys', () => {
    const settings = readJson(SEED_FILES.systemConfigs);
    settings.push({ ...settings[0] });
    writeJson(SEED_FILES.systemConfigs, settings);

    expect(loadError().problems.join('\n')).toContain('duplicate key "access.mode"');
  });

  it('rejects mismatched placeholders', () => {
    const texts = readJson(SEED_FILES.uiTexts);
    texts.welcome.tr = 'Merhaba {isim}!';
    writeJson(SEED_FILES.uiTexts, texts);

    const error = loadError();
    expect(error.file).toBe(join(configDir, SEED_FILES.uiTexts));
    expect(error.problems.join('\n')).toContain('$.welcome.tr');
  });

  it('rejects a missing locale', () => {
    const texts = readJson(SEED_FILES.uiTexts);
    delete texts['error.internal'].tr;
    writeJson(SEED_FILES.uiTexts, texts);

    expect(loadError().problems.join('\n')).toContain('$.error.internal.tr');
  });

  it('rejects an overlong command description', () => {
    const texts = readJson(SEED_FILES.uiTexts);
    texts['command.start.description'].en = 'x'.repeat(101);
    writeJson(SEED_FILES.uiTexts, texts);

    expect(loadError().problems.join('\n')).toContain('$.command.start.description.en');
  });

  it('rejects a hand-written persona text', () => {
    const texts = readJson(SEED_FILES.uiTexts);
    texts['persona.coder.title'] = { category: 'persona', description: 'x', en: 'A', tr: 'B' };
    writeJson(SEED_FILES.uiTexts, texts);

    const error = loadError();
    expect(error.file).toBe(join(configDir, SEED_FILES.uiTexts));
    expect(error.message).toContain('persona.coder.title');
  });

  it('rejects a model with an unknown provider', () => {
    const models = readJson(SEED_FILES.modelConfigs);
    models[1].provider = 'openrouter';
    writeJson(SEED_FILES.modelConfigs, models);

    const error = loadError();
    expect(error.file).toBe(join(configDir, SEED_FILES.modelConfigs));
    expect(error.problems).toEqual([
      `at $[1].provider: "openrouter" is not a name in ${SEED_FILES.apiConfigs}`,
    ]);
  });

  it('rejects two default models of one purpose', () => {
    const models = readJson(SEED_FILES.modelConfigs);
    for (const model of models) {
      if (model.purpose === 'chat') model.is_default = true;
    }
    writeJson(SEED_FILES.modelConfigs, models);

    expect(loadError().message).toContain('purpose "chat" already has the default model');
  });

  it('rejects personas without exactly one default', () => {
    const personas = readJson(SEED_FILES.personas);
    personas[1].is_default = true;
    writeJson(SEED_FILES.personas, personas);

    expect(loadError().message).toContain('exactly one persona must have is_default true, found 2');
  });

  it('rejects a colour that is not hex', () => {
    const themes = readJson(SEED_FILES.themes);
    themes[0].colors.primary = 'blue';
    writeJson(SEED_FILES.themes, themes);

    expect(loadError().problems.join('\n')).toContain('$[0].colors.primary');
  });

  it('rejects an image size not divisible by 8', () => {
    const images = readJson(SEED_FILES.imageGenConfigs);
    images[0].default_params.width = 1020;
    writeJson(SEED_FILES.imageGenConfigs, images);

    expect(loadError().problems.join('\n')).toContain('$[0].default_params.width');
  });

  it('rejects a summary window below the update step', () => {
    const settings = readJson(SEED_FILES.summarySettings);
    settings.summary_max_messages = 5;
    writeJson(SEED_FILES.summarySettings, settings);

    expect(loadError().problems.join('\n')).toContain('$.summary_max_messages');
  });

  it('rejects a base url that is not http', () => {
    const apis = readJson(SEED_FILES.apiConfigs);
    apis[0].base_url = 'ftp://example.invalid';
    writeJson(SEED_FILES.apiConfigs, apis);

    expect(loadError().problems.join('\n')).toContain('$[0].base_url');
  });
});
