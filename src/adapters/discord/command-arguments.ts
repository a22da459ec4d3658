import type { ChatInputCommandInteraction } from 'discord.js';
import type { CommandDefinition, DiscordOptionSpec } from '../../commands/types.js';
import { discordOptionsOf } from './command-registration.js';

/**
 * Builds the argument text a command's `parse` expects from slash command option values: the
 * values in the definition's option order, joined by spaces, with a `user` option as the user
 * id. Missing optional values are left out.
 * NOTE: a missing optional option followed by a given one shifts the later value one place
 * to the left. Commands whose optional options depend on position must make the earlier ones
 * required or give them a default value.
 */
export function argumentTextFrom(
  options: readonly DiscordOptionSpec[],
  valueOf: (option: DiscordOptionSpec) => string | undefined,
): string {
  const values: string[] = [];
  for (const option of options) {
    const value = valueOf(option)?.trim();
    if (value !== undefined && value !== '') values.push(value);
  }
  return values.join(' ');
}

/** Reads the argument text of a slash command interaction for `definition`. */
export function argumentTextOf(interaction: ChatInputCommandInteraction, definition: CommandDefinition): string {
  return argumentTextFrom(discordOptionsOf(definition), (option) => {
    const supplied = interaction.options.get(option.name);
    if (!supplied) return undefined;
    if (option.type === 'user' && supplied.user) return supplied.user.id;
    return supplied.value === undefined ? undefined : String(supplied.value);
  });
}
