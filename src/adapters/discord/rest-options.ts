import { DefaultRestOptions } from 'discord.js';

/** The REST roots discord.js builds every URL from. */
export interface DiscordRestRoots {
  api: string;
  cdn: string;
  mediaProxy: string;
}

/**
 * Derives every REST root from `DISCORD_API_BASE`, so discord.js never falls back to a default
 * Discord host. Discord's own API base keeps Discord's CDN and media proxy. Any other base, such
 * as a proxy or a test server, serves them from its own origin under `/cdn`.
 */
export function restRootsFor(apiBase: string): DiscordRestRoots {
  const api = apiBase.replace(/\/+$/, '');
  if (api === DefaultRestOptions.api) {
    return { api, cdn: DefaultRestOptions.cdn, mediaProxy: DefaultRestOptions.mediaProxy };
  }
  const cdn = `${new URL(api).origin}/cdn`;
  return { api, cdn, mediaProxy: cdn };
}
