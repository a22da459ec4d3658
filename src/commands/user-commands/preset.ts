import { z } from 'zod';
import type { ModelPresetRow } from '../../db/schema.js';
import { findActiveConversation, startConversation } from '../../engine/conversations.js';
import { escapeMarkdown } from '../../engine/markdown-escape.js';
import type { CommandContext, CommandDefinition, CommandReply } from '../types.js';
import { buttonRows } from './buttons.js';

/** Argument of `/preset` that clears the preset of the active conversation. */
export const PRESET_OFF = 'off';

const presetOptions = z.object({ name: z.string().max(200).optional() });

/**
 * `/preset [name|off]`: without a name, lists the global presets and the user's own. With a
 * name, sets `conversations.preset_id` of the user's active conversation in this chat, and
 * starts that conversation when there is none. `off` clears the preset. The buttons send a
 * preset's id, because a name may not fit Telegram's 64-byte button data.
 */
export const presetCommand: CommandDefinition<typeof presetOptions> = {
  name: 'preset',
  nameTr: 'sablon',
  usage: '/preset [name|off]',
  schema: presetOptions,
  discordOptions: [
    { name: 'name', nameTr: 'ad', descriptionKey: 'option.preset.name.description', type: 'string', required: false },
  ],
  parse: (argumentText) => ({ name: argumentText.trim() === '' ? undefined : argumentText.trim() }),
  async handle(context) {
    const requested = context.options.name;
    if (requested === undefined) return listPresets(context);

    const presets = await visiblePresets(context);
    const clearing = requested.toLowerCase() === PRESET_OFF;
    const preset = clearing ? null : findPreset(presets, requested);
    if (preset === undefined) {
      return { text: context.t('preset.not_found', { preset: escapeMarkdown(requested) }), isError: true };
    }

    const { engine, db, logger } = context.services;
    const ref = { userId: context.actor.user.id, platform: context.platform, chatId: context.chatId };
    const presetId = preset?.id ?? null;
    const conversationId = await engine.runInChat(context.platform, context.chatId, async () => {
      const active = await findActiveConversation(db, ref);
      if (!active) return (await startConversation(db, ref, { presetId })).id;
      await db.updateTable('conversations').set({ preset_id: presetId }).where('id', '=', active.id).execute();
      return active.id;
    });

    logger.info({ userId: context.actor.user.id, conversationId, presetId }, 'conversation preset changed');
    return preset === null
      ? { text: context.t('preset.cleared') }
      : { text: context.t('preset.changed', { preset: escapeMarkdown(preset.name) }) };
  },
};

async function listPresets(context: CommandContext<unknown>): Promise<CommandReply> {
  const presets = await visiblePresets(context);
  if (presets.length === 0) return { text: context.t('preset.none_available') };

  const ref = { userId: context.actor.user.id, platform: context.platform, chatId: context.chatId };
  const active = await findActiveConversation(context.services.db, ref);
  const current = presets.find((preset) => preset.id === active?.preset_id);
  const currentName = current ? escapeMarkdown(current.name) : context.t('preset.none_label');

  const lines = presets.map((preset) => {
    const owner = preset.is_global === 1 ? '' : ` (${context.t('preset.own_label')})`;
    const description = preset.description ? ` – ${escapeMarkdown(preset.description)}` : '';
    return `• **${escapeMarkdown(preset.name)}**${owner}${description}`;
  });
  const buttons = [
    ...presets.map((preset) => ({ label: preset.name, command: `/preset ${preset.id}` })),
    { label: context.t('preset.off_label'), command: `/preset ${PRESET_OFF}` },
  ];

  return {
    title: context.t('command.preset.description'),
    text: [context.t('preset.list', { preset: currentName }), '', ...lines].join('\n'),
    buttons: buttonRows(buttons),
  };
}

/** Global presets and the user's own, global ones first, each group by name. */
async function visiblePresets(context: CommandContext<unknown>): Promise<ModelPresetRow[]> {
  return context.services.db
    .selectFrom('model_presets')
    .selectAll()
    .where((eb) => eb.or([eb('is_global', '=', 1), eb('owner_id', '=', context.actor.user.id)]))
    .orderBy('is_global', 'desc')
    .orderBy('name')
    .execute();
}

/** Matches by name, case-insensitively, then by id. */
function findPreset(presets: readonly ModelPresetRow[], requested: string): ModelPresetRow | undefined {
  const name = requested.toLowerCase();
  const byName = presets.find((preset) => preset.name.toLowerCase() === name);
  if (byName) return byName;
  return /^\d+$/.test(requested) ? presets.find((preset) => preset.id === Number(requested)) : undefined;
}
