import { once } from 'node:events';
import zlib from 'node:zlib';
import {
  ActionRowBuilder,
  ApplicationCommandOptionType,
  ButtonBuilder,
  ButtonStyle,
  ChannelType,
  Client,
  DiscordAPIError,
  GatewayIntentBits,
  InteractionResponseType,
  MessageFlags,
  Partials,
  PermissionFlagsBits,
  Routes,
  type ChatInputApplicationCommandData,
  type ChatInputCommandInteraction,
  type Message,
} from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  DEFAULT_BOT_GUILD_PERMISSIONS,
  DEFAULT_MEMBER_PERMISSIONS,
  INTERACTION_RESPONSE_WINDOW_MS,
  INTERACTION_TOKEN_LIFETIME_MS,
  startFakeDiscord,
  type FakeDiscord,
  type FakeDiscordOptions,
} from '../../support/fake-discord/index.js';

const ASK_COMMAND: ChatInputApplicationCommandData = {
  name: 'ask',
  description: 'Ask the assistant',
  nameLocalizations: { tr: 'sor' },
  descriptionLocalizations: { tr: 'Asistana sor' },
  options: [{ type: ApplicationCommandOptionType.String, name: 'text', description: 'Question', required: true }],
};

let fake: FakeDiscord | undefined;
let client: Client | undefined;

afterEach(async () => {
  await client?.destroy();
  await fake?.close();
  client = undefined;
  fake = undefined;
});

async function start(options: FakeDiscordOptions = {}): Promise<{ fake: FakeDiscord; client: Client }> {
  fake = await startFakeDiscord(options);
  client = new Client({
    intents: [GatewayIntentBits.DirectMessages],
    partials: [Partials.Channel],
    rest: { api: fake.restBase, cdn: fake.cdnBase, mediaProxy: fake.cdnBase },
  });
  const ready = once(client, 'clientReady');
  await client.login(fake.token);
  await ready;
  return { fake, client };
}

async function rejection(promise: Promise<unknown>): Promise<DiscordAPIError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(DiscordAPIError);
  return error as DiscordAPIError;
}

/** Resolves with the contents of the next `count` DMs from users, in arrival order. */
function collectUserDms(bot: Client, count: number): Promise<string[]> {
  const contents: string[] = [];
  return new Promise((resolve) => {
    const onMessage = (message: Message): void => {
      if (message.author.bot) {
        return;
      }
      contents.push(message.content);
      if (contents.length === count) {
        bot.off('messageCreate', onMessage);
        resolve(contents);
      }
    };
    bot.on('messageCreate', onMessage);
  });
}

function nextInteraction(bot: Client): Promise<ChatInputCommandInteraction> {
  return new Promise((resolve) => {
    bot.once('interactionCreate', (interaction) => {
      if (interaction.isChatInputCommand()) {
        resolve(interaction);
      }
    });
  });
}

