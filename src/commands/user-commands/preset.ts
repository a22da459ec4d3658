import { z } from 'zod';
import type { ModelPresetRow } from '../../db/schema.js';
import { findActiveConversation, startConversation } from '../../engine/conversations.js';
import { escapeMarkdown } from '../../engine/markdown-escape.js';
import { roleOf } from '../../engine/permissions.js';
import type { CommandContext, CommandDefinition, CommandReply } from '../types.js';
import { splitArguments } from './arguments.js';
import { buttonRows } from './buttons.js';

/** Argument of `/preset` that clears the preset of the active conversation. */
export const PRESET_OFF = 'off';

/** First words that name a `/preset` action; a created preset may not be called one of them. */
export const PRESET_ACTIONS: readonly string[] = ['list', 'use', PRESET_OFF, 'create', 'delete', 'global'];

/**
 * A created preset's name: one word of letters, digits, `_`, `.` or `-`. Names of only
 * digits are rejected because `/preset 12` selects the preset with id 12 from a button.
 */
export const PRESET_NAME = /^(?!\d+$)[\p{L}\p{N}_.-]{1,40}$/u;

/** Temperature of a created preset when `temperature=` is not given. */
export const DEFAULT_PRESET_TEMPERATURE = 0.7;

/** Maximum size of a preset template in characters; it goes into every system prompt of the conversation. */
export const PRESET_TEMPLATE_MAX_LENGTH = 2000;

/** Maximum number of presets one user may own. */
export const MAX_PRESETS_PER_USER = 20;

/** Separates the options of `/preset create` from the template text. */
const TEMPLATE_SEPARATOR = '|';

const presetName = z.string().trim().min(1).max(200);
const presetOptions = z.discriminatedUnion('action', [
  z.object({ action: z.literal('list') }),
  z.object({ action: z.literal('off') }),
  z.object({ action: z.literal('use'), name: presetName }),
  z.object({ action: z.literal('delete'), name: presetName }),
  z.object({ action: z.literal('global'), name: presetName }),
  z.object({
    action: z.literal('create'),
    name: z.string().regex(PRESET_NAME),
    temperature: z.number().min(0).max(2),
    maxTokens: z.number().int().min(1).max(32_768).nullable(),
    model: z.string().min(1).max(100).nullable(),
    template: z.string().trim().min(1).max(PRESET_TEMPLATE_MAX_LENGTH),
    /** Words before the separator that are neither the name nor a known `key=value`. */
    unknown: z.array(z.string()).max(0),
  }),
]);

type PresetOptions = z.infer<typeof presetOptions>;

/**
 * `/preset`: lists, chooses, creates and deletes prompt presets.
 *
 * - `/preset` or `/preset list`: global presets and the user's own, as buttons.
 * - `/preset NAME` or `/preset use NAME`: sets `conversations.preset_id` of the user's active
 *   conversation in this chat, starting one when there is none. `/preset off` clears it.
 * - `/preset create NAME [temperature=0.7] [max_tokens=500] [model=MODEL] | TEMPLATE`: creates
 *   an own preset. The template may use `{{user_name}}`, `{{date}}`, `{{persona}}`,
 *   `{{assistant_name}}` and `{{locale}}`; `model` is a `model_configs.name`.
 * - `/preset delete NAME`: deletes an own preset; admins may delete any preset.
 * - `/preset global NAME`: admins only, makes one of their own presets global.
 *
 * The buttons send a preset's id, because a name may not fit Telegram's 64-byte button data.
 */
export const presetCommand: CommandDefinition<typeof presetOptions> = {
  name: 'preset',
  nameTr: 'sablon',
  usage:
    '/preset [list | NAME | off] · /preset create NAME [temperature=0.7] [max_tokens=500] [model=MODEL] | TEMPLATE · /preset delete NAME · /preset global NAME',
  schema: presetOptions,
  discordOptions: [
    {
      name: 'action',
      nameTr: 'islem',
      descriptionKey: 'option.preset.action.description',
      type: 'string',
      required: false,
      choices: PRESET_ACTIONS.map((action) => ({ name: action, value: action })),
    },
    { name: 'value', nameTr: 'deger', descriptionKey: 'option.preset.value.description', type: 'string', required: false },
  ],
  parse: parsePresetArguments,
  async handle(context) {
    const { options } = context;
    switch (options.action) {
      case 'list':
        return listPresets(context);
      case 'off':
        return usePreset(context, null);
      case 'use':
        return usePresetNamed(context, options.name);
      case 'create':
        return createPreset(context, options);
      case 'delete':
        return deletePreset(context, options.name);
      case 'global':
        return makeGlobal(context, options.name);
    }
  },
};

