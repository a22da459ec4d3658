import { z } from 'zod';
import type { DiscordOptionSpec } from '../types.js';
import { splitArguments } from '../user-commands/arguments.js';

/** Options of an admin command that acts on one user named by its first argument. */
export const targetUserOptions = z.object({ user: z.string().min(1) });

/** The USER option of admin commands that act on one user. */
export const USER_OPTION: DiscordOptionSpec = {
  name: 'user',
  nameTr: 'kullanici',
  descriptionKey: 'option.user.description',
  type: 'user',
  required: true,
};

/** Parses argument text whose only word names the target user. */
export function parseTargetUser(argumentText: string): { user: string } {
  return { user: splitArguments(argumentText, 1)[0] ?? '' };
}
