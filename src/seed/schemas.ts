import { z } from 'zod';

/**
 * Zod schemas for the JSON seed files in `config/`, one schema per file.
 *
 * Each file contains the defaults for one table. The schemas check what the database cannot:
 * value types, ranges, and the shape of JSON columns that other modules read back.
 */

/** Locales every UI text must be shipped in. */
export const SEED_LOCALES = ['en', 'tr'] as const;
export type SeedLocale = (typeof SEED_LOCALES)[number];

/**
 * Maximum length of a command description. Discord allows 1-100 characters
 * (application command `description`), Telegram 1-256 (`BotCommand.description`), and the
 * same text serves both.
 */
export const COMMAND_DESCRIPTION_MAX_LENGTH = 100;

/** `{name}` placeholders in a UI text. */
const PLACEHOLDER_PATTERN = /\{([a-z_][a-z0-9_]*)\}/gi;

/** Returns the distinct placeholder names used in `text`, sorted. */
export function extractPlaceholders(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(PLACEHOLDER_PATTERN)) {
    names.add(match[1] as string);
  }
  return [...names].sort();
}

const name = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be lower-case letters, digits, ".", "_" or "-"');
const text = z.string().trim().min(1);
const unitInterval = z.number().min(0).max(1);
const hexColor = z.string().regex(/^#[0-9a-f]{6}$/i, 'must be a colour in the form #rrggbb');

// --- system-configs.json -------------------------------------------------------------------

/** Dotted setting key; the part before the first dot becomes the row's category. */
const settingKey = z
  .string()
  .regex(
    /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/,
    'must be dotted lower-case words with at least one dot, like "access.mode"',
  );

const settingFields = {
  key: settingKey,
  description: text,
  is_secret: z.boolean(),
  is_editable: z.boolean(),
};

/**
 * One typed setting. `value` is written in its natural JSON type and stored as text by
 * `formatSettingValue`.
 */
export const systemConfigSchema = z.discriminatedUnion('value_type', [
  z.strictObject({ ...settingFields, value_type: z.literal('string'), value: z.string() }),
  z.strictObject({ ...settingFields, value_type: z.literal('integer'), value: z.int() }),
  z.strictObject({ ...settingFields, value_type: z.literal('float'), value: z.number() }),
  z.strictObject({ ...settingFields, value_type: z.literal('boolean'), value: z.boolean() }),
  z.strictObject({ ...settingFields, value_type: z.literal('json'), value: z.json() }),
]);
export type SystemConfigSeed = z.infer<typeof systemConfigSchema>;

export const systemConfigsFileSchema = z
  .array(systemConfigSchema)
  .superRefine((rows, ctx) => reportDuplicates(rows, (row) => row.key, 'key', ctx));

/**
 * Converts a setting's value to the text stored in `system_configs.value`: strings as they
 * are, numbers in JavaScript's shortest form, booleans as `true`/`false`, JSON as JSON text.
 */
export function formatSettingValue(setting: SystemConfigSeed): string {
  switch (setting.value_type) {
    case 'string':
      return setting.value;
    case 'integer':
    case 'float':
      return String(setting.value);
    case 'boolean':
      return setting.value ? 'true' : 'false';
    case 'json':
      return JSON.stringify(setting.value);
  }
}

/** Category of a setting: the key's prefix before the first dot (`limits.user.x` → `limits`). */
export function settingCategory(key: string): string {
  return key.split('.', 1)[0] as string;
}

// --- api-configs.json ----------------------------------------------------------------------

export const apiConfigSchema = z.strictObject({
  name,
  display_name: text,
  base_url: z.url({ protocol: /^https?$/ }),
  is_active: z.boolean().default(true),
  /** Seconds. */
  timeout: z.int().positive(),
  /** Requests per minute; 0 means no limit. */
  rate_limit: z.int().nonnegative(),
  retry_count: z.int().nonnegative(),
  settings: z.record(z.string(), z.json()),
  description: text.nullable().default(null),
});
export type ApiConfigSeed = z.infer<typeof apiConfigSchema>;

export const apiConfigsFileSchema = z
  .array(apiConfigSchema)
  .superRefine((rows, ctx) => reportDuplicates(rows, (row) => row.name, 'name', ctx));

// --- model-configs.json --------------------------------------------------------------------

export const modelConfigSchema = z.strictObject({
  name,
  display_name: text,
  /** Name of an `api-configs.json` entry; checked across files by `loadSeedData`. */
  provider: name,
  model_id: text,
  purpose: name,
  is_active: z.boolean().default(true),
  is_default: z.boolean().default(false),
  priority: z.int(),
  parameters: z.record(z.string(), z.json()),
  capabilities: z.record(z.string(), z.boolean()),
  description: text.nullable().default(null),
});
export type ModelConfigSeed = z.infer<typeof modelConfigSchema>;

export const modelConfigsFileSchema = z.array(modelConfigSchema).superRefine((rows, ctx) => {
  reportDuplicates(rows, (row) => row.name, 'name', ctx);

  // The router picks the default of a purpose first, so two defaults would make the choice
  // depend on row order.
  const defaultsByPurpose = new Map<string, string>();
  rows.forEach((row, index) => {
    if (!row.is_default) return;
    const previous = defaultsByPurpose.get(row.purpose);
    if (previous !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [index, 'is_default'],
        message: `purpose "${row.purpose}" already has the default model "${previous}"`,
      });
    }
    defaultsByPurpose.set(row.purpose, row.name);
  });
});