describe('fake Discord with the real discord.js client', () => {
  it('logs in and becomes ready', async () => {
    const { fake, client } = await start();

    expect(client.user?.id).toBe(fake.botUser.id);
    expect(client.application?.id).toBe(fake.applicationId);
    expect(fake.gatewayStats().identifies).toBe(1);
    expect(fake.gatewayStats().lastIntents).toBe(GatewayIntentBits.DirectMessages);
    expect(fake.requests().some((request) => request.path === '/gateway/bot' && request.status === 200)).toBe(true);
  });

  it('rejects a wrong token at login', async () => {
    fake = await startFakeDiscord();
    client = new Client({ intents: [GatewayIntentBits.DirectMessages], rest: { api: fake.restBase } });

    await expect(client.login('not-the-token')).rejects.toThrow(/token/i);
    expect(fake.requests().at(-1)?.status).toBe(401);
  });

  it('delivers a DM and records the reply', async () => {
    const { fake, client } = await start();
    const user = fake.addUser({ username: 'ayse', globalName: 'Ayşe' });
    const received: Message[] = [];
    client.on('messageCreate', async (message) => {
      if (message.author.bot) {
        return;
      }
      received.push(message);
      await message.channel.send(`echo: ${message.content}`);
    });

    const sent = fake.sendDm(user.id, 'merhaba');
    const channelId = fake.dmChannelId(user.id);
    const reply = await fake.waitFor(() =>
      fake.channelMessages(channelId).find((message) => message.authorId === fake.botUser.id),
    );

    expect(received[0]?.id).toBe(sent.id);
    expect(received[0]?.guildId).toBeNull();
    expect(received[0]?.channel.type).toBe(ChannelType.DM);
    expect(received[0]?.author.globalName).toBe('Ayşe');
    expect(reply.content).toBe('echo: merhaba');
    expect(BigInt(reply.id) > BigInt(sent.id)).toBe(true);
  });

  it('rejects a 2001-character message with 50035', async () => {
    const { fake, client } = await start();
    const user = fake.addUser({ username: 'long' });
    const channel = await client.users.createDM(user.id);

    const error = await rejection(channel.send('x'.repeat(2001)));

    expect(error.code).toBe(50035);
    expect(error.status).toBe(400);
    const errors = (error.rawError as { errors: any }).errors;
    expect(errors.content._errors[0].code).toBe('BASE_TYPE_MAX_LENGTH');
    expect(errors.content._errors[0].message).toBe('Must be 2000 or fewer in length.');
    await expect(channel.send('x'.repeat(2000))).resolves.toBeDefined();
  });

  it('rejects empty, blocked and unknown-channel sends', async () => {
    const { fake, client } = await start();
    const user = fake.addUser({ username: 'blocker' });
    const channel = await client.users.createDM(user.id);

    const empty = await rejection(client.rest.post(Routes.channelMessages(channel.id), { body: { content: '' } }));
    expect(empty.code).toBe(50006);

    fake.blockDms(user.id);
    const blocked = await rejection(channel.send('hello'));
    expect(blocked.code).toBe(50007);
    expect(blocked.status).toBe(403);

    const unknown = await rejection(client.rest.post(Routes.channelMessages('1'), { body: { content: 'hi' } }));
    expect(unknown.code).toBe(10003);
    expect(unknown.status).toBe(404);
  });

  it('records typing per channel', async () => {
    const { fake, client } = await start();
    const user = fake.addUser({ username: 'typer' });
    const channel = await client.users.createDM(user.id);

    await channel.sendTyping();
    await channel.sendTyping();

    expect(fake.typingCount(channel.id)).toBe(2);
  });

  it('stores commands with a Turkish localization', async () => {
    const { fake, client } = await start();

    await client.application!.commands.set([ASK_COMMAND]);

    const [command] = fake.registeredCommands();
    expect(command?.name).toBe('ask');
    expect(command?.name_localizations).toEqual({ tr: 'sor' });
    expect(command?.description_localizations).toEqual({ tr: 'Asistana sor' });
  });

  it('rejects invalid command names and locales', async () => {
    const { client } = await start();
    const commands = client.application!.commands;

    const upperCase = await rejection(commands.set([{ ...ASK_COMMAND, name: 'Ask' }]));
    expect(upperCase.code).toBe(50035);

    const badLocale = await rejection(commands.set([{ ...ASK_COMMAND, nameLocalizations: { xx: 'sor' } as never }]));
    expect(badLocale.code).toBe(50035);
    expect(JSON.stringify(badLocale.rawError)).toContain('xx');

    const longDescription = await rejection(commands.set([{ ...ASK_COMMAND, description: 'd'.repeat(101) }]));
    expect(longDescription.code).toBe(50035);
  });

  it('supports deferReply then editReply', async () => {
    const { fake, client } = await start();
    const user = fake.addUser({ username: 'asker', locale: 'tr' });
    await client.application!.commands.set([ASK_COMMAND]);
    const interactionPromise = nextInteraction(client);

    const dispatched = fake.sendSlashCommand(user.id, 'ask', { text: 'nasılsın?' });
    const interaction = await interactionPromise;
    await interaction.deferReply();
    await interaction.editReply('iyiyim');

    expect(interaction.id).toBe(dispatched.id);
    expect(interaction.locale).toBe('tr');
    expect(interaction.options.getString('text')).toBe('nasılsın?');
    expect(interaction.channel?.type).toBe(ChannelType.DM);
    expect(interaction.inGuild()).toBe(false);
    const responses = fake.interactionResponses(dispatched.id);
    expect(responses.callbackType).toBe(InteractionResponseType.DeferredChannelMessageWithSource);
    expect(responses.original?.content).toBe('iyiyim');
    expect(responses.original?.revisions.map((revision) => revision.content)).toEqual(['', 'iyiyim']);
    expect(responses.originalEdits).toHaveLength(1);
  });

  it('rejects deferReply after the 3 s window with 10062', async () => {
    const { fake, client } = await start();
    const user = fake.addUser({ username: 'slow' });
    await client.application!.commands.set([ASK_COMMAND]);
    const interactionPromise = nextInteraction(client);

    fake.sendSlashCommand(user.id, 'ask', { text: 'late' });
    const interaction = await interactionPromise;
    fake.advanceInteractionClock(INTERACTION_RESPONSE_WINDOW_MS + 1);
    const error = await rejection(interaction.deferReply());

    expect(error.code).toBe(10062);
    expect(error.status).toBe(404);
  });

  it('rejects a second acknowledgement with 40060', async () => {
    const { fake, client } = await start();
    const user = fake.addUser({ username: 'twice' });
    await client.application!.commands.set([ASK_COMMAND]);
    const interactionPromise = nextInteraction(client);

    const dispatched = fake.sendSlashCommand(user.id, 'ask', { text: 'again' });
    const interaction = await interactionPromise;
    await interaction.reply('first');
    const error = await rejection(
      client.rest.post(Routes.interactionCallback(interaction.id, interaction.token), {
        body: { type: InteractionResponseType.ChannelMessageWithSource, data: { content: 'second' } },
        auth: false,
      }),
    );

    expect(error.code).toBe(40060);
    expect(fake.interactionResponses(dispatched.id).original?.content).toBe('first');
  });

  it('rejects edits after 15 minutes with 50027', async () => {
    const { fake, client } = await start();
    const user = fake.addUser({ username: 'patient' });
    await client.application!.commands.set([ASK_COMMAND]);
    const interactionPromise = nextInteraction(client);

    fake.sendSlashCommand(user.id, 'ask', { text: 'wait' });
    const interaction = await interactionPromise;
    await interaction.deferReply();
    fake.advanceInteractionClock(INTERACTION_TOKEN_LIFETIME_MS + 1);
    const editError = await rejection(interaction.editReply('too late'));
    const followupError = await rejection(interaction.followUp('too late'));

    expect(editError.code).toBe(50027);
    expect(followupError.code).toBe(50027);
  });

  it('updates a message from a button click', async () => {
    const { fake, client } = await start();
    const user = fake.addUser({ username: 'clicker' });
    const channel = await client.users.createDM(user.id);
    const button = new ButtonBuilder().setCustomId('retry').setLabel('Retry').setStyle(ButtonStyle.Primary);
    const message = await channel.send({
      content: 'failed',
      components: [new ActionRowBuilder<ButtonBuilder>().addComponents(button)],
    });
    client.on('interactionCreate', async (interaction) => {
      if (interaction.isButton()) {
        await interaction.update({ content: `clicked ${interaction.customId}`, components: [] });
      }
    });

    const dispatched = fake.sendComponent(user.id, message.id, 'retry');
    await fake.waitFor(() => fake.interactionResponses(dispatched.id).callbackType);

    expect(fake.message(message.id)?.content).toBe('clicked retry');
    expect(fake.message(message.id)?.components).toEqual([]);
    expect(() => fake.sendComponent(user.id, message.id, 'missing')).toThrow(/custom_id/);
  });

  it('answers rapid edits with 429 and discord.js retries', async () => {
    const { fake, client } = await start({ rateLimits: { messageEdit: { limit: 2, windowMs: 1_000 } } });
    const user = fake.addUser({ username: 'streamer' });
    const channel = await client.users.createDM(user.id);
    const message = await channel.send('0');

    const edits = await Promise.all([1, 2, 3, 4].map((n) => message.edit(String(n))));

    expect(edits.at(-1)?.content).toBe('4');
    const stored = fake.message(message.id)!;
    expect(stored.revisions.map((revision) => revision.content)).toEqual(['0', '1', '2', '3', '4']);
    const limited = fake.requests().filter((request) => request.method === 'PATCH' && request.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(1);
  });

  it('resumes after disconnectAll and replays missed DMs', async () => {
    const { fake, client } = await start();
    const user = fake.addUser({ username: 'reconnect' });
    const received = collectUserDms(client, 2);

    expect(fake.disconnectAll()).toBe(1);
    fake.sendDm(user.id, 'while away');
    await fake.waitFor(() => fake.gatewayStats().resumes === 1 && fake.gatewayStats().readyConnections === 1);
    fake.sendDm(user.id, 'after resume');

    expect(await received).toEqual(['while away', 'after resume']);
    expect(fake.gatewayStats().identifies).toBe(1);
  });

  it('starts a new session when sessions are invalidated', async () => {
    const { fake, client } = await start();
    const user = fake.addUser({ username: 'fresh' });
    const received = collectUserDms(client, 1);

    // discord.js spaces identifies of one shard 5 s apart (plus jitter), so this test takes ~6 s.
    fake.disconnectAll({ invalidateSessions: true });
    const missed = fake.sendDm(user.id, 'lost on the gateway');
    await fake.waitFor(() => fake.gatewayStats().readyConnections === 1 && fake.gatewayStats().identifies === 2, 15_000, 'a second identify');
    fake.sendDm(user.id, 'new session');

    expect(await received).toEqual(['new session']);
    const channel = await client.channels.fetch(fake.dmChannelId(user.id));
    const history = await (channel as { messages: { fetch(o: object): Promise<Map<string, Message>> } }).messages.fetch({
      after: (BigInt(missed.id) - 1n).toString(),
    });
    expect([...history.values()].map((message) => message.content)).toContain('lost on the gateway');
  });

  it('acknowledges heartbeats', async () => {
    const { fake } = await start({ heartbeatIntervalMs: 50 });

    await fake.waitFor(() => fake.gatewayStats().heartbeats >= 2, 5_000, 'two heartbeats');

    expect(client?.ws.ping).toBeGreaterThanOrEqual(0);
  });

  it('sends zlib-stream frames when asked', async () => {
    fake = await startFakeDiscord();
    const socket = new WebSocket(`${fake.gatewayUrl}?v=10&encoding=json&compress=zlib-stream`);
    const [frame] = (await once(socket, 'message')) as [Buffer];
    socket.terminate();

    expect(frame.subarray(-4)).toEqual(Buffer.from([0x00, 0x00, 0xff, 0xff]));
    const hello = JSON.parse(zlib.inflateSync(frame, { finishFlush: zlib.constants.Z_SYNC_FLUSH }).toString());
    expect(hello.op).toBe(10);
    expect(hello.d.heartbeat_interval).toBe(41_250);
  });
});

/** Logs a client with `intents` into `discord`, for guild tests that need other intents than DMs. */
async function loginWith(discord: FakeDiscord, intents: GatewayIntentBits[]): Promise<Client> {
  client = new Client({
    intents,
    partials: [Partials.Channel],
    rest: { api: discord.restBase, cdn: discord.cdnBase, mediaProxy: discord.cdnBase },
  });
  const ready = once(client, 'clientReady');
  await client.login(discord.token);
  await ready;
  return client;
}

describe('fake Discord guilds with the real discord.js client', () => {
  it('sends GUILD_CREATE after READY to a GUILDS session', async () => {
    fake = await startFakeDiscord();
    const guild = fake.addGuild({ name: 'Sunucu', preferredLocale: 'tr' });
    const channel = fake.addGuildTextChannel(guild.id, 'genel');

    const bot = await loginWith(fake, [GatewayIntentBits.Guilds]);

    const cached = bot.guilds.cache.get(guild.id);
    expect(cached?.name).toBe('Sunucu');
    expect(cached?.preferredLocale).toBe('tr');
    expect(cached?.channels.cache.get(channel.id)?.type).toBe(ChannelType.GuildText);
    expect(cached?.members.me?.id).toBe(fake.botUser.id);
    expect(fake.dispatches().filter((dispatch) => dispatch.event === 'GUILD_CREATE')).toEqual([
      { event: 'GUILD_CREATE', sessionCount: 0 },
    ]);
  });

  it('lists guilds in READY without GUILDS but sends no GUILD_CREATE', async () => {
    fake = await startFakeDiscord();
    const guild = fake.addGuild({ name: 'Quiet' });

    const bot = await loginWith(fake, [GatewayIntentBits.DirectMessages]);

    // discord.js keeps each guild from READY as an unavailable placeholder.
    expect(bot.guilds.cache.get(guild.id)?.available).toBe(false);
    expect(fake.gatewayStats().identifies).toBe(1);
  });

  it('dispatches a guild slash command with member and ephemeral reply', async () => {
    fake = await startFakeDiscord();
    const bot = await loginWith(fake, [GatewayIntentBits.DirectMessages]);
    await bot.application!.commands.set([ASK_COMMAND]);
    const guild = fake.addGuild({ name: 'Server', preferredLocale: 'de' });
    const channel = fake.addGuildTextChannel(guild.id, 'general');
    const user = fake.addUser({ username: 'member', locale: 'tr' });
    fake.addMember(guild.id, user.id, { nick: 'Üye', roles: ['42'] });
    const interactionPromise = nextInteraction(bot);

    const dispatched = fake.sendSlashCommand(user.id, 'ask', { text: 'selam' }, { channelId: channel.id });
    const interaction = await interactionPromise;
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    await interaction.editReply('merhaba');

    expect(interaction.inGuild()).toBe(true);
    expect(interaction.inCachedGuild()).toBe(false);
    expect(interaction.guildId).toBe(guild.id);
    expect(interaction.channelId).toBe(channel.id);
    expect(interaction.user.id).toBe(user.id);
    expect(interaction.locale).toBe('tr');
    expect(interaction.guildLocale).toBe('de');
    expect(interaction.memberPermissions?.bitfield).toBe(DEFAULT_MEMBER_PERMISSIONS);
    expect(interaction.appPermissions.bitfield).toBe(DEFAULT_BOT_GUILD_PERMISSIONS);
    expect(interaction.member).toMatchObject({ nick: 'Üye', roles: ['42'], user: { id: user.id } });
    expect(interaction.authorizingIntegrationOwners.guildId).toBe(guild.id);
    const responses = fake.interactionResponses(dispatched.id);
    expect(responses.callbackData).toEqual({ flags: MessageFlags.Ephemeral });
    expect(responses.original?.ephemeral).toBe(true);
    expect(responses.original?.content).toBe('merhaba');
    expect(fake.channelMessages(channel.id)).toEqual([]);
  });

  it('rejects commands a member may not use', async () => {
    fake = await startFakeDiscord();
    const bot = await loginWith(fake, [GatewayIntentBits.DirectMessages]);
    await bot.application!.commands.set([
      { ...ASK_COMMAND, name: 'moderate', defaultMemberPermissions: PermissionFlagsBits.ManageMessages },
      { ...ASK_COMMAND, name: 'dmonly', contexts: [1] },
    ]);
    const guild = fake.addGuild({ name: 'Server' });
    const channel = fake.addGuildTextChannel(guild.id, 'general');
    const member = fake.addUser({ username: 'member' });
    fake.addMember(guild.id, member.id);
    const moderator = fake.addUser({ username: 'moderator' });
    fake.addMember(guild.id, moderator.id, { permissions: DEFAULT_MEMBER_PERMISSIONS | PermissionFlagsBits.ManageMessages });
    const outsider = fake.addUser({ username: 'outsider' });
    const inGuild = { channelId: channel.id };

    expect(() => fake!.sendSlashCommand(member.id, 'moderate', { text: 'x' }, inGuild)).toThrow(/default_member_permissions/);
    expect(() => fake!.sendSlashCommand(moderator.id, 'moderate', { text: 'x' }, inGuild)).not.toThrow();
    expect(() => fake!.sendSlashCommand(member.id, 'dmonly', { text: 'x' }, inGuild)).toThrow(/guild context/);
    expect(() => fake!.sendSlashCommand(outsider.id, 'moderate', { text: 'x' }, inGuild)).toThrow(/not a member/);
  });

  it('gates guild messages and their content by intent', async () => {
    fake = await startFakeDiscord();
    const bot = await loginWith(fake, [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages]);
    const guild = fake.addGuild({ name: 'Server' });
    const channel = fake.addGuildTextChannel(guild.id, 'general');
    const user = fake.addUser({ username: 'poster' });
    fake.addMember(guild.id, user.id, { nick: 'Poster' });
    const received: Message[] = [];
    const twoReceived = new Promise<void>((resolve) => {
      bot.on('messageCreate', (message) => {
        received.push(message);
        if (received.length === 2) resolve();
      });
    });

    const plain = fake.sendGuildMessage(user.id, channel.id, 'hello all');
    const mention = fake.sendGuildMessage(user.id, channel.id, `<@${fake.botUser.id}> hi bot`);
    await twoReceived;

    expect(received.map((message) => message.id)).toEqual([plain.id, mention.id]);
    expect(received.map((message) => message.guildId)).toEqual([guild.id, guild.id]);
    // Without MESSAGE_CONTENT only a message that mentions the bot keeps its content.
    expect(received.map((message) => message.content)).toEqual(['', `<@${fake.botUser.id}> hi bot`]);
    expect(received[1]?.mentions.users.has(fake.botUser.id)).toBe(true);
    expect(received[0]?.member?.nickname).toBe('Poster');
    expect(received[0]?.channel.type).toBe(ChannelType.GuildText);
  });
});