/** Turns the argument text into the raw options that `presetOptions` validates. */
export function parsePresetArguments(argumentText: string): unknown {
  const text = argumentText.trim();
  const [first, rest] = splitArguments(text, 2);
  const word = first?.toLowerCase();

  if (word === undefined || (word === 'list' && rest === undefined)) return { action: 'list' };
  if (word === PRESET_OFF && rest === undefined) return { action: 'off' };
  // Without a name these fail validation, so the user sees the usage.
  if (word === 'use' || word === 'delete' || word === 'global') return { action: word, name: rest };
  if (word === 'create') return parseCreateArguments(rest ?? '');
  return { action: 'use', name: text };
}

/** Parses `NAME [key=value ...] | TEMPLATE`. */
function parseCreateArguments(text: string): unknown {
  const separator = text.indexOf(TEMPLATE_SEPARATOR);
  const head = separator < 0 ? text : text.slice(0, separator);
  const template = separator < 0 ? undefined : text.slice(separator + 1);
  const [name, ...settings] = head.trim().split(/\s+/).filter((word) => word !== '');

  const options: Record<string, unknown> = { action: 'create', name, template, temperature: DEFAULT_PRESET_TEMPERATURE, maxTokens: null, model: null };
  const unknown: string[] = [];
  for (const setting of settings) {
    const [key, value] = setting.split('=', 2);
    const lowerKey = key?.toLowerCase();
    if (value === undefined || value === '') unknown.push(setting);
    else if (lowerKey === 'temperature') options.temperature = Number(value);
    else if (lowerKey === 'max_tokens') options.maxTokens = Number(value);
    else if (lowerKey === 'model') options.model = value;
    else unknown.push(setting);
  }
  return { ...options, unknown };
}

async function listPresets(context: CommandContext<PresetOptions>): Promise<CommandReply> {
  const presets = await visiblePresets(context);
  if (presets.length === 0) return { text: `${context.t('preset.none_available')}\n\n${context.t('preset.create_hint')}` };

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
    text: [context.t('preset.list', { preset: currentName }), '', ...lines, '', context.t('preset.create_hint')].join('\n'),
    buttons: buttonRows(buttons),
  };
}

async function usePresetNamed(context: CommandContext<PresetOptions>, requested: string): Promise<CommandReply> {
  const preset = findPreset(await visiblePresets(context), requested);
  if (preset === undefined) return notFound(context, requested);
  return usePreset(context, preset);
}

/** Sets (or with null clears) the preset of the user's active conversation in this chat. */
async function usePreset(context: CommandContext<PresetOptions>, preset: ModelPresetRow | null): Promise<CommandReply> {
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
}

