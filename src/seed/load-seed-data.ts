import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { z } from 'zod';

import {
  apiConfigsFileSchema,
  identitySchema,
  imageGenConfigsFileSchema,
  modelConfigsFileSchema,
  personasFileSchema,
  summarySettingsSchema,
  systemConfigsFileSchema,
  themesFileSchema,
  uiTextsFileSchema,
} from './schemas.js';
import { personaUiTextKeys } from './ui-texts.js';

/** Every seed file, validated. Produced by `loadSeedData`, consumed by `seedDatabase`. */
export interface SeedData {
  systemConfigs: z.infer<typeof systemConfigsFileSchema>;
  apiConfigs: z.infer<typeof apiConfigsFileSchema>;
  modelConfigs: z.infer<typeof modelConfigsFileSchema>;
  personas: z.infer<typeof personasFileSchema>;
  identity: z.infer<typeof identitySchema>;
  summarySettings: z.infer<typeof summarySettingsSchema>;
  imageGenConfigs: z.infer<typeof imageGenConfigsFileSchema>;
  themes: z.infer<typeof themesFileSchema>;
  uiTexts: z.infer<typeof uiTextsFileSchema>;
}

/** File name of each part of `SeedData` inside the config folder. */
export const SEED_FILES = {
  systemConfigs: 'system-configs.json',
  apiConfigs: 'api-configs.json',
  modelConfigs: 'model-configs.json',
  personas: 'personas.json',
  identity: 'identity.json',
  summarySettings: 'summary-settings.json',
  imageGenConfigs: 'image-gen-configs.json',
  themes: 'themes.json',
  uiTexts: 'ui-texts.json',
} as const satisfies Record<keyof SeedData, string>;

/** The repository's `config/` folder, resolved from this module's location. */
export const DEFAULT_CONFIG_DIR = fileURLToPath(new URL('../../config/', import.meta.url));

/** A seed file that is missing, not valid JSON, or does not match its schema. */
export class SeedDataError extends Error {
  override readonly name = 'SeedDataError';

  constructor(
    /** Path of the offending file. */
    readonly file: string,
    /** One line per problem, each naming the JSON path inside the file where there is one. */
    readonly problems: readonly string[],
    options?: ErrorOptions,
  ) {
    super(`Invalid seed file ${file}:\n${problems.map((line) => `  - ${line}`).join('\n')}`, options);
  }
}

/**
 * Reads and validates every seed file in `configDir`, then checks the references between
 * files (a model's provider must be an API config, a persona's UI text keys must not be
 * written by hand in `ui-texts.json`).
 *
 * Throws `SeedDataError` naming the first bad file and every problem found in it.
 */
export function loadSeedData(configDir: string = DEFAULT_CONFIG_DIR): SeedData {
  const read = <S extends z.ZodType>(part: keyof SeedData, schema: S): z.infer<S> =>
    readSeedFile(join(configDir, SEED_FILES[part]), schema);

  const data: SeedData = {
    systemConfigs: read('systemConfigs', systemConfigsFileSchema),
    apiConfigs: read('apiConfigs', apiConfigsFileSchema),
    modelConfigs: read('modelConfigs', modelConfigsFileSchema),
    personas: read('personas', personasFileSchema),
    identity: read('identity', identitySchema),
    summarySettings: read('summarySettings', summarySettingsSchema),
    imageGenConfigs: read('imageGenConfigs', imageGenConfigsFileSchema),
    themes: read('themes', themesFileSchema),
    uiTexts: read('uiTexts', uiTextsFileSchema),
  };

  checkModelProviders(data, join(configDir, SEED_FILES.modelConfigs));
  checkPersonaTextKeys(data, join(configDir, SEED_FILES.uiTexts));
  return data;
}

/** Reads one JSON file and validates it with `schema`, throwing `SeedDataError` on failure. */
export function readSeedFile<S extends z.ZodType>(path: string, schema: S): z.infer<S> {
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (error) {
    throw new SeedDataError(path, [`cannot be read: ${(error as Error).message}`], { cause: error });
  }

  let json: unknown;
  try {
    json = JSON.parse(source);
  } catch (error) {
    throw new SeedDataError(path, [`is not valid JSON: ${(error as Error).message}`], {
      cause: error,
    });
  }

  const result = schema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `at ${formatIssuePath(issue.path)}: ${issue.message}`,
    );
    throw new SeedDataError(path, problems, { cause: result.error });
  }
  return result.data;
}

/** Formats a zod issue path as a JSON-path-like string: `$[2].behavior_rules.allow_nsfw`. */
function formatIssuePath(path: readonly PropertyKey[]): string {
  let formatted = '$';
  for (const segment of path) {
    formatted += typeof segment === 'number' ? `[${segment}]` : `.${String(segment)}`;
  }
  return formatted;
}

function checkModelProviders(data: SeedData, file: string): void {
  const providers = new Set(data.apiConfigs.map((api) => api.name));
  const problems = data.modelConfigs.flatMap((model, index) =>
    providers.has(model.provider)
      ? []
      : [
          `at $[${index}].provider: "${model.provider}" is not a name in ${SEED_FILES.apiConfigs}`,
        ],
  );
  if (problems.length > 0) throw new SeedDataError(file, problems);
}

function checkPersonaTextKeys(data: SeedData, file: string): void {
  const problems = personaUiTextKeys(data.personas)
    .filter((key) => key in data.uiTexts)
    .map(
      (key) =>
        `at $.${key}: this key is generated from ${SEED_FILES.personas}; edit the persona's title or description there`,
    );
  if (problems.length > 0) throw new SeedDataError(file, problems);
}
