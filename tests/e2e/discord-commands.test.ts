import { InteractionResponseType } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/commands/registry.js';
import { eventually } from '../support/eventually.js';
import {
  ADMIN_ID,
  ERROR_COLOR,
  PRIMARY_COLOR,
  botMessages,
  expectInteractionsHandled,
  startDiscordHarness,
  uiText,
  waitForBotMessages,
  waitForInteractionReply,
  type DiscordHarness,
} from '../support/discord-harness.js';
import type { DispatchedInteraction, FakeDiscord } from '../support/fake-discord/index.js';
import { startFakeTxt2Img } from '../support/fake-txt2img.js';

let harness: DiscordHarness | undefined;
let dispatched: DispatchedInteraction[] = [];

afterEach(async () => {
  if (harness) await expectInteractionsHandled(harness, dispatched);
  await harness?.close();
  harness = undefined;
  dispatched = [];
});

async function start(): Promise<DiscordHarness> {
  harness = await startDiscordHarness({ env: { ADMIN_IDS: `discord:${ADMIN_ID}` } });
  harness.discord.addUser({ id: ADMIN_ID, username: 'admin', globalName: 'Admin' });
  return harness;
}

function slash(discord: FakeDiscord, userId: string, name: string, options?: Record<string, string | number>): DispatchedInteraction {
  const interaction = discord.sendSlashCommand(userId, name, options);
  dispatched.push(interaction);
  return interaction;
}

const text = uiText;

function systemPromptOf(request: { body: { messages: Array<{ role: string; content: unknown }> } }): string {
  return String(request.body.messages[0]?.content ?? '');
}

/** Maps each button's `custom_id` to its style, over every action row of a message. */
function buttonStyles(rows: readonly unknown[] | undefined): Record<string, number> {
  const buttons = (rows ?? []).flatMap((row) => (row as { components: Array<{ custom_id: string; style: number }> }).components);
  return Object.fromEntries(buttons.map((button) => [button.custom_id, button.style]));
}

/** Returns the `custom_id`s of the 👍 and 👎 buttons under a reply. */
function feedbackButtonIds(discord: FakeDiscord, messageId: string): { like: string; dislike: string } {
  const styles = buttonStyles(discord.message(messageId)?.components);
  const ids = Object.keys(styles);
  return {
    like: ids.find((id) => id.startsWith('/vote like '))!,
    dislike: ids.find((id) => id.startsWith('/vote dislike '))!,
  };
}

/** Runs `/invite create` as the admin and returns the new code. */
async function createInviteCode(discord: FakeDiscord): Promise<string> {
  const { embed } = await waitForInteractionReply(discord, slash(discord, ADMIN_ID, 'invite', { action: 'create' }));
  const code = /`([0-9A-F]{10})`/.exec(embed.description ?? '')?.[1];
  expect(code).toBeDefined();
  return code!;
}

