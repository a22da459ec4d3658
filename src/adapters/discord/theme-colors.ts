import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { EmbedColors } from './command-reply-messages.js';

/** Colours used when no theme is active or its colours do not parse: Discord blurple and a red. */
export const FALLBACK_EMBED_COLORS: EmbedColors = { primary: 0x5865f2, error: 0xe5484d };

/**
 * Reads the embed colours of the active theme (`theme_configs` with `is_active` 1):
 * `colors.primary` and `colors.error`, written as `#rrggbb`. Read on every reply, so an
 * admin's theme change shows at once.
 */
export async function activeEmbedColors(db: Kysely<Database>): Promise<EmbedColors> {
  const theme = await db
    .selectFrom('theme_configs')
    .select('colors')
    .where('is_active', '=', 1)
    .orderBy('sort_order')
    .executeTakeFirst();
  if (!theme) return FALLBACK_EMBED_COLORS;

  let colors: Record<string, unknown>;
  try {
    colors = JSON.parse(theme.colors) as Record<string, unknown>;
  } catch {
    return FALLBACK_EMBED_COLORS;
  }
  return {
    primary: parseHexColor(colors.primary) ?? FALLBACK_EMBED_COLORS.primary,
    error: parseHexColor(colors.error) ?? FALLBACK_EMBED_COLORS.error,
  };
}

/** Parses `#rgb` or `#rrggbb` into an integer; undefined for anything else. */
export function parseHexColor(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const digits = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(value.trim())?.[1];
  if (digits === undefined) return undefined;
  const hex = digits.length === 3 ? [...digits].map((digit) => digit + digit).join('') : digits;
  return Number.parseInt(hex, 16);
}
