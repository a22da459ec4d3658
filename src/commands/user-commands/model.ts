import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../db/schema.js';
import { parseJson } from '../../db/values.js';
import { escapeMarkdown, inlineCode } from '../../engine/markdown-escape.js';
import { canUseLocal } from '../../engine/permissions.js';
import type { Engine } from '../../router/types.js';
import { AUTO_MODEL } from '../../router/selection.js';
import type { CommandContext, CommandDefinition, CommandReply } from '../types.js';
import { splitArguments } from './arguments.js';
import { buttonRows } from './buttons.js';

/** Model purposes used for chat turns; `summary` models only fold old messages into summaries. */
export const CHAT_PURPOSES: readonly string[] = ['chat', 'uncensored'];

/** An active chat model as `/model` offers it. */
export interface ModelChoice {
  /** `model_configs.name`, stored in `users.selected_model`. */
  name: string;
  displayName: string;
  engine: Engine;
}

const modelOptions = z.object({ name: z.string().max(64).optional() });

/**
 * `/model [name|auto]`: without a name, lists the active chat models this user may use as
 * buttons, plus `auto`; with one, stores it in `users.selected_model`. A local model needs
 * local access (`canUseLocal`).
 */
export const modelCommand: CommandDefinition<typeof modelOptions> = {
  name: 'model',
  nameTr: 'model',
  usage: '/model [NAME|auto]',
  schema: modelOptions,
  discordOptions: [
    { name: 'name', nameTr: 'ad', descriptionKey: 'option.model.name.description', type: 'string', required: false },
  ],
  parse: (argumentText) => ({ name: splitArguments(argumentText, 1)[0] }),
  async handle(context) {
    const requested = context.options.name?.toLowerCase();
    if (requested === undefined) return listModels(context);

    const { db, logger } = context.services;
    if (requested === AUTO_MODEL) {
      await db.updateTable('users').set({ selected_model: AUTO_MODEL }).where('id', '=', context.actor.user.id).execute();
      return { text: context.t('model.changed_auto') };
    }

    const choice = (await loadModelChoices(db)).find((model) => model.name.toLowerCase() === requested);
    if (!choice) return { text: context.t('model.not_found', { model: escapeMarkdown(requested) }), isError: true };

    if (choice.engine === 'local' && !canUseLocal(context.actor.user)) {
      logger.info({ userId: context.actor.user.id, model: choice.name }, 'local model rejected: no local access');
      return { text: context.t('model.locked', { model: escapeMarkdown(choice.displayName) }), isError: true };
    }

    await db.updateTable('users').set({ selected_model: choice.name }).where('id', '=', context.actor.user.id).execute();
    return { text: context.t('model.changed', { model: escapeMarkdown(choice.displayName) }) };
  },
};

/**
 * Reads the active models of a chat purpose whose provider row is active, with the engine
 * from `api_configs.settings.engine` (cloud when missing, as the router reads it).
 *
 * NOTE: a provider the router disabled at start-up for a missing API key still shows here,
 * because commands see the database, not the router's catalog. Choosing such a model is
 * harmless, because the router skips it and falls back to the next candidate.
 */
export async function loadModelChoices(db: Kysely<Database>): Promise<ModelChoice[]> {
  const rows = await db
    .selectFrom('model_configs')
    .innerJoin('api_configs', 'api_configs.name', 'model_configs.provider')
    .select([
      'model_configs.name as name',
      'model_configs.display_name as displayName',
      'api_configs.settings as providerSettings',
    ])
    .where('model_configs.is_active', '=', 1)
    .where('api_configs.is_active', '=', 1)
    .where('model_configs.purpose', 'in', [...CHAT_PURPOSES])
    .orderBy('model_configs.is_default', 'desc')
    .orderBy('model_configs.priority', 'desc')
    .orderBy('model_configs.name')
    .execute();

  return rows.map((row) => ({
    name: row.name,
    displayName: row.displayName,
    engine: parseJson<{ engine?: unknown }>(row.providerSettings, {}).engine === 'local' ? 'local' : 'cloud',
  }));
}

async function listModels(context: CommandContext<unknown>): Promise<CommandReply> {
  const user = context.actor.user;
  const mayUseLocal = canUseLocal(user);
  const models = (await loadModelChoices(context.services.db)).filter((model) => model.engine !== 'local' || mayUseLocal);

  const autoLabel = context.t('model.auto_label');
  const current = user.selected_model;
  const currentChoice = models.find((model) => model.name === current);
  const currentName = current === AUTO_MODEL || !currentChoice ? autoLabel : escapeMarkdown(currentChoice.displayName);

  const lines = [
    `• **${autoLabel}** (${inlineCode(AUTO_MODEL)}) – ${context.t('model.auto_description')}`,
    ...models.map((model) => `• **${escapeMarkdown(model.displayName)}** (${inlineCode(model.name)})`),
  ];
  const buttons = [
    { label: autoLabel, command: `/model ${AUTO_MODEL}` },
    ...models.map((model) => ({ label: model.displayName, command: `/model ${model.name}` })),
  ];

  return {
    title: context.t('command.model.description'),
    text: [context.t('model.list', { model: currentName }), '', ...lines].join('\n'),
    buttons: buttonRows(buttons),
  };
}
