import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connection.js';
import { eventually } from '../support/eventually.js';
import { PRIMARY_MODEL_ID } from '../support/bot-harness.js';
import {
  botMessages,
  startDiscordHarness,
  uiText,
  waitForBotMessages,
  waitForInteractionReply,
  type DiscordHarness,
} from '../support/discord-harness.js';

let harness: DiscordHarness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function start(options?: Parameters<typeof startDiscordHarness>[0]): Promise<DiscordHarness> {
  harness = await startDiscordHarness(options);
  return harness;
}

async function deliveredIdsOf(h: DiscordHarness, replyMessageId: number): Promise<string[]> {
  return eventually(async () => {
    const row = await h.app.db.selectFrom('messages').select('extra_metadata').where('id', '=', replyMessageId).executeTakeFirst();
    return (JSON.parse(row?.extra_metadata ?? '{}') as { platform_message_ids?: string[] }).platform_message_ids;
  }, 'the reply delivery to be recorded');
}

/** Counts ``` fence lines; a message with balanced code blocks has an even count. */
function fenceCount(text: string): number {
  return text.split('\n').filter((line) => /^\s*```/.test(line)).length;
}

describe('Discord DM end to end', () => {
  it('first DM creates the user, a conversation and two messages', async () => {
    const h = await start();
    const { discord, app } = h;
    const alice = discord.addUser({ username: 'alice', globalName: 'Alice' });
    const sent = discord.sendDm(alice.id, 'What is the capital of France?');

    const [reply] = await waitForBotMessages(discord, alice.id, 1);
    expect(reply?.content).toBe('Reply to: What is the capital of France?');

    const user = await app.db.selectFrom('users').selectAll().where('username', '=', `discord:${alice.id}`).executeTakeFirstOrThrow();
    expect(user.display_name).toBe('Alice');
    expect(user.platform_username).toBe('alice');
    expect(user.role).toBe('user');

    const conversations = await app.db.selectFrom('conversations').selectAll().where('user_id', '=', user.id).execute();
    expect(conversations).toHaveLength(1);
    expect(conversations[0]?.platform).toBe('discord');
    expect(conversations[0]?.chat_id).toBe(discord.dmChannelId(alice.id));

    const messages = await app.db.selectFrom('messages').selectAll().orderBy('id').execute();
    expect(messages.map((message) => message.role)).toEqual(['user', 'assistant']);
    expect(messages[0]?.content).toBe('What is the capital of France?');
    expect(JSON.parse(messages[0]?.extra_metadata ?? '{}').platform_message_id).toBe(sent.id);
    expect(JSON.parse(messages[1]?.extra_metadata ?? '{}').status).toBe('complete');
    expect(await deliveredIdsOf(h, messages[1]!.id)).toEqual([reply?.id]);

    const journal = await app.db.selectFrom('platform_updates').selectAll().where('platform', '=', 'discord').execute();
    expect(journal.map((row) => [row.update_key, row.status])).toEqual([[sent.id, 'handled']]);
    expect(discord.typingCount(discord.dmChannelId(alice.id))).toBeGreaterThanOrEqual(1);
  });

  it('5,000-character reply arrives as valid messages with balanced fences', async () => {
    const h = await start();
    const { discord, openai, app } = h;
    const code = ['```ts', ...Array.from({ length: 40 }, (_, i) => `const value${i} = compute(${i}); // step ${i} of the long example`), '```'].join('\n');
    let text = '';
    while (text.length < 5_000) text += `A paragraph of explanation before the code, with **bold** text. 🇹🇷\n\n${code}\n\n`;
    openai.script(PRIMARY_MODEL_ID, { text });
    const bob = discord.addUser({ username: 'bob' });
    discord.sendDm(bob.id, 'Write a long answer with code');

    const reply = await app.db.selectFrom('messages').select('id').where('role', '=', 'assistant');
    const assistant = await eventually(() => reply.executeTakeFirst(), 'the assistant message');
    const deliveredIds = await deliveredIdsOf(h, assistant.id);
    const messages = botMessages(discord, discord.dmChannelId(bob.id));

    expect(deliveredIds.length).toBeGreaterThanOrEqual(3);
    expect(messages.map((message) => message.id)).toEqual(deliveredIds);
    for (const message of messages) {
      expect(message.content.length).toBeLessThanOrEqual(2000);
      expect(fenceCount(message.content) % 2).toBe(0);
    }
    const joined = messages.map((message) => message.content).join('\n');
    expect(joined.replace(/\s+/g, '')).toContain('const value39 = compute(39);'.replace(/\s+/g, ''));
  });

  it('reply to a user who blocked the bot marks users.blocked_at', async () => {
    const h = await start();
    const { discord, app } = h;
    const carol = discord.addUser({ username: 'carol' });
    discord.sendDm(carol.id, 'hello');
    await waitForBotMessages(discord, carol.id, 1);

    discord.blockDms(carol.id);
    discord.sendDm(carol.id, 'are you there?');

    const blockedAt = await eventually(async () => {
      const row = await app.db.selectFrom('users').select('blocked_at').where('username', '=', `discord:${carol.id}`).executeTakeFirst();
      return row?.blocked_at;
    }, 'blocked_at to be set');
    expect(blockedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const failed = await eventually(async () => {
      const rows = await app.db.selectFrom('messages').select('extra_metadata').where('role', '=', 'assistant').orderBy('id').execute();
      const metadata = JSON.parse(rows[1]?.extra_metadata ?? '{}') as { status?: string; delivery_error?: string };
      return metadata.delivery_error ? metadata : undefined;
    }, 'the delivery failure to be recorded');
    expect(failed.status).toBe('failed');
    expect(failed.delivery_error).toContain('50007');
    // Only the delivered reply counts against carol's daily limits.
    const usage = await app.db.selectFrom('usage_counters').selectAll().executeTakeFirstOrThrow();
    expect(usage).toMatchObject({ total_chat_count: 1, groq_count: 1 });
  });

  it('DMs sent while the bot was offline are answered after a restart, once', async () => {
    const h = await start();
    const { discord, openai } = h;
    const dave = discord.addUser({ username: 'dave' });
    discord.sendDm(dave.id, 'first question');
    await waitForBotMessages(discord, dave.id, 1);

    await h.stopApp();
    discord.sendDm(dave.id, 'sent while offline');
    discord.sendDm(dave.id, 'also sent while offline');
    await h.startAppAgain();

    const replies = await waitForBotMessages(discord, dave.id, 3);
    expect(replies.map((message) => message.content)).toEqual([
      'Reply to: first question',
      'Reply to: sent while offline',
      'Reply to: also sent while offline',
    ]);
    expect(openai.requests).toHaveLength(3);

    await h.restart();
    discord.sendDm(dave.id, 'after the second restart');
    const afterRestart = await waitForBotMessages(discord, dave.id, 4);
    expect(afterRestart.at(-1)?.content).toBe('Reply to: after the second restart');
    expect(afterRestart).toHaveLength(4);
    expect(openai.requests).toHaveLength(4);
  });

  it('DM lost between gateway sessions is answered', async () => {
    const h = await start();
    const { discord } = h;
    const gus = discord.addUser({ username: 'gus' });
    discord.sendDm(gus.id, 'before the outage');
    await waitForBotMessages(discord, gus.id, 1);

    // discord.js spaces identifies of one shard 5 s apart, so the new session takes about 6 s.
    discord.disconnectAll({ invalidateSessions: true });
    discord.sendDm(gus.id, 'lost on the gateway');

    const replies = await waitForBotMessages(discord, gus.id, 2, 20_000);
    expect(replies.map((message) => message.content)).toEqual(['Reply to: before the outage', 'Reply to: lost on the gateway']);
    expect(discord.gatewayStats().identifies).toBe(2);
  });

  it('message left unfinished by a crash is answered on start', async () => {
    const h = await start();
    const { discord } = h;
    const erin = discord.addUser({ username: 'erin' });
    discord.sendDm(erin.id, 'warm up');
    await waitForBotMessages(discord, erin.id, 1);

    await h.stopApp();
    const interrupted = discord.sendDm(erin.id, 'interrupted by a crash');
    // A crash after the journal stored the message but before the bot replied leaves it `received`.
    const restarted = await startAgainWithJournalRow(h, interrupted.id, discord.dmChannelId(erin.id));

    const replies = await waitForBotMessages(discord, erin.id, 2);
    expect(replies.at(-1)?.content).toBe('Reply to: interrupted by a crash');
    const row = await eventually(async () => {
      const journal = await restarted.db.selectFrom('platform_updates').select('status').where('update_key', '=', interrupted.id).executeTakeFirst();
      return journal?.status === 'handled' ? journal : undefined;
    }, 'the journal row to be marked handled');
    expect(row.status).toBe('handled');
  });

  it('wrong token fails start-up with a hint', async () => {
    const failure = await startDiscordHarness({ env: { DISCORD_BOT_TOKEN: 'not-the-token' } }).then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toContain('Discord login failed');
    expect((failure as Error).message).toContain('DISCORD_BOT_TOKEN');
    expect((failure as Error).message).not.toContain('not-the-token');
  });

  it('DM with a file gets the unsupported notice', async () => {
    const h = await start();
    const { discord, openai, app } = h;
    const lena = discord.addUser({ username: 'lena' });

    discord.sendDm(lena.id, 'What is in this picture?', { attachments: ['photo.png'] });
    const [notice] = await waitForBotMessages(discord, lena.id, 1);

    expect(notice?.content).toBe(await uiText(h, 'notice.unsupported_message'));
    expect(openai.requests).toHaveLength(0);
    expect(await app.db.selectFrom('messages').selectAll().execute()).toEqual([]);
  });

  it('forwarded DM gets the unsupported notice in Turkish', async () => {
    const h = await start();
    const { discord, openai, app } = h;
    const mert = discord.addUser({ username: 'mert', locale: 'tr' });
    // A slash command carries the user's locale, which the bot keeps for later DMs.
    await waitForInteractionReply(discord, discord.sendSlashCommand(mert.id, 'help'));
    const original = discord.sendDm(mert.id, 'bunu özetle');
    await waitForBotMessages(discord, mert.id, 1);

    discord.sendDm(mert.id, '', { forwardOf: original.id });
    const replies = await waitForBotMessages(discord, mert.id, 2);

    expect(replies[1]?.content).toBe(await uiText(h, 'notice.unsupported_message', 'tr'));
    expect(openai.requests).toHaveLength(1);
    const stored = await app.db.selectFrom('messages').select('content').where('role', '=', 'user').execute();
    expect(stored.map((row) => row.content)).toEqual(['bunu özetle']);
  });

  it('unexpected failure gets the internal error notice', async () => {
    const h = await start();
    const { discord, openai, app } = h;
    const nina = discord.addUser({ username: 'nina' });
    // The trigger makes storing this one message fail, as a full disk or a damaged file would.
    await sql`CREATE TRIGGER reject_boom BEFORE INSERT ON messages WHEN NEW.content = 'boom'
      BEGIN SELECT RAISE(ABORT, 'injected failure'); END`.execute(app.db);

    const sent = discord.sendDm(nina.id, 'boom');
    const [notice] = await waitForBotMessages(discord, nina.id, 1);

    expect(notice?.content).toBe(await uiText(h, 'error.internal'));
    expect(openai.requests).toHaveLength(0);
    const journal = await eventually(async () => {
      const row = await app.db.selectFrom('platform_updates').select('status').where('update_key', '=', sent.id).executeTakeFirst();
      return row?.status === 'received' ? undefined : row;
    }, 'the journal row to be finished');
    expect(journal.status).toBe('failed');
  });

  it('internal error notice after streamed code is not code', async () => {
    const h = await start();
    const { discord, openai, app } = h;
    const nina = discord.addUser({ username: 'nina' });
    // Storing the reply fails after the whole answer has streamed.
    await sql`CREATE TRIGGER reject_reply BEFORE INSERT ON messages WHEN NEW.role = 'assistant'
      BEGIN SELECT RAISE(ABORT, 'injected failure'); END`.execute(app.db);
    openai.script(PRIMARY_MODEL_ID, { text: 'Here it is:\n\n```js\nconst answer = 42;' });

    discord.sendDm(nina.id, 'show me code');
    const notice = await uiText(h, 'error.internal');
    const reply = await eventually(() => {
      const [message] = botMessages(discord, discord.dmChannelId(nina.id));
      return message?.content.includes(notice) ? message : undefined;
    }, 'the internal error notice');

    expect(reply.content).toBe(`Here it is:\n\n\`\`\`js\nconst answer = 42;\n\`\`\`\n\n⚠️ _${notice}_`);
    expect(fenceCount(reply.content) % 2).toBe(0);
  });

  it('bot ignores its own replies', async () => {
    const h = await start();
    const { discord, openai } = h;
    const frank = discord.addUser({ username: 'frank' });
    discord.sendDm(frank.id, 'first');
    await waitForBotMessages(discord, frank.id, 1);
    // The gateway delivers events in order, so the first reply's event was seen before this DM.
    discord.sendDm(frank.id, 'second');
    await waitForBotMessages(discord, frank.id, 2);

    expect(openai.requests).toHaveLength(2);
    expect(botMessages(discord, discord.dmChannelId(frank.id)).map((message) => message.content)).toEqual([
      'Reply to: first',
      'Reply to: second',
    ]);
  });
});

