import { ApplicationCommandOptionType, ApplicationCommandType, Locale } from 'discord.js';
import type { FieldError } from './errors.js';

/**
 * Discord's naming rule for application commands and options, as its application command
 * reference states it; `CHAT_INPUT` names must also be lower case where the script has case.
 */
const COMMAND_NAME_PATTERN = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

/** Maximum length of a command or option description. */
export const COMMAND_DESCRIPTION_MAX_LENGTH = 100;

/** Maximum number of global `CHAT_INPUT` commands per application. */
export const GLOBAL_CHAT_INPUT_COMMANDS_MAX = 100;

/** Maximum number of options on a command and of choices on an option. */
export const COMMAND_OPTIONS_MAX = 25;

const LOCALES: ReadonlySet<string> = new Set(Object.values(Locale));

type Path = Array<string | number>;

// NOTE: the field error codes below (other than BASE_TYPE_MAX_LENGTH and BASE_TYPE_REQUIRED) are
// descriptive stand-ins; Discord's exact codes for these failures are not documented.
function checkName(path: Path, name: unknown, lowerCase: boolean): FieldError[] {
  if (typeof name !== 'string' || name.length === 0) {
    return [{ path, code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }];
  }
  if (!COMMAND_NAME_PATTERN.test(name)) {
    return [{ path, code: 'APPLICATION_COMMAND_INVALID_NAME', message: `Command name "${name}" is invalid` }];
  }
  if (lowerCase && name !== name.toLowerCase()) {
    return [{ path, code: 'APPLICATION_COMMAND_INVALID_NAME', message: `Command name "${name}" must be lower case` }];
  }
  return [];
}

function checkDescription(path: Path, description: unknown): FieldError[] {
  if (typeof description !== 'string' || description.length === 0) {
    return [{ path, code: 'BASE_TYPE_MIN_LENGTH', message: 'Must be between 1 and 100 in length.' }];
  }
  if ([...description].length > COMMAND_DESCRIPTION_MAX_LENGTH) {
    return [{ path, code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${COMMAND_DESCRIPTION_MAX_LENGTH} or fewer in length.` }];
  }
  return [];
}

function checkLocalizations(
  path: Path,
  localizations: unknown,
  checkValue: (valuePath: Path, value: unknown) => FieldError[],
): FieldError[] {
  if (localizations == null) {
    return [];
  }
  if (typeof localizations !== 'object' || Array.isArray(localizations)) {
    return [{ path, code: 'DICT_TYPE_CONVERT', message: 'Only dictionaries may be used in a DictType' }];
  }

  const errors: FieldError[] = [];
  for (const [locale, value] of Object.entries(localizations)) {
    if (!LOCALES.has(locale)) {
      errors.push({ path: [...path, locale], code: 'LOCALE_INVALID', message: `Invalid locale "${locale}"` });
      continue;
    }
    errors.push(...checkValue([...path, locale], value));
  }
  return errors;
}

function checkOptions(path: Path, options: unknown): FieldError[] {
  if (options == null) {
    return [];
  }
  if (!Array.isArray(options)) {
    return [{ path, code: 'LIST_TYPE_CONVERT', message: 'Only iterables may be used in a ListType' }];
  }

  const errors: FieldError[] = [];
  if (options.length > COMMAND_OPTIONS_MAX) {
    errors.push({ path, code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${COMMAND_OPTIONS_MAX} or fewer in length.` });
  }

  let seenOptional = false;
  const names = new Set<string>();
  options.forEach((raw, index) => {
    const option = (raw ?? {}) as Record<string, unknown>;
    const optionPath = [...path, index];
    const isGroup =
      option.type === ApplicationCommandOptionType.Subcommand ||
      option.type === ApplicationCommandOptionType.SubcommandGroup;

    errors.push(...checkName([...optionPath, 'name'], option.name, true));
    errors.push(...checkDescription([...optionPath, 'description'], option.description));
    errors.push(
      ...checkLocalizations([...optionPath, 'name_localizations'], option.name_localizations, (p, v) => checkName(p, v, true)),
      ...checkLocalizations([...optionPath, 'description_localizations'], option.description_localizations, checkDescription),
    );

    if (typeof option.name === 'string') {
      if (names.has(option.name)) {
        errors.push({ path: [...optionPath, 'name'], code: 'APPLICATION_COMMAND_OPTION_NAME_ALREADY_EXISTS', message: 'Option names must be unique' });
      }
      names.add(option.name);
    }

    if (!isGroup) {
      if (option.required === true && seenOptional) {
        errors.push({ path: [...optionPath, 'required'], code: 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID', message: 'Required options must be placed before non-required options' });
      }
      seenOptional ||= option.required !== true;
    }

    if (Array.isArray(option.choices) && option.choices.length > COMMAND_OPTIONS_MAX) {
      errors.push({ path: [...optionPath, 'choices'], code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${COMMAND_OPTIONS_MAX} or fewer in length.` });
    }
    errors.push(...checkOptions([...optionPath, 'options'], option.options));
  });
  return errors;
}

/**
 * Validates the body of a bulk overwrite (PUT /applications/{id}/commands): names, descriptions,
 * localization keys and values, options, and duplicate names per command type.
 */
export function validateCommandList(body: unknown): FieldError[] {
  if (!Array.isArray(body)) {
    return [{ path: [], code: 'LIST_TYPE_CONVERT', message: 'Only iterables may be used in a ListType' }];
  }

  const errors: FieldError[] = [];
  const namesByType = new Map<number, Set<string>>();
  let chatInputCount = 0;

  body.forEach((raw, index) => {
    errors.push(...validateCommand(raw, [index]));

    const command = (raw ?? {}) as Record<string, unknown>;
    const type = typeof command.type === 'number' ? command.type : ApplicationCommandType.ChatInput;
    chatInputCount += type === ApplicationCommandType.ChatInput ? 1 : 0;

    const names = namesByType.get(type) ?? new Set<string>();
    namesByType.set(type, names);
    if (typeof command.name === 'string') {
      if (names.has(command.name)) {
        errors.push({ path: [index, 'name'], code: 'APPLICATION_COMMANDS_DUPLICATE_NAME', message: `Application command names must be unique: ${command.name}` });
      }
      names.add(command.name);
    }
  });

  if (chatInputCount > GLOBAL_CHAT_INPUT_COMMANDS_MAX) {
    errors.push({ path: [], code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${GLOBAL_CHAT_INPUT_COMMANDS_MAX} or fewer in length.` });
  }
  return errors;
}

/** Validates one command object; `path` prefixes every reported field. */
export function validateCommand(raw: unknown, path: Path = []): FieldError[] {
  const command = (raw ?? {}) as Record<string, unknown>;
  const type = typeof command.type === 'number' ? command.type : ApplicationCommandType.ChatInput;
  const isChatInput = type === ApplicationCommandType.ChatInput;

  const errors = [
    ...checkName([...path, 'name'], command.name, isChatInput),
    ...checkLocalizations([...path, 'name_localizations'], command.name_localizations, (p, v) => checkName(p, v, isChatInput)),
  ];
  if (isChatInput) {
    errors.push(
      ...checkDescription([...path, 'description'], command.description),
      ...checkLocalizations([...path, 'description_localizations'], command.description_localizations, checkDescription),
      ...checkOptions([...path, 'options'], command.options),
    );
  }
  return errors;
}
