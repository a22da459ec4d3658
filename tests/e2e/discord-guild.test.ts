import { GatewayIntentBits, InteractionResponseType, MessageFlags, PermissionFlagsBits } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ADMIN_ID,
  ERROR_COLOR,
  PRIMARY_COLOR,
  expectInteractionsHandled,
  startDiscordHarness,
  uiText,
  waitForBotMessages,
  waitForInteractionReply,
  type DiscordHarness,
  type ReplyEmbed,
} from '../support/discord-harness.js';
import {
  DEFAULT_MEMBER_PERMISSIONS,
  type CommandOptionsInput,
  type DispatchedInteraction,
  type FakeDiscord,
  type FakeGuildChannel,
  type FakeUser,
} from '../support/fake-discord/index.js';

let harness: DiscordHarness | undefined;
let dispatched: DispatchedInteraction[] = [];

afterEach(async () => {
  if (harness) await expectInteractionsHandled(harness, dispatched);
  await harness?.close();
  harness = undefined;
  dispatched = [];
});

interface GuildSetup {
  h: DiscordHarness;
  discord: FakeDiscord;
  guildId: string;
  channel: FakeGuildChannel;
}

/**
 * Starts the bot, then adds a guild whose preferred locale is Turkish, so a reply in English
 * shows that the user's locale wins over the guild's.
 */
async function startWithGuild(): Promise<GuildSetup> {
  const h = await startDiscordHarness({ env: { ADMIN_IDS: `discord:${ADMIN_ID}` } });
  harness = h;
  const { discord } = h;
  const guild = discord.addGuild({ name: 'Test server', preferredLocale: 'tr' });
  const channel = discord.addGuildTextChannel(guild.id, 'general');
  return { h, discord, guildId: guild.id, channel };
}

function addMemberUser(
  setup: GuildSetup,
  input: { id?: string; username: string; locale?: string; permissions?: bigint },
): FakeUser {
  const user = setup.discord.addUser({ id: input.id, username: input.username, locale: input.locale });
  setup.discord.addMember(setup.guildId, user.id, { permissions: input.permissions });
  return user;
}

function guildSlash(setup: GuildSetup, userId: string, name: string, options?: CommandOptionsInput): DispatchedInteraction {
  const interaction = setup.discord.sendSlashCommand(userId, name, options, { channelId: setup.channel.id });
  dispatched.push(interaction);
  return interaction;
}

const text = uiText;

/**
 * Waits for the reply to an interaction and checks that only its user saw it: the initial
 * callback is a deferred reply with the EPHEMERAL flag, the edited reply keeps the flag, and
 * the guild channel's history never shows it. Returns the reply's first embed.
 */