/**
 * Starts the bot again after inserting a `received` journal row, as a crash between storing a
 * message and replying to it would leave behind.
 */
async function startAgainWithJournalRow(h: DiscordHarness, messageId: string, channelId: string) {
  const db = openDatabase(h.databasePath);
  await db
    .insertInto('platform_updates')
    .values({
      platform: 'discord',
      update_key: messageId,
      chat_id: channelId,
      payload: JSON.stringify({ id: messageId }),
      status: 'received',
      received_at: new Date().toISOString(),
      handled_at: null,
    })
    .execute();
  await db.destroy();
  return h.startAppAgain();
}

describe('Discord ordering of DMs and commands', () => {
  it('/new waits behind a DM sent before it', async () => {
    const h = await start();
    const { discord, openai, app } = h;
    openai.script(PRIMARY_MODEL_ID, { text: 'A slow answer that streams for a while.', chunkSize: 4, delayMs: 80 });
    const erin = discord.addUser({ username: 'erin' });
    discord.sendDm(erin.id, 'A slow');
    await eventually(() => openai.requests.length === 1, 'the first model request');
    discord.sendDm(erin.id, 'B sent before new');
    // B now waits in the adapter behind A's streaming reply; nothing observable marks its
    // arrival, so the command follows after a short pause while A is still streaming.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(openai.requests).toHaveLength(1);
    const interaction = discord.sendSlashCommand(erin.id, 'new', {});
    await eventually(() => discord.interactionResponses(interaction.id).originalEdits.length > 0, 'the /new reply', 15_000);

    const conversations = await app.db.selectFrom('conversations').selectAll().orderBy('created_at').execute();
    expect(conversations).toHaveLength(2);
    const first = await app.db
      .selectFrom('messages')
      .select('content')
      .where('conversation_id', '=', conversations[0]!.id)
      .where('role', '=', 'user')
      .orderBy('id')
      .execute();
    expect(first.map((row) => row.content)).toEqual(['A slow', 'B sent before new']);
    expect(conversations[1]?.is_active).toBe(1);
  });
});
