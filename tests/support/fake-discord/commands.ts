import { ApplicationCommandType } from 'discord.js';
import type { FakeContext } from './context.js';
import { discordErrors, invalidFormBody } from './errors.js';
import { validateCommand, validateCommandList } from './command-validation.js';
import type { RestRequest, RestResult } from './rest-server.js';
import type { StoredCommand } from './state.js';

function assertOwnApplication(context: FakeContext, request: RestRequest): void {
  if (request.params.application !== context.applicationId) {
    throw discordErrors.missingAccess();
  }
}

/**
 * Builds the stored command from a request body, keeping the id of an existing command with the
 * same name and type, because Discord treats registration by name as an upsert.
 */
function toStoredCommand(context: FakeContext, raw: Record<string, any>, existing: readonly StoredCommand[]): StoredCommand {
  const type = typeof raw.type === 'number' ? raw.type : ApplicationCommandType.ChatInput;
  const previous = existing.find((command) => command.name === raw.name && command.type === type);

  return {
    ...raw,
    id: previous?.id ?? context.ids.next(),
    application_id: context.applicationId,
    version: context.ids.next(),
    type,
    name: raw.name,
    name_localizations: raw.name_localizations ?? null,
    description: raw.description ?? '',
    description_localizations: raw.description_localizations ?? null,
    ...(raw.options ? { options: raw.options } : {}),
    default_member_permissions: raw.default_member_permissions ?? null,
    contexts: raw.contexts ?? null,
    integration_types: raw.integration_types ?? [0],
    nsfw: raw.nsfw ?? false,
  };
}

/** GET /applications/{application}/commands */
export function handleListCommands(context: FakeContext, request: RestRequest): RestResult {
  assertOwnApplication(context, request);
  return { status: 200, body: context.state.commands };
}

/** PUT /applications/{application}/commands: replaces every global command after validating all of them. */
export function handleOverwriteCommands(context: FakeContext, request: RestRequest): RestResult {
  assertOwnApplication(context, request);
  const errors = validateCommandList(request.body);
  if (errors.length > 0) {
    throw invalidFormBody(errors);
  }

  const previous = context.state.commands;
  context.state.commands = (request.body as Array<Record<string, any>>).map((raw) => toStoredCommand(context, raw, previous));
  context.state.changed();
  return { status: 200, body: context.state.commands };
}

/** POST /applications/{application}/commands: creates or updates one command by name and type. */
export function handleCreateCommand(context: FakeContext, request: RestRequest): RestResult {
  assertOwnApplication(context, request);
  const errors = validateCommand(request.body);
  if (errors.length > 0) {
    throw invalidFormBody(errors);
  }

  const command = toStoredCommand(context, request.body, context.state.commands);
  const existed = context.state.commands.some((stored) => stored.id === command.id);
  context.state.commands = [...context.state.commands.filter((stored) => stored.id !== command.id), command];
  context.state.changed();
  return { status: existed ? 200 : 201, body: command };
}

/** DELETE /applications/{application}/commands/{command} */
export function handleDeleteCommand(context: FakeContext, request: RestRequest): RestResult {
  assertOwnApplication(context, request);
  const before = context.state.commands.length;
  context.state.commands = context.state.commands.filter((command) => command.id !== request.params.command);
  if (context.state.commands.length === before) {
    throw discordErrors.unknownApplicationCommand();
  }
  context.state.changed();
  return { status: 204 };
}