// --- personas.json -------------------------------------------------------------------------

const localizedText = z.strictObject({ en: text, tr: text });

export const personalityTraitsSchema = z.strictObject({
  /** Free-form word or phrase, such as "warm" or "precise". */
  tone: text,
  emoji_usage: unitInterval,
  verbosity: unitInterval,
  humor: unitInterval,
  formality: unitInterval,
});

export const behaviorRulesSchema = z
  .object({
    stay_in_character: z.boolean(),
    allow_roleplay: z.boolean(),
    allow_nsfw: z.boolean(),
    use_user_name: z.boolean(),
  })
  .catchall(z.union([z.boolean(), z.string(), z.number()]));

export const exampleDialogueSchema = z.strictObject({ user: text, assistant: text });

export const personaSchema = z.strictObject({
  name,
  display_name: text,
  mode_type: name,
  icon: text.nullable(),
  is_active: z.boolean().default(true),
  is_default: z.boolean().default(false),
  sort_order: z.int(),
  system_prompt: text,
  personality_traits: personalityTraitsSchema,
  behavior_rules: behaviorRulesSchema,
  allowed_providers: z.array(name),
  requires_uncensored: z.boolean(),
  preferred_model_purpose: name.nullable(),
  preference_override_mode: z.enum(['hard', 'soft']),
  example_dialogues: z.array(exampleDialogueSchema),
  /** Shown to users as the UI text `persona.<name>.title`. */
  title: localizedText,
  /** Shown to users as the UI text `persona.<name>.description`; `en` also fills the column. */
  description: localizedText,
});
export type PersonaSeed = z.infer<typeof personaSchema>;

export const personasFileSchema = z.array(personaSchema).superRefine((rows, ctx) => {
  reportDuplicates(rows, (row) => row.name, 'name', ctx);

  const defaults = rows.filter((row) => row.is_default).length;
  if (defaults !== 1) {
    ctx.addIssue({
      code: 'custom',
      path: [],
      message: `exactly one persona must have is_default true, found ${defaults}`,
    });
  }
});

// --- identity.json -------------------------------------------------------------------------

export const identitySchema = z.strictObject({
  display_name: text,
  developer_name: text,
  product_family: text,
  short_intro: text,
  forbid_provider_mention: z.boolean(),
});
export type IdentitySeed = z.infer<typeof identitySchema>;

// --- summary-settings.json -----------------------------------------------------------------

export const summarySettingsSchema = z
  .strictObject({
    summary_enabled: z.boolean(),
    summary_first_threshold: z.int().positive(),
    summary_update_step: z.int().positive(),
    summary_max_messages: z.int().positive(),
  })
  .refine((settings) => settings.summary_max_messages >= settings.summary_update_step, {
    // A fold keeps the newest `summary_update_step` messages out of the summary, so a smaller
    // window would hide messages that are in neither the summary nor the prompt.
    path: ['summary_max_messages'],
    message: 'must be at least summary_update_step',
  });
export type SummarySettingsSeed = z.infer<typeof summarySettingsSchema>;

// --- image-gen-configs.json ----------------------------------------------------------------

const loraSchema = z.strictObject({
  /** LoRA file name without extension, as Forge lists it. */
  name: text,
  weight: z.number(),
});

/** Parameters of a Forge / AUTOMATIC1111 `txt2img` request; other request fields pass through. */
const txt2imgParamsSchema = z
  .object({
    width: z.int().positive().multipleOf(8),
    height: z.int().positive().multipleOf(8),
    steps: z.int().min(1).max(150),
    cfg_scale: z.number().positive(),
    sampler_name: text,
    /** -1 lets the server pick a random seed. */
    seed: z.int().min(-1),
  })
  .catchall(z.json());