describe('Discord slash commands end to end', () => {
  it('registers every command with Turkish localizations', async () => {
    const h = await start();
    const registered = h.discord.registeredCommands();

    const visible = COMMANDS.filter((command) => !command.hidden);
    expect(registered.map((command) => command.name)).toEqual(visible.map((command) => command.name));
    expect(registered.map((command) => command.name)).not.toContain('vote');
    for (const definition of visible) {
      const command = registered.find((candidate) => candidate.name === definition.name)!;
      expect(command.name_localizations?.tr).toBe(definition.nameTr);
      expect(command.description).toBe(await text(h, `command.${definition.name}.description`));
      expect(command.description_localizations?.tr).toBe(await text(h, `command.${definition.name}.description`, 'tr'));
      expect(command.contexts).toContain(1);
    }

    const ban = registered.find((command) => command.name === 'ban')!;
    expect(ban.options).toEqual([
      expect.objectContaining({ type: 6, name: 'user', name_localizations: { tr: 'kullanici' }, required: true }),
    ]);
    const help = registered.find((command) => command.name === 'help')!;
    expect(help.options).toEqual([expect.objectContaining({ type: 3, name: 'args', required: false })]);
  });

  it('/persona switches the persona of the next answer', async () => {
    const h = await start();
    const { discord, openai, app } = h;
    const alice = discord.addUser({ username: 'alice' });
    discord.sendDm(alice.id, 'hello');
    await waitForBotMessages(discord, alice.id, 1);

    const coder = await app.db.selectFrom('persona_configs').selectAll().where('name', '=', 'coder').executeTakeFirstOrThrow();
    const { embed } = await waitForInteractionReply(discord, slash(discord, alice.id, 'persona', { name: 'coder' }));
    expect(embed.color).toBe(PRIMARY_COLOR);
    expect(embed.description).toContain((await text(h, 'persona.changed')).split('{persona}')[0]!);

    discord.sendDm(alice.id, 'hello again');
    await waitForBotMessages(discord, alice.id, 2);
    const prompt = systemPromptOf(openai.requests.at(-1)!);
    expect(prompt).toContain(`Persona "${coder.display_name}"`);
    expect(prompt).toContain(coder.system_prompt.trim().slice(0, 60));
  });

  it('persona select menu runs the chosen command line', async () => {
    const h = await start();
    const { discord, app } = h;
    const bob = discord.addUser({ username: 'bob' });

    const { record } = await waitForInteractionReply(discord, slash(discord, bob.id, 'persona'));
    const components = (record.original?.components ?? []).flatMap(
      (row) => (row as { components: Array<{ type: number; custom_id: string; options?: Array<{ value: string }> }> }).components,
    );
    expect(components).toHaveLength(1);
    expect(components[0]?.type).toBe(3);
    const values = components[0]?.options?.map((option) => option.value) ?? [];
    expect(values).toContain('/persona friend');
    expect(values).not.toContain('/persona romantic');

    const press = discord.sendComponent(bob.id, record.original!.id, components[0]!.custom_id, ['/persona friend']);
    dispatched.push(press);
    const { embed } = await waitForInteractionReply(discord, press);
    expect(embed.color).toBe(PRIMARY_COLOR);

    const user = await app.db.selectFrom('users').select('active_persona').where('username', '=', `discord:${bob.id}`).executeTakeFirstOrThrow();
    expect(user.active_persona).toBe('friend');
  });

  it('/forget_me confirm replaces its warning', async () => {
    const h = await start();
    const { discord, app } = h;
    const erin = discord.addUser({ username: 'erin', locale: 'tr' });
    discord.sendDm(erin.id, 'merhaba');
    await waitForBotMessages(discord, erin.id, 1);

    const { record: warning } = await waitForInteractionReply(discord, slash(discord, erin.id, 'forget_me'));
    const buttons = (warning.original?.components ?? []).flatMap(
      (row) => (row as { components: Array<{ custom_id: string }> }).components,
    );
    expect(buttons.map((button) => button.custom_id)).toEqual(['/forget_me confirm']);

    const press = discord.sendComponent(erin.id, warning.original!.id, '/forget_me confirm');
    dispatched.push(press);
    const { embed, record } = await waitForInteractionReply(discord, press);

    // The button was acknowledged as an update, so the reply took the warning's place.
    expect(record.callbackType).toBe(InteractionResponseType.DeferredMessageUpdate);
    expect(record.original?.id).toBe(warning.original?.id);
    expect(embed.description).toBe(await text(h, 'forget_me.done', 'tr'));
    expect(record.original?.components).toEqual([]);
    expect(await app.db.selectFrom('messages').selectAll().execute()).toHaveLength(0);
  });

  it('/ban from an admin stops the user before the model', async () => {
    const h = await start();
    const { discord, openai, app } = h;
    const target = discord.addUser({ username: 'target', locale: 'tr' });
    // A slash command carries the user's locale, which the bot keeps for later DMs.
    await waitForInteractionReply(discord, slash(discord, target.id, 'help'));

    const { embed } = await waitForInteractionReply(discord, slash(discord, ADMIN_ID, 'ban', { user: target.id }));
    expect(embed.color).toBe(PRIMARY_COLOR);
    const banned = await app.db.selectFrom('users').select('is_banned').where('username', '=', `discord:${target.id}`).executeTakeFirstOrThrow();
    expect(banned.is_banned).toBe(1);

    discord.sendDm(target.id, 'can I still talk?');
    const [refusal] = await waitForBotMessages(discord, target.id, 1);
    expect(refusal?.content).toBe(await text(h, 'refusal.banned', 'tr'));
    expect(openai.requests).toHaveLength(0);
  });

  it('/ban from a non-admin is refused', async () => {
    const h = await start();
    const { discord, app } = h;
    const mallory = discord.addUser({ username: 'mallory' });
    const victim = discord.addUser({ username: 'victim' });
    discord.sendDm(victim.id, 'hi');
    await waitForBotMessages(discord, victim.id, 1);

    const { embed } = await waitForInteractionReply(discord, slash(discord, mallory.id, 'ban', { user: victim.id }));
    expect(embed.description).toBe(await text(h, 'refusal.admin_only'));
    expect(embed.color).toBe(ERROR_COLOR);
    const user = await app.db.selectFrom('users').select('is_banned').where('username', '=', `discord:${victim.id}`).executeTakeFirstOrThrow();
    expect(user.is_banned).toBe(0);
  });

  it('/invite create then /redeem grants access in invite mode', async () => {
    const h = await start();
    const { discord, app } = h;
    await app.services.settings.set('access.mode', 'invite', 'test');
    const code = await createInviteCode(discord);
    const newcomer = discord.addUser({ username: 'newcomer', globalName: 'Newcomer' });

    discord.sendDm(newcomer.id, 'let me in');
    const [refusal] = await waitForBotMessages(discord, newcomer.id, 1);
    expect(refusal?.content).toBe(await text(h, 'refusal.invite_required'));
    const before = await app.db.selectFrom('users').select('id').where('username', '=', `discord:${newcomer.id}`).executeTakeFirst();
    expect(before).toBeUndefined();

    const { embed } = await waitForInteractionReply(discord, slash(discord, newcomer.id, 'redeem', { code: code.toLowerCase() }));
    expect(embed.description).toBe((await text(h, 'invite.accepted')).replace('{name}', 'Newcomer'));

    discord.sendDm(newcomer.id, 'now let me in');
    const replies = await waitForBotMessages(discord, newcomer.id, 2);
    expect(replies.at(-1)?.content).toBe('Reply to: now let me in');
  });

  it('ten users racing for one code leave exactly one winner', async () => {
    const h = await start();
    const { discord, app } = h;
    await app.services.settings.set('access.mode', 'invite', 'test');
    const code = await createInviteCode(discord);
    const racers = Array.from({ length: 10 }, (_, index) => discord.addUser({ username: `racer${index}` }));

    const interactions = racers.map((racer) => slash(discord, racer.id, 'redeem', { code }));
    const replies = await Promise.all(interactions.map((interaction) => waitForInteractionReply(discord, interaction)));

    const invalid = await text(h, 'invite.invalid');
    const winners = replies.filter(({ embed }) => embed.description !== invalid);
    expect(winners).toHaveLength(1);
    const users = await app.db.selectFrom('users').select('username').where('username', 'like', 'discord:%').where('username', '!=', `discord:${ADMIN_ID}`).execute();
    expect(users).toHaveLength(1);
    const invite = await app.db.selectFrom('invites').selectAll().where('code', '=', code).executeTakeFirstOrThrow();
    expect(invite.is_used).toBe(1);
    expect(invite.used_by).toBe(users[0]?.username);
  });

  it('expired interaction token falls back to a channel message', async () => {
    const h = await start();
    const { discord } = h;
    const gina = discord.addUser({ username: 'gina' });
    // discord.js sends `@original` URL-encoded.
    const original = /^\/webhooks\/\d+\/[^/]+\/messages\/(@|%40)original$/;
    discord.failNext({ method: 'PATCH', path: original }, 401, { message: 'Invalid Webhook Token', code: 50027 });

    slash(discord, gina.id, 'help');
    const [message] = await waitForBotMessages(discord, gina.id, 1);
    const embed = message?.embeds[0] as { description?: string; title?: string } | undefined;
    expect(embed?.title).toBe(await text(h, 'help.title'));
    expect(embed?.description).toBe(await text(h, 'help'));
  });

  it('long command reply continues in followups', async () => {
    const h = await start();
    const { discord, app } = h;
    const ivy = discord.addUser({ username: 'ivy' });
    const paragraph = 'Help paragraph with enough words to fill an embed quickly. '.repeat(10);
    await app.services.texts.set('help', 'en', Array.from({ length: 12 }, () => paragraph).join('\n\n'));

    const interaction = slash(discord, ivy.id, 'help');
    await waitForInteractionReply(discord, interaction);
    const record = await discord.waitFor(() => {
      const responses = discord.interactionResponses(interaction.id);
      return responses.followups.length > 0 ? responses : undefined;
    });
    const embeds = [record.original, ...record.followups].flatMap((message) => (message?.embeds ?? []) as Array<{ description?: string }>);

    for (const embed of embeds) expect(embed.description!.length).toBeLessThanOrEqual(4096);
    expect(embeds.map((embed) => embed.description).join('\n\n').replace(/\s+/g, ' ')).toBe(
      Array.from({ length: 12 }, () => paragraph.trim()).join(' '),
    );
  });

  it('option with spaces is rejected by name', async () => {
    const h = await start();
    const { discord, app } = h;
    const pia = discord.addUser({ username: 'pia' });

    const { embed } = await waitForInteractionReply(discord, slash(discord, pia.id, 'prefs', { action: 'set', key: 'my tone', value: 'calm' }));

    expect(embed.description).toBe((await text(h, 'option.needs_one_word')).replace('{option}', '`key`'));
    expect(embed.color).toBe(ERROR_COLOR);
    expect(await app.db.selectFrom('user_preferences').select('key').where('key', '!=', 'locale').execute()).toEqual([]);
  });

  it('empty option before a filled one is named in Turkish', async () => {
    const h = await start();
    const { discord, app } = h;
    const tuna = discord.addUser({ username: 'tuna', locale: 'tr' });

    const { embed } = await waitForInteractionReply(discord, slash(discord, tuna.id, 'prefs', { key: 'tone', value: 'formal' }));

    // The Turkish Discord client shows the option `action` as `islem`.
    expect(embed.description).toBe((await text(h, 'option.fill_in_earlier', 'tr')).replace('{option}', '`islem`'));
    expect(embed.color).toBe(ERROR_COLOR);
    expect(await app.db.selectFrom('user_preferences').select('key').where('key', '!=', 'locale').execute()).toEqual([]);
  });

  it('unknown DM command gets localized notice', async () => {
    const h = await start();
    const { discord, openai, app } = h;
    const english = discord.addUser({ username: 'english' });
    const turkish = discord.addUser({ username: 'turkish', locale: 'tr' });
    // A slash command carries the user's locale, which the bot keeps for later DMs.
    await waitForInteractionReply(discord, slash(discord, turkish.id, 'help'));
    const usageBefore = await app.db.selectFrom('usage_counters').selectAll().execute();

    for (const [user, locale] of [[english, 'en'], [turkish, 'tr']] as const) {
      discord.sendDm(user.id, '/foo');
      const [notice] = await waitForBotMessages(discord, user.id, 1);
      const embed = notice?.embeds[0] as { description?: string; color?: number } | undefined;
      expect(embed?.description).toBe(await text(h, 'command.unknown', locale));
      expect(embed?.color).toBe(ERROR_COLOR);
      expect(botMessages(discord, discord.dmChannelId(user.id))).toHaveLength(1);
    }

    expect(openai.requests).toHaveLength(0);
    expect(await app.db.selectFrom('usage_counters').selectAll().execute()).toEqual(usageBefore);
    expect(await app.db.selectFrom('messages').selectAll().execute()).toHaveLength(0);
  });

  it('DM starting with a path reaches model', async () => {
    const h = await start();
    const { discord, openai } = h;
    const ivan = discord.addUser({ username: 'ivan' });

    // A slash right after the first word makes it a path, not a command name.
    discord.sendDm(ivan.id, '/etc/hosts lists the wrong address');
    const [reply] = await waitForBotMessages(discord, ivan.id, 1);
    expect(reply?.content).toBe('Reply to: /etc/hosts lists the wrong address');
    expect(openai.requests).toHaveLength(1);
  });

  it('Turkish command name in DM runs', async () => {
    const h = await start();
    const { discord, openai } = h;
    const jale = discord.addUser({ username: 'jale' });

    discord.sendDm(jale.id, '/yardim');
    const [message] = await waitForBotMessages(discord, jale.id, 1);
    expect((message?.embeds[0] as { description?: string }).description).toBe(await text(h, 'help'));
    expect(openai.requests).toHaveLength(0);
  });

  it('command typed as DM text is answered as an embed', async () => {
    const h = await start();
    const { discord, openai } = h;
    const hank = discord.addUser({ username: 'hank' });

    discord.sendDm(hank.id, '/help');
    const [message] = await waitForBotMessages(discord, hank.id, 1);
    expect((message?.embeds[0] as { description?: string }).description).toBe(await text(h, 'help'));
    expect(openai.requests).toHaveLength(0);
    expect(botMessages(discord, discord.dmChannelId(hank.id))).toHaveLength(1);
  });
});