async function ephemeralReply(setup: GuildSetup, interaction: DispatchedInteraction): Promise<ReplyEmbed> {
  const { embed, record } = await waitForInteractionReply(setup.discord, interaction);

  expect(record.callbackType).toBe(InteractionResponseType.DeferredChannelMessageWithSource);
  expect(((record.callbackData as { flags?: number }).flags ?? 0) & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
  expect(record.original?.channelId).toBe(setup.channel.id);
  expect(record.original?.ephemeral).toBe(true);
  expect((record.original?.flags ?? 0) & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
  expect(record.originalEdits.length).toBeGreaterThan(0);
  expect(setup.discord.channelMessages(setup.channel.id).map((message) => message.id)).not.toContain(record.original?.id);
  return embed;
}

/** REST calls that open a DM or post, edit or type in a channel; guild command replies need none of them. */
function channelWrites(discord: FakeDiscord): string[] {
  return discord
    .requests()
    .filter((request) => request.path === '/users/@me/channels' || /^\/channels\/\d+\/(messages|typing)/.test(request.path))
    .filter((request) => request.method !== 'GET')
    .map((request) => `${request.method} ${request.path}`);
}

describe('Discord slash commands in a guild channel', () => {
  it('user command replies ephemerally in the user locale', async () => {
    const setup = await startWithGuild();
    const { h, discord } = setup;
    const ayse = addMemberUser(setup, { username: 'ayse', locale: 'tr' });
    const bob = addMemberUser(setup, { username: 'bob', locale: 'en-US' });

    const turkish = await ephemeralReply(setup, guildSlash(setup, ayse.id, 'help'));
    expect(turkish.title).toBe(await text(h, 'help.title', 'tr'));
    // Plain messages get no answer in a server channel, so the help ends by pointing to a DM.
    expect(turkish.description).toBe(`${await text(h, 'help', 'tr')}\n\n${await text(h, 'notice.private_chat', 'tr')}`);
    expect(turkish.color).toBe(PRIMARY_COLOR);

    const english = await ephemeralReply(setup, guildSlash(setup, bob.id, 'help'));
    expect(english.title).toBe(await text(h, 'help.title', 'en'));
    expect(english.description).toBe(`${await text(h, 'help', 'en')}\n\n${await text(h, 'notice.private_chat', 'en')}`);

    // The reply went through the interaction webhook only: no DM was opened, no channel post.
    expect(channelWrites(discord)).toEqual([]);
    const users = await h.app.db.selectFrom('users').select('username').where('username', 'like', 'discord:%').orderBy('id').execute();
    expect(users.map((user) => user.username)).toEqual([`discord:${ayse.id}`, `discord:${bob.id}`]);
  });

  it('admin command from a non-admin is refused ephemerally', async () => {
    const setup = await startWithGuild();
    const { h, discord } = setup;
    // A guild Administrator is no bot admin: the bot checks only its own `users.role`, which ADMIN_IDS sets.
    const mallory = addMemberUser(setup, {
      username: 'mallory',
      locale: 'tr',
      permissions: DEFAULT_MEMBER_PERMISSIONS | PermissionFlagsBits.Administrator,
    });
    const victim = addMemberUser(setup, { username: 'victim' });
    discord.sendDm(victim.id, 'hi');
    await waitForBotMessages(discord, victim.id, 1);

    const refusal = await text(h, 'refusal.admin_only', 'tr');
    const cases: Array<[string, CommandOptionsInput | undefined]> = [
      ['ban', { user: victim.id }],
      ['stats', undefined],
    ];
    for (const [name, options] of cases) {
      const embed = await ephemeralReply(setup, guildSlash(setup, mallory.id, name, options));
      expect(embed.description, `/${name}`).toBe(refusal);
      expect(embed.color, `/${name}`).toBe(ERROR_COLOR);
    }

    const target = await h.app.db.selectFrom('users').select('is_banned').where('username', '=', `discord:${victim.id}`).executeTakeFirstOrThrow();
    expect(target.is_banned).toBe(0);
  });

  it('admin command from an admin replies ephemerally', async () => {
    const setup = await startWithGuild();
    const { h } = setup;
    addMemberUser(setup, { id: ADMIN_ID, username: 'admin' });

    const embed = await ephemeralReply(setup, guildSlash(setup, ADMIN_ID, 'stats'));
    expect(embed.title).toBe(await text(h, 'command.stats.description'));
    expect(embed.color).toBe(PRIMARY_COLOR);
  });

  it('expired token falls back to the user DM, not the channel', async () => {
    const setup = await startWithGuild();
    const { h, discord } = setup;
    const gina = addMemberUser(setup, { username: 'gina' });
    // discord.js sends `@original` URL-encoded.
    const original = /^\/webhooks\/\d+\/[^/]+\/messages\/(@|%40)original$/;
    discord.failNext({ method: 'PATCH', path: original }, 401, { message: 'Invalid Webhook Token', code: 50027 });

    guildSlash(setup, gina.id, 'help');
    const [message] = await waitForBotMessages(discord, gina.id, 1);
    expect((message?.embeds[0] as ReplyEmbed | undefined)?.description).toBe(`${await text(h, 'help')}\n\n${await text(h, 'notice.private_chat')}`);
    expect(discord.channelMessages(setup.channel.id)).toEqual([]);
  });
});

describe('Discord plain messages in a guild channel', () => {
  it('guild message gets no reply and stores nothing', async () => {
    const setup = await startWithGuild();
    const { h, discord } = setup;
    const carol = addMemberUser(setup, { username: 'carol' });

    // The bot identifies with DIRECT_MESSAGES only, so Discord sends it no guild MESSAGE_CREATE,
    // not even for a message that mentions it.
    expect((discord.gatewayStats().lastIntents ?? 0) & GatewayIntentBits.GuildMessages).toBe(0);
    const plain = discord.sendGuildMessage(carol.id, setup.channel.id, 'hello everyone');
    expect(discord.dispatches().at(-1)).toEqual({ event: 'MESSAGE_CREATE', sessionCount: 0 });
    const mention = discord.sendGuildMessage(carol.id, setup.channel.id, `<@${discord.botUser.id}> are you there?`);
    expect(discord.dispatches().at(-1)).toEqual({ event: 'MESSAGE_CREATE', sessionCount: 0 });

    // A DM sent afterwards gets a reply, so the bot was running and reading its events.
    discord.sendDm(carol.id, 'hello in private');
    const replies = await waitForBotMessages(discord, carol.id, 1);
    expect(replies.map((reply) => reply.content)).toEqual(['Reply to: hello in private']);

    const stored = await h.app.db.selectFrom('messages').select(['role', 'content']).orderBy('id').execute();
    expect(stored).toEqual([
      { role: 'user', content: 'hello in private' },
      { role: 'assistant', content: 'Reply to: hello in private' },
    ]);
    const journaled = await h.app.db.selectFrom('platform_updates').select('update_key').execute();
    expect(journaled.map((row) => row.update_key)).not.toContain(plain.id);
    expect(journaled.map((row) => row.update_key)).not.toContain(mention.id);
    expect(h.openai.requests).toHaveLength(1);
    expect(discord.channelMessages(setup.channel.id).map((message) => message.id)).toEqual([plain.id, mention.id]);
    expect(discord.typingCount(setup.channel.id)).toBe(0);
  });
});

describe('Discord chat commands in a guild channel', () => {
  it('/new there is refused and keeps the DM conversation', async () => {
    const setup = await startWithGuild();
    const { h, discord } = setup;
    const dan = addMemberUser(setup, { username: 'dan' });
    discord.sendDm(dan.id, 'first question');
    await waitForBotMessages(discord, dan.id, 1);
    const dmChannelId = discord.dmChannelId(dan.id);

    // The bot chats in DMs only, so /new in a guild channel replies with that and starts nothing.
    const embed = await ephemeralReply(setup, guildSlash(setup, dan.id, 'new'));
    expect(embed.description).toBe(await text(h, 'conversation.private_only'));

    const conversations = await h.app.db.selectFrom('conversations').select(['id', 'chat_id', 'is_active']).orderBy('created_at').execute();
    expect(conversations.map((row) => [row.chat_id, row.is_active])).toEqual([[dmChannelId, 1]]);

    discord.sendDm(dan.id, 'second question');
    await waitForBotMessages(discord, dan.id, 2);
    const prompt = h.openai.requests.at(-1)!.body.messages.map((message: { content: unknown }) => String(message.content));
    expect(prompt).toContain('first question');
    const dmMessages = await h.app.db.selectFrom('messages').select('conversation_id').execute();
    expect(new Set(dmMessages.map((row) => row.conversation_id))).toEqual(new Set([conversations[0]!.id]));
  });

  it('/persona menu there applies to DMs', async () => {
    const setup = await startWithGuild();
    const { h, discord } = setup;
    const erin = addMemberUser(setup, { username: 'erin' });

    const menu = guildSlash(setup, erin.id, 'persona');
    await ephemeralReply(setup, menu);
    const { original } = discord.interactionResponses(menu.id);
    const select = (original?.components ?? [])
      .flatMap((row) => (row as { components: Array<{ custom_id: string; options?: Array<{ value: string }> }> }).components)
      .find((component) => component.options?.some((option) => option.value === '/persona coder'));
    expect(select).toBeDefined();

    // The menu sits on an ephemeral message in the guild channel, so its choice comes from there too.
    const choice = discord.sendComponent(erin.id, original!.id, select!.custom_id, ['/persona coder']);
    dispatched.push(choice);
    const embed = await ephemeralReply(setup, choice);
    expect(embed.color).toBe(PRIMARY_COLOR);

    const coder = await h.app.db.selectFrom('persona_configs').select(['display_name']).where('name', '=', 'coder').executeTakeFirstOrThrow();
    discord.sendDm(erin.id, 'hello');
    await waitForBotMessages(discord, erin.id, 1);
    const systemPrompt = String(h.openai.requests.at(-1)!.body.messages[0]?.content ?? '');
    expect(systemPrompt).toContain(`Persona "${coder.display_name}"`);
  });
});