export const imageGenConfigSchema = z.strictObject({
  name,
  display_name: text,
  is_active: z.boolean().default(true),
  is_default: z.boolean().default(false),
  checkpoint: text,
  vae: text.nullable(),
  loras: z.array(loraSchema),
  default_params: txt2imgParamsSchema,
  negative_prompt_template: z.string(),
  description: text.nullable().default(null),
});
export type ImageGenConfigSeed = z.infer<typeof imageGenConfigSchema>;

export const imageGenConfigsFileSchema = z.array(imageGenConfigSchema).superRefine((rows, ctx) => {
  reportDuplicates(rows, (row) => row.name, 'name', ctx);
  requireOneFlag(rows, (row) => row.is_default, 'is_default', ctx);
});

// --- themes.json ---------------------------------------------------------------------------

export const themeSchema = z.strictObject({
  name,
  display_name: text,
  is_active: z.boolean(),
  is_default: z.boolean(),
  sort_order: z.int(),
  colors: z.strictObject({
    primary: hexColor,
    secondary: hexColor,
    success: hexColor,
    warning: hexColor,
    error: hexColor,
    info: hexColor,
    background: hexColor,
    text: hexColor,
  }),
  fonts: z.record(z.string(), text),
  custom_css: z.string().nullable().default(null),
});
export type ThemeSeed = z.infer<typeof themeSchema>;

export const themesFileSchema = z.array(themeSchema).superRefine((rows, ctx) => {
  reportDuplicates(rows, (row) => row.name, 'name', ctx);
  requireOneFlag(rows, (row) => row.is_default, 'is_default', ctx);
  // Embeds and web pages take their colours from the single active theme.
  requireOneFlag(rows, (row) => row.is_active, 'is_active', ctx);
});

// --- ui-texts.json -------------------------------------------------------------------------

/** Dotted lower-case key such as `refusal.limit_daily_chat`. */
export const uiTextKeySchema = z
  .string()
  .regex(/^[a-z0-9_]+(\.[a-z0-9_]+)*$/, 'must be dotted lower-case words, like "error.internal"');

export const uiTextSchema = z
  .strictObject({
    category: name,
    description: text,
    en: text,
    tr: text,
  })
  .superRefine((entry, ctx) => {
    const english = extractPlaceholders(entry.en).join(', ');
    const turkish = extractPlaceholders(entry.tr).join(', ');
    if (english !== turkish) {
      ctx.addIssue({
        code: 'custom',
        path: ['tr'],
        message: `placeholders {${turkish}} differ from the English text's {${english}}`,
      });
    }
  });
export type UiTextSeed = z.infer<typeof uiTextSchema>;

export const uiTextsFileSchema = z.record(uiTextKeySchema, uiTextSchema).superRefine((texts, ctx) => {
  for (const [key, entry] of Object.entries(texts)) {
    if (!/^command\.[a-z0-9_]+\.description$/.test(key)) continue;
    for (const locale of SEED_LOCALES) {
      if (entry[locale].length > COMMAND_DESCRIPTION_MAX_LENGTH) {
        ctx.addIssue({
          code: 'custom',
          path: [key, locale],
          message: `command descriptions may have at most ${COMMAND_DESCRIPTION_MAX_LENGTH} characters, found ${entry[locale].length}`,
        });
      }
    }
  }
});
export type UiTextsSeed = z.infer<typeof uiTextsFileSchema>;

// --- helpers -------------------------------------------------------------------------------

function reportDuplicates<T>(
  rows: readonly T[],
  keyOf: (row: T) => string,
  field: string,
  ctx: z.RefinementCtx,
): void {
  const seen = new Set<string>();
  rows.forEach((row, index) => {
    const key = keyOf(row);
    if (seen.has(key)) {
      ctx.addIssue({ code: 'custom', path: [index, field], message: `duplicate ${field} "${key}"` });
    }
    seen.add(key);
  });
}

function requireOneFlag<T>(
  rows: readonly T[],
  isSet: (row: T) => boolean,
  field: string,
  ctx: z.RefinementCtx,
): void {
  const count = rows.filter(isSet).length;
  if (count !== 1) {
    ctx.addIssue({
      code: 'custom',
      path: [],
      message: `exactly one entry must have ${field} true, found ${count}`,
    });
  }
}