describe('Discord feedback and images', () => {
  it('vote buttons under a DM reply store one vote that a second press changes', async () => {
    const h = await start();
    const { discord, app } = h;
    const carol = discord.addUser({ username: 'carol' });
    discord.sendDm(carol.id, 'a question');
    const [reply] = await waitForBotMessages(discord, carol.id, 1);
    await eventually(() => botMessages(discord, discord.dmChannelId(carol.id))[0]!.components.length > 0, 'the vote buttons');
    const rows = botMessages(discord, discord.dmChannelId(carol.id))[0]!.components as Array<{ components: Array<{ custom_id: string; label: string }> }>;
    const buttons = rows.flatMap((row) => row.components);
    const like = buttons.find((button) => button.custom_id.startsWith('/vote like '));
    const dislike = buttons.find((button) => button.custom_id.startsWith('/vote dislike '));
    expect(like?.label).toBe('👍');
    expect(dislike?.label).toBe('👎');

    const channelId = discord.dmChannelId(carol.id);
    const visibleBefore = discord.channelMessages(channelId).map((message) => message.id);

    const first = discord.sendComponent(carol.id, reply!.id, like!.custom_id);
    dispatched.push(first);
    const { record: firstRecord } = await waitForInteractionReply(discord, first);
    expect(buttonStyles(firstRecord.original?.components)).toEqual({ [like!.custom_id]: 1, [dislike!.custom_id]: 2 });
    const second = discord.sendComponent(carol.id, reply!.id, dislike!.custom_id);
    dispatched.push(second);
    const { record } = await waitForInteractionReply(discord, second);

    const votes = await app.db.selectFrom('feedback').selectAll().execute();
    expect(votes).toHaveLength(1);
    expect(votes[0]?.feedback_type).toBe('dislike');
    expect(votes[0]?.message_content).toBe('Reply to: a question');

    // Each press updated the reply itself (DEFERRED_UPDATE_MESSAGE) and added no message.
    for (const press of [first, second]) {
      const responses = discord.interactionResponses(press.id);
      expect(responses.callbackType).toBe(InteractionResponseType.DeferredMessageUpdate);
      expect(responses.original?.id).toBe(reply!.id);
      expect(responses.followups).toEqual([]);
    }
    expect(discord.channelMessages(channelId).map((message) => message.id)).toEqual(visibleBefore);
    expect(record.original?.content).toBe('Reply to: a question');
    expect(buttonStyles(record.original?.components)).toEqual({ [like!.custom_id]: 2, [dislike!.custom_id]: 1 });
  });

  it('banned user vote gets ephemeral refusal', async () => {
    const h = await start();
    const { discord, app } = h;
    const kim = discord.addUser({ username: 'kim', locale: 'tr' });
    discord.sendDm(kim.id, 'a question');
    const [reply] = await waitForBotMessages(discord, kim.id, 1);
    await eventually(() => discord.message(reply!.id)!.components.length > 0, 'the vote buttons');
    await app.db.updateTable('users').set({ is_banned: 1 }).where('username', '=', `discord:${kim.id}`).execute();
    const channelId = discord.dmChannelId(kim.id);
    const visibleBefore = discord.channelMessages(channelId).map((message) => message.id);
    const componentsBefore = discord.message(reply!.id)!.components;

    const press = discord.sendComponent(kim.id, reply!.id, feedbackButtonIds(discord, reply!.id).like);
    dispatched.push(press);
    const record = await discord.waitFor(() => {
      const responses = discord.interactionResponses(press.id);
      return responses.followups.length > 0 ? responses : undefined;
    });

    expect(record.callbackType).toBe(InteractionResponseType.DeferredMessageUpdate);
    expect(record.followups).toHaveLength(1);
    expect(record.followups[0]?.ephemeral).toBe(true);
    expect((record.followups[0]?.embeds[0] as { description?: string }).description).toBe(await text(h, 'refusal.banned', 'tr'));
    expect(record.originalEdits).toEqual([]);
    expect(discord.message(reply!.id)!.components).toEqual(componentsBefore);
    expect(discord.channelMessages(channelId).map((message) => message.id)).toEqual(visibleBefore);
    expect(await app.db.selectFrom('feedback').selectAll().execute()).toHaveLength(0);
  });

  it('/imagine answers with the image attached', async () => {
    const txt2img = await startFakeTxt2Img();
    try {
      harness = await startDiscordHarness({ env: { IMAGE_API_BASE_URL: txt2img.baseUrl } });
      const { discord, app } = harness;
      const dave = discord.addUser({ username: 'dave' });
      const interaction = slash(discord, dave.id, 'imagine', { prompt: 'a lighthouse at dusk' });
      const { record } = await waitForInteractionReply(discord, interaction);
      expect(record.original?.attachments.map((file) => file.filename)).toEqual(['image.png']);
      expect(record.original?.content).toContain('a lighthouse at dusk');
      expect(txt2img.requests).toHaveLength(1);

      const stored = await eventually(async () => {
        const row = await app.db.selectFrom('messages').selectAll().where('role', '=', 'assistant').executeTakeFirst();
        const metadata = JSON.parse(row?.extra_metadata ?? '{}') as Record<string, unknown>;
        return metadata.platform_message_ids ? metadata : undefined;
      }, 'the image delivery to be recorded');
      expect(stored.kind).toBe('image');
    } finally {
      await harness?.close();
      harness = undefined;
      dispatched = [];
      await txt2img.close();
    }
  });

  it('/imagine typed in a DM sends the image', async () => {
    const txt2img = await startFakeTxt2Img();
    try {
      harness = await startDiscordHarness({ env: { IMAGE_API_BASE_URL: txt2img.baseUrl } });
      const { discord, app } = harness;
      const omar = discord.addUser({ username: 'omar' });
      discord.sendDm(omar.id, '/imagine a lighthouse at dusk');

      const [message] = await waitForBotMessages(discord, omar.id, 1);
      expect(message?.attachments.map((file) => file.filename)).toEqual(['image.png']);
      expect(message?.content).toContain('a lighthouse at dusk');
      expect(txt2img.requests).toHaveLength(1);
      // The typing indicator shows while the image is generated.
      expect(discord.typingCount(discord.dmChannelId(omar.id))).toBeGreaterThanOrEqual(1);

      const stored = await eventually(async () => {
        const row = await app.db.selectFrom('messages').selectAll().where('role', '=', 'assistant').executeTakeFirst();
        const metadata = JSON.parse(row?.extra_metadata ?? '{}') as Record<string, unknown>;
        return metadata.platform_message_ids ? metadata : undefined;
      }, 'the image delivery to be recorded');
      expect(stored.platform_message_ids).toEqual([message?.id]);
    } finally {
      await harness?.close();
      harness = undefined;
      await txt2img.close();
    }
  });
});
