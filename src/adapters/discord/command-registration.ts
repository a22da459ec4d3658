import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  InteractionContextType,
  type APIApplicationCommandBasicOption,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { CommandDefinition, DiscordOptionSpec } from '../../commands/types.js';
import type { TextCatalog } from '../../i18n/texts.js';
import { COMMAND_DESCRIPTION_MAX_LENGTH } from './limits.js';

/**
 * The option a command without `discordOptions` gets: its text is passed to the command as
 * the argument text, exactly as typed after a Telegram command.
 */
export const ARGUMENTS_OPTION: DiscordOptionSpec = {
  name: 'args',
  nameTr: 'argumanlar',
  descriptionKey: 'option.args.description',
  type: 'string',
  required: false,
};

/** Returns the Discord options of a command, in the order the command's parser expects their values. */
export function discordOptionsOf(definition: CommandDefinition): DiscordOptionSpec[] {
  return definition.discordOptions ?? [ARGUMENTS_OPTION];
}

/**
 * Builds the global slash commands for a bulk overwrite: English names and descriptions as the
 * default, Turkish name and description localizations, usable in DMs with the bot and in
 * servers. Descriptions come from the ui texts `command.<name>.description` and each option's
 * `descriptionKey`.
 */
export function slashCommandBodies(
  commands: readonly CommandDefinition[],
  texts: TextCatalog,
): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  return commands.map((definition) => ({
    type: ApplicationCommandType.ChatInput,
    name: definition.name,
    ...(definition.nameTr ? { name_localizations: { tr: definition.nameTr } } : {}),
    description: description(texts.t('en', `command.${definition.name}.description`)),
    description_localizations: { tr: description(texts.t('tr', `command.${definition.name}.description`)) },
    contexts: [InteractionContextType.BotDM, InteractionContextType.Guild],
    integration_types: [ApplicationIntegrationType.GuildInstall],
    options: registrationOrder(discordOptionsOf(definition)).map((option) => optionBody(option, texts)),
  }));
}

function optionBody(option: DiscordOptionSpec, texts: TextCatalog): APIApplicationCommandBasicOption {
  const base = {
    name: option.name,
    ...(option.nameTr ? { name_localizations: { tr: option.nameTr } } : {}),
    description: description(texts.t('en', option.descriptionKey)),
    description_localizations: { tr: description(texts.t('tr', option.descriptionKey)) },
    required: option.required ?? false,
  };
  if (option.type === 'user') return { ...base, type: ApplicationCommandOptionType.User };
  if (option.type === 'integer') return { ...base, type: ApplicationCommandOptionType.Integer };
  return {
    ...base,
    type: ApplicationCommandOptionType.String,
    ...(option.choices ? { choices: option.choices.map((choice) => ({ name: choice.name, value: choice.value })) } : {}),
  };
}

/**
 * Discord rejects a required option after an optional one, so required options are registered
 * first. The argument text is still built in the definition's order.
 */
function registrationOrder(options: readonly DiscordOptionSpec[]): DiscordOptionSpec[] {
  return [...options.filter((option) => option.required), ...options.filter((option) => !option.required)];
}

/** Cuts a description to Discord's limit, counted in code points. */
function description(text: string): string {
  const characters = [...text.trim()];
  if (characters.length <= COMMAND_DESCRIPTION_MAX_LENGTH) return characters.join('');
  return `${characters.slice(0, COMMAND_DESCRIPTION_MAX_LENGTH - 1).join('')}…`;
}
