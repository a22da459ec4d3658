import { describe, expect, it } from 'vitest';

import { DEFAULT_CONFIG_DIR, SEED_FILES, loadSeedData } from '../../../src/seed/load-seed-data.js';
import { SEED_LOCALES, extractPlaceholders } from '../../../src/seed/schemas.js';
import { collectUiTexts } from '../../../src/seed/ui-texts.js';

const data = loadSeedData();
const uiTexts = collectUiTexts(data.uiTexts, data.personas);

const PERSONA_NAMES = [
  'standard',
  'researcher',
  'friend',
  'coder',
  'artist',
  'romantic',
  'roleplay',
];

const COMMAND_NAMES = [
  'start', 'help', 'new', 'persona', 'model', 'preset', 'prefs', 'usage', 'history', 'redeem',
  'language', 'imagine', 'forget_me', 'ban', 'unban', 'invite', 'role', 'unlock', 'lock',
  'limits', 'config', 'stats', 'text',
];

describe('config seed files', () => {
  it('load from the repository config folder', () => {
    expect(DEFAULT_CONFIG_DIR).toMatch(/config[\\/]$/);
    expect(Object.keys(SEED_FILES)).toHaveLength(9);
    expect(data.systemConfigs.length).toBeGreaterThan(0);
    expect(data.uiTexts).not.toEqual({});
  });

  it('system configs carry the documented defaults', () => {
    const values = Object.fromEntries(data.systemConfigs.map((row) => [row.key, row.value]));
    expect(values).toMatchObject({
      'access.mode': 'open',
      'i18n.default_locale': 'en',
      'cache.ttl_hours': 24,
      'chat.max_input_chars': 4000,
      'limits.user.daily_chat': 100,
      'limits.user.daily_cloud': 100,
      'limits.user.daily_local': 50,
      'limits.user.daily_image': 10,
      'limits.user.per_minute': 10,
      'limits.vip.daily_chat': 500,
      'limits.vip.daily_cloud': 500,
      'limits.vip.daily_local': 200,
      'limits.vip.daily_image': 50,
      'limits.vip.per_minute': 30,
      'preferences.infer': false,
      'telegram.messages_per_second': 30,
      'telegram.chat_messages_per_second': 1,
      'router.max_retry_after_seconds': 5,
      'webhook.secret': '',
    });
  });

  it('only webhook.secret is secret', () => {
    const secrets = data.systemConfigs.filter((row) => row.is_secret).map((row) => row.key);
    expect(secrets).toEqual(['webhook.secret']);
  });

  it('model providers and defaults match the api configs', () => {
    expect(data.apiConfigs.map((api) => api.name).sort()).toEqual(['forge', 'groq', 'ollama']);

    const defaults = data.modelConfigs.filter((model) => model.is_default);
    expect(defaults.map((model) => `${model.purpose}:${model.model_id}`).sort()).toEqual([
      'chat:llama-3.3-70b-versatile',
      'summary:llama-3.1-8b-instant',
      'uncensored:bela',
    ]);
  });

  it('api configs hold no api keys', () => {
    for (const api of data.apiConfigs) {
      const settingKeys = Object.keys(api.settings);
      expect(settingKeys.filter((key) => /^api_key$|secret|token/i.test(key))).toEqual([]);
    }
  });

  it('personas are the seven documented ones', () => {
    expect(data.personas.map((persona) => persona.name)).toEqual(PERSONA_NAMES);
    expect(data.personas.filter((persona) => persona.is_default).map((p) => p.name)).toEqual([
      'standard',
    ]);

    const uncensored = data.personas.filter((persona) => persona.requires_uncensored);
    expect(uncensored.map((persona) => persona.name)).toEqual(['romantic', 'roleplay']);
    for (const persona of uncensored) {
      expect(persona.preferred_model_purpose).toBe('uncensored');
    }
  });

  it('persona prompts ask for the user language', () => {
    for (const persona of data.personas) {
      expect(persona.system_prompt, persona.name).toMatch(/language the user writes in/);
    }
  });

  it('persona sort orders are distinct', () => {
    const orders = data.personas.map((persona) => persona.sort_order);
    expect(new Set(orders).size).toBe(orders.length);
  });

  it('summary settings match the documented defaults', () => {
    expect(data.summarySettings).toEqual({
      summary_enabled: true,
      summary_first_threshold: 12,
      summary_update_step: 10,
      summary_max_messages: 40,
    });
  });
});

describe('ui texts', () => {
  it('have non-empty text in every locale', () => {
    for (const [key, text] of Object.entries(uiTexts)) {
      for (const locale of SEED_LOCALES) {
        expect(text[locale].trim(), `${key} (${locale})`).not.toBe('');
      }
    }
  });

  it('use the same placeholders in every locale', () => {
    for (const [key, text] of Object.entries(uiTexts)) {
      expect(extractPlaceholders(text.tr), key).toEqual(extractPlaceholders(text.en));
    }
  });

  it('contain the keys the bot needs now', () => {
    const required = [
      'welcome',
      'help',
      'conversation.new',
      'refusal.banned',
      'refusal.invite_required',
      'invite.invalid',
      'invite.accepted',
      'refusal.limit_per_minute',
      'refusal.limit_daily_chat',
      'refusal.limit_daily_cloud',
      'refusal.limit_daily_local',
      'refusal.input_too_long',
      'refusal.empty_message',
      'error.all_models_failed',
      'error.internal',
      'notice.cut_off',
      'notice.unsupported_message',
      ...COMMAND_NAMES.map((name) => `command.${name}.description`),
      ...PERSONA_NAMES.flatMap((name) => [`persona.${name}.title`, `persona.${name}.description`]),
    ];
    const missing = required.filter((key) => !(key in uiTexts));
    expect(missing).toEqual([]);
  });

  it('keep the documented placeholders', () => {
    expect(extractPlaceholders(uiTexts['welcome']!.en)).toEqual(['assistant', 'name']);
    expect(extractPlaceholders(uiTexts['invite.accepted']!.en)).toEqual([]);
    expect(extractPlaceholders(uiTexts['refusal.limit_per_minute']!.en)).toEqual(['seconds']);
    expect(extractPlaceholders(uiTexts['refusal.input_too_long']!.en)).toEqual(['length', 'max']);
    for (const key of ['chat', 'cloud', 'local']) {
      expect(extractPlaceholders(uiTexts[`refusal.limit_daily_${key}`]!.en)).toEqual(['limit']);
    }
  });

  it('help lists the basic commands in both locales', () => {
    for (const locale of SEED_LOCALES) {
      const help = uiTexts['help']![locale];
      expect(help).toContain('/start');
      expect(help).toContain('/new');
      expect(help).toContain('/help');
    }
  });

  it('invite refusal names both redeem commands', () => {
    for (const locale of SEED_LOCALES) {
      const text = uiTexts['refusal.invite_required']![locale];
      expect(text).toContain('/start');
      expect(text).toContain('/redeem');
    }
  });

  it('turkish texts differ from english', () => {
    // A Turkish value equal to the English one is most likely a forgotten translation.
    const untranslated = Object.entries(uiTexts)
      .filter(([, text]) => text.tr === text.en)
      .map(([key]) => key);
    expect(untranslated).toEqual([]);
  });
});
