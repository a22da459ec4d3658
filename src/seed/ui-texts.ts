import type { PersonaSeed, UiTextSeed, UiTextsSeed } from './schemas.js';

/** UI text category of the texts generated from the persona seeds. */
export const PERSONA_TEXT_CATEGORY = 'persona';

/** UI text keys that show a persona to users. */
export function personaTextKeys(personaName: string): { title: string; description: string } {
  return {
    title: `persona.${personaName}.title`,
    description: `persona.${personaName}.description`,
  };
}

/** Returns the UI text keys generated from `personas`, in persona order. */
export function personaUiTextKeys(personas: readonly PersonaSeed[]): string[] {
  return personas.flatMap((persona) => Object.values(personaTextKeys(persona.name)));
}

/**
 * Merges the texts of `ui-texts.json` with the title and description of every persona, which
 * live in `personas.json` beside the rest of the persona.
 */
export function collectUiTexts(
  uiTexts: UiTextsSeed,
  personas: readonly PersonaSeed[],
): Record<string, UiTextSeed> {
  const texts: Record<string, UiTextSeed> = { ...uiTexts };

  for (const persona of personas) {
    const keys = personaTextKeys(persona.name);
    texts[keys.title] = {
      category: PERSONA_TEXT_CATEGORY,
      description: `Name of the "${persona.name}" persona in menus and messages.`,
      ...persona.title,
    };
    texts[keys.description] = {
      category: PERSONA_TEXT_CATEGORY,
      description: `One-line description of the "${persona.name}" persona shown when choosing one.`,
      ...persona.description,
    };
  }

  return texts;
}
