import type { ChatInputCommandInteraction } from 'discord.js';
import type { CommandDefinition, DiscordOptionSpec } from '../../commands/types.js';
import { discordOptionsOf } from './command-registration.js';

/**
 * Option values the argument text cannot express. A command's `parse` splits the text at white
 * space, and only its last part keeps the rest of the text. So only the definition's last
 * option may contain spaces, and a given option must not follow an empty one, because its value
 * would move into the empty option's place.
 */
export type OptionProblem =
  | { kind: 'has_spaces'; option: DiscordOptionSpec }
  | { kind: 'missing'; option: DiscordOptionSpec };

export type ArgumentTextResult = { text: string } | { problem: OptionProblem };

/**
 * Builds the argument text a command's `parse` expects from slash command option values: the
 * values in the definition's option order, joined by spaces, with a `user` option as the user
 * id. Empty values at the end are left out. Returns a problem instead when the text would give
 * `parse` other values than the user entered, for example `/prefs` with the key "my tone",
 * which would store the key "my".
 */
export function argumentTextFrom(
  options: readonly DiscordOptionSpec[],
  valueOf: (option: DiscordOptionSpec) => string | undefined,
): ArgumentTextResult {
  const values: string[] = [];
  let firstMissing: DiscordOptionSpec | undefined;
  for (const [index, option] of options.entries()) {
    const value = valueOf(option)?.trim();
    if (value === undefined || value === '') {
      firstMissing ??= option;
      continue;
    }
    if (firstMissing) return { problem: { kind: 'missing', option: firstMissing } };
    if (index < options.length - 1 && /\s/.test(value)) return { problem: { kind: 'has_spaces', option } };
    values.push(value);
  }
  return { text: values.join(' ') };
}

/** Reads the argument text of a slash command interaction for `definition`. */
export function argumentTextOf(interaction: ChatInputCommandInteraction, definition: CommandDefinition): ArgumentTextResult {
  return argumentTextFrom(discordOptionsOf(definition), (option) => {
    const supplied = interaction.options.get(option.name);
    if (!supplied) return undefined;
    if (option.type === 'user' && supplied.user) return supplied.user.id;
    return supplied.value === undefined ? undefined : String(supplied.value);
  });
}