async function createPreset(
  context: CommandContext<PresetOptions>,
  options: Extract<PresetOptions, { action: 'create' }>,
): Promise<CommandReply> {
  const { db, logger } = context.services;
  const userId = context.actor.user.id;

  if (PRESET_ACTIONS.includes(options.name.toLowerCase())) {
    return { text: context.t('preset.name_reserved', { preset: escapeMarkdown(options.name) }), isError: true };
  }
  if (findPreset(await visiblePresets(context), options.name, { byId: false })) {
    return { text: context.t('preset.name_taken', { preset: escapeMarkdown(options.name) }), isError: true };
  }
  const owned = await db
    .selectFrom('model_presets')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('owner_id', '=', userId)
    .executeTakeFirstOrThrow();
  if (Number(owned.count) >= MAX_PRESETS_PER_USER) {
    return { text: context.t('preset.too_many', { max: MAX_PRESETS_PER_USER }), isError: true };
  }
  if (options.model !== null) {
    const model = await db.selectFrom('model_configs').select('name').where('name', '=', options.model).where('is_active', '=', 1).executeTakeFirst();
    if (!model) return { text: context.t('preset.model_not_found', { model: escapeMarkdown(options.model) }), isError: true };
  }

  const created = await db
    .insertInto('model_presets')
    .values({
      name: options.name,
      description: null,
      system_prompt_template: options.template,
      temperature: options.temperature,
      max_tokens: options.maxTokens,
      model_name: options.model,
      is_global: 0,
      owner_id: userId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();

  logger.info({ userId, presetId: created.id, model: options.model }, 'preset created');
  return { text: context.t('preset.created', { preset: escapeMarkdown(options.name) }) };
}

async function deletePreset(context: CommandContext<PresetOptions>, requested: string): Promise<CommandReply> {
  const { db, logger } = context.services;
  const userId = context.actor.user.id;
  const isAdmin = roleOf(context.actor.user) === 'admin';

  let preset = findPreset(await visiblePresets(context), requested);
  if (preset === undefined && isAdmin) {
    // Other users' presets are invisible to a name search, so an admin names them by id.
    preset = /^\d+$/.test(requested)
      ? await db.selectFrom('model_presets').selectAll().where('id', '=', Number(requested)).executeTakeFirst()
      : undefined;
  }
  if (preset === undefined) return notFound(context, requested);
  if (preset.owner_id !== userId && !isAdmin) {
    return { text: context.t('preset.not_owner', { preset: escapeMarkdown(preset.name) }), isError: true };
  }

  // Conversations that used the preset lose it through `ON DELETE SET NULL`.
  await db.deleteFrom('model_presets').where('id', '=', preset.id).execute();
  logger.info({ userId, presetId: preset.id, ownerId: preset.owner_id, wasGlobal: preset.is_global === 1 }, 'preset deleted');
  return { text: context.t('preset.deleted', { preset: escapeMarkdown(preset.name) }) };
}

async function makeGlobal(context: CommandContext<PresetOptions>, requested: string): Promise<CommandReply> {
  const { db, logger } = context.services;
  const userId = context.actor.user.id;
  if (roleOf(context.actor.user) !== 'admin') return { text: context.t('refusal.admin_only'), isError: true };

  const presets = await visiblePresets(context);
  // The admin's own presets are searched first, because a global preset may have the same name.
  const preset = findPreset(presets.filter((candidate) => candidate.owner_id === userId), requested) ?? findPreset(presets, requested);
  if (preset === undefined) return notFound(context, requested);
  if (preset.is_global === 1) return { text: context.t('preset.already_global', { preset: escapeMarkdown(preset.name) }) };
  if (preset.owner_id !== userId) return { text: context.t('preset.not_owner', { preset: escapeMarkdown(preset.name) }), isError: true };

  const globals = presets.filter((other) => other.is_global === 1);
  if (findPreset(globals, preset.name, { byId: false })) return { text: context.t('preset.name_taken', { preset: escapeMarkdown(preset.name) }), isError: true };

  await db.updateTable('model_presets').set({ is_global: 1 }).where('id', '=', preset.id).execute();
  logger.info({ userId, presetId: preset.id }, 'preset made global');
  return { text: context.t('preset.made_global', { preset: escapeMarkdown(preset.name) }) };
}

function notFound(context: CommandContext<PresetOptions>, requested: string): CommandReply {
  return { text: context.t('preset.not_found', { preset: escapeMarkdown(requested) }), isError: true };
}

/** Global presets and the user's own, global ones first, each group by name. */
async function visiblePresets(context: CommandContext<PresetOptions>): Promise<ModelPresetRow[]> {
  return context.services.db
    .selectFrom('model_presets')
    .selectAll()
    .where((eb) => eb.or([eb('is_global', '=', 1), eb('owner_id', '=', context.actor.user.id)]))
    .orderBy('is_global', 'desc')
    .orderBy('name')
    .execute();
}

/** Matches by name, case-insensitively, then (unless `byId` is false) by id. */
function findPreset(presets: readonly ModelPresetRow[], requested: string, options: { byId?: boolean } = {}): ModelPresetRow | undefined {
  const name = requested.toLowerCase();
  const byName = presets.find((preset) => preset.name.toLowerCase() === name);
  if (byName || options.byId === false) return byName;
  return /^\d+$/.test(requested) ? presets.find((preset) => preset.id === Number(requested)) : undefined;
}
