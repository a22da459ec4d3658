import { helpCommand, newCommand, startCommand } from './core-commands.js';
import type { CommandDefinition } from './types.js';

/**
 * Every command the bot offers, in menu order. Adapters register these with the platform
 * and route invocations to `dispatchCommand`.
 */
export const COMMANDS: readonly CommandDefinition[] = [startCommand, helpCommand, newCommand] as CommandDefinition[];

export function findCommand(name: string): CommandDefinition | undefined {
  const lower = name.toLowerCase();
  return COMMANDS.find((command) => command.name === lower || command.nameTr === lower);
}
