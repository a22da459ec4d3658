import type { Insertable } from 'kysely';

import type {
  AiIdentityConfigTable,
  ApiConfigTable,
  ConversationSummarySettingsTable,
  ImageGenConfigTable,
  ModelConfigTable,
  PersonaConfigTable,
  SystemConfigTable,
  ThemeConfigTable,
  UiTextConfigTable,
} from '../db/schema.js';
import { nowIso, toBool, toJson } from '../db/values.js';
import type { SeedData } from './load-seed-data.js';
import { SEED_LOCALES, formatSettingValue, settingCategory } from './schemas.js';
import { collectUiTexts } from './ui-texts.js';

/** Id of the single row in `ai_identity_config` and `conversation_summary_settings`. */
export const SINGLE_ROW_ID = 1;

/** Seed data converted to the stored formats of each table, ready to insert. */
export interface SeedRows {
  system_configs: Insertable<SystemConfigTable>[];
  api_configs: Insertable<ApiConfigTable>[];
  model_configs: Insertable<ModelConfigTable>[];
  persona_configs: Insertable<PersonaConfigTable>[];
  ai_identity_config: Insertable<AiIdentityConfigTable>[];
  conversation_summary_settings: Insertable<ConversationSummarySettingsTable>[];
  image_gen_configs: Insertable<ImageGenConfigTable>[];
  theme_configs: Insertable<ThemeConfigTable>[];
  ui_text_configs: Insertable<UiTextConfigTable>[];
}

/**
 * Converts validated seed data into table rows: timestamps as ISO text, booleans as 0/1 and
 * JSON columns as JSON text. A setting's `default_value` is its seeded value, and each UI text
 * becomes one row per locale.
 */
export function buildSeedRows(data: SeedData, now: Date): SeedRows {
  const timestamp = nowIso(now);
  const created = { created_at: timestamp, updated_at: timestamp };

  return {
    system_configs: data.systemConfigs.map((setting) => {
      const value = formatSettingValue(setting);
      return {
        key: setting.key,
        value,
        value_type: setting.value_type,
        category: settingCategory(setting.key),
        description: setting.description,
        is_secret: toBool(setting.is_secret),
        is_editable: toBool(setting.is_editable),
        default_value: value,
        updated_by: null,
        ...created,
      };
    }),

    api_configs: data.apiConfigs.map((api) => ({
      name: api.name,
      display_name: api.display_name,
      base_url: api.base_url,
      is_active: toBool(api.is_active),
      timeout: api.timeout,
      rate_limit: api.rate_limit,
      retry_count: api.retry_count,
      settings: toJson(api.settings),
      description: api.description,
      ...created,
    })),

    model_configs: data.modelConfigs.map((model) => ({
      name: model.name,
      display_name: model.display_name,
      provider: model.provider,
      model_id: model.model_id,
      purpose: model.purpose,
      is_active: toBool(model.is_active),
      is_default: toBool(model.is_default),
      priority: model.priority,
      parameters: toJson(model.parameters),
      capabilities: toJson(model.capabilities),
      description: model.description,
      ...created,
    })),

    persona_configs: data.personas.map((persona) => ({
      name: persona.name,
      display_name: persona.display_name,
      mode_type: persona.mode_type,
      description: persona.description.en,
      icon: persona.icon,
      is_active: toBool(persona.is_active),
      is_default: toBool(persona.is_default),
      sort_order: persona.sort_order,
      system_prompt: persona.system_prompt,
      personality_traits: toJson(persona.personality_traits),
      behavior_rules: toJson(persona.behavior_rules),
      allowed_providers: toJson(persona.allowed_providers),
      requires_uncensored: toBool(persona.requires_uncensored),
      preferred_model_purpose: persona.preferred_model_purpose,
      preference_override_mode: persona.preference_override_mode,
      example_dialogues: toJson(persona.example_dialogues),
      ...created,
    })),

    ai_identity_config: [
      {
        id: SINGLE_ROW_ID,
        display_name: data.identity.display_name,
        developer_name: data.identity.developer_name,
        product_family: data.identity.product_family,
        short_intro: data.identity.short_intro,
        forbid_provider_mention: toBool(data.identity.forbid_provider_mention),
        updated_at: timestamp,
      },
    ],

    conversation_summary_settings: [
      {
        id: SINGLE_ROW_ID,
        summary_enabled: toBool(data.summarySettings.summary_enabled),
        summary_first_threshold: data.summarySettings.summary_first_threshold,
        summary_update_step: data.summarySettings.summary_update_step,
        summary_max_messages: data.summarySettings.summary_max_messages,
        updated_at: timestamp,
      },
    ],

    image_gen_configs: data.imageGenConfigs.map((image) => ({
      name: image.name,
      display_name: image.display_name,
      is_active: toBool(image.is_active),
      is_default: toBool(image.is_default),
      checkpoint: image.checkpoint,
      vae: image.vae,
      loras: toJson(image.loras),
      default_params: toJson(image.default_params),
      negative_prompt_template: image.negative_prompt_template,
      description: image.description,
      ...created,
    })),

    theme_configs: data.themes.map((theme) => ({
      name: theme.name,
      display_name: theme.display_name,
      is_active: toBool(theme.is_active),
      is_default: toBool(theme.is_default),
      sort_order: theme.sort_order,
      colors: toJson(theme.colors),
      fonts: toJson(theme.fonts),
      custom_css: theme.custom_css,
      ...created,
    })),

    ui_text_configs: Object.entries(collectUiTexts(data.uiTexts, data.personas)).flatMap(
      ([key, text]) =>
        SEED_LOCALES.map((locale) => ({
          key,
          value: text[locale],
          locale,
          category: text.category,
          description: text.description,
          updated_at: timestamp,
        })),
    ),
  };
}
