import { z } from 'zod';
import type { PersonaRow } from '../../db/schema.js';
import { escapeMarkdown } from '../../engine/markdown-escape.js';
import { canUseLocal } from '../../engine/permissions.js';
import type { CommandContext, CommandDefinition, CommandReply } from '../types.js';
import { buttonRows } from './buttons.js';

// The whole argument may be a title with spaces or a name followed by other words, so it may be long.
const personaOptions = z.object({ name: z.string().max(500).optional() });

/**
 * `/persona [name]`: without a name, lists the personas this user may choose as buttons;
 * with one, makes it `users.active_persona`. Personas with `requires_uncensored` are hidden
 * from and rejected for users without local model access.
 */
export const personaCommand: CommandDefinition<typeof personaOptions> = {
  name: 'persona',
  nameTr: 'persona',
  usage: '/persona [NAME]',
  schema: personaOptions,
  discordOptions: [
    { name: 'name', nameTr: 'ad', descriptionKey: 'option.persona.name.description', type: 'string', required: false },
  ],
  parse: (argumentText) => ({ name: argumentText.trim() === '' ? undefined : argumentText.trim() }),
  async handle(context) {
    const requested = context.options.name;
    if (requested === undefined) return listPersonas(context);

    const persona = await findPersona(context, requested);
    if (!persona) {
      return { text: context.t('persona.not_found', { persona: escapeMarkdown(requested) }), isError: true };
    }

    const title = personaTitle(context, persona.name);
    if (persona.requires_uncensored === 1 && !canUseLocal(context.actor.user)) {
      context.services.logger.info({ userId: context.actor.user.id, persona: persona.name }, 'persona rejected: no local access');
      return { text: context.t('refusal.persona_locked', { persona: title }), isError: true };
    }

    await context.services.db
      .updateTable('users')
      .set({ active_persona: persona.name })
      .where('id', '=', context.actor.user.id)
      .execute();
    return { text: context.t('persona.changed', { persona: title }) };
  },
};

/**
 * Finds the active persona a user named: by its `name`, its `display_name` or its title in
 * either language ("araştırmacı", "Rol Oyunu"), compared case-insensitively and with Turkish
 * letters folded, so that "arastirmaci" also matches. When the whole text matches nothing,
 * its first word is tried, so "/persona coder please" still picks the coder.
 */
async function findPersona(context: CommandContext<unknown>, requested: string): Promise<PersonaRow | undefined> {
  const rows = await context.services.db.selectFrom('persona_configs').selectAll().where('is_active', '=', 1).execute();
  const { texts } = context.services;
  const namesOf = (persona: PersonaRow): string[] => {
    const key = `persona.${persona.name}.title`;
    const titles = (['tr', 'en'] as const).filter((locale) => texts.has(locale, key)).map((locale) => texts.t(locale, key));
    return [persona.name, persona.display_name, ...titles].map(foldName);
  };
  const match = (text: string): PersonaRow | undefined => {
    const requestedName = foldName(text);
    const byName = rows.find((persona) => foldName(persona.name) === requestedName);
    return byName ?? rows.find((persona) => namesOf(persona).includes(requestedName));
  };
  return match(requested) ?? match(requested.trim().split(/\s+/)[0] ?? '');
}

/** Folds a persona name for comparison: NFKC, Turkish-aware lower case, Turkish letters as ASCII. */
function foldName(text: string): string {
  return text
    .normalize('NFKC')
    .trim()
    .replace(/\s+/g, ' ')
    .toLocaleLowerCase('tr')
    .replace(/\u0307/g, '')
    .replace(/ı/g, 'i')
    .replace(/ş/g, 's')
    .replace(/ç/g, 'c')
    .replace(/ğ/g, 'g')
    .replace(/ö/g, 'o')
    .replace(/ü/g, 'u');
}

async function listPersonas(context: CommandContext<unknown>): Promise<CommandReply> {
  const rows = await context.services.db
    .selectFrom('persona_configs')
    .selectAll()
    .where('is_active', '=', 1)
    .orderBy('sort_order')
    .orderBy('name')
    .execute();
  const personas = rows.filter((persona) => persona.requires_uncensored === 0 || canUseLocal(context.actor.user));

  const current = context.actor.user.active_persona;
  const lines = personas.map((persona) => {
    const marker = persona.name === current ? ' ✓' : '';
    const description = textOr(context, `persona.${persona.name}.description`, escapeMarkdown(persona.description ?? ''));
    return `${iconOf(persona)} **${personaTitle(context, persona.name)}**${marker} – ${description}`;
  });

  const buttons = personas.map((persona) => ({
    label: `${iconOf(persona)} ${personaTitle(context, persona.name)}`,
    command: `/persona ${persona.name}`,
  }));

  return {
    title: context.t('command.persona.description'),
    text: [context.t('persona.list'), '', ...lines].join('\n'),
    buttons: buttonRows(buttons),
  };
}

/** Localized persona name; a persona added without ui texts shows its `name`. */
function personaTitle(context: CommandContext<unknown>, name: string): string {
  return textOr(context, `persona.${name}.title`, escapeMarkdown(name));
}

function textOr(context: CommandContext<unknown>, key: string, fallback: string): string {
  const { texts } = context.services;
  return texts.has(context.locale, key) || texts.has('en', key) ? context.t(key) : fallback;
}

function iconOf(persona: PersonaRow): string {
  return persona.icon ?? '•';
}
