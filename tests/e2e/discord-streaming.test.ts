import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { PRIMARY_MODEL_ID } from '../support/bot-harness.js';
import { botMessages, startDiscordHarness, waitForBotMessages, type DiscordHarness } from '../support/discord-harness.js';

let harness: DiscordHarness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function deliveredReplies(h: DiscordHarness): Promise<number> {
  const row = await h.app.db
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('role', '=', 'assistant')
    .where(({ eb, ref }) => eb(eb.fn('json_extract', [ref('extra_metadata'), eb.val('$.platform_message_ids')]), 'is not', null))
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}

function rateLimitedRequests(h: DiscordHarness): number {
  return h.discord.requests().filter((request) => request.status === 429).length;
}

describe('Discord streaming', () => {
  it('edits its reply while the model writes', async () => {
    harness = await startDiscordHarness();
    const { discord, openai } = harness;
    const text = 'First part of the answer arrives, then **more** text follows until the reply is complete.';
    openai.script(PRIMARY_MODEL_ID, { text, chunkSize: 4, delayMs: 90 });
    const user = discord.addUser({ username: 'streamer' });
    discord.sendDm(user.id, 'stream please');

    await eventually(async () => (await deliveredReplies(harness!)) === 1, 'the reply delivery to be recorded', 20_000);
    const messages = botMessages(discord, discord.dmChannelId(user.id));
    expect(messages).toHaveLength(1);
    expect(messages[0]?.content).toBe(text);
    expect(messages[0]!.revisions.length).toBeGreaterThanOrEqual(2);
    for (const revision of messages[0]!.revisions) {
      expect((revision as { content: string }).content.trim()).not.toBe('');
      expect(text.startsWith((revision as { content: string }).content.slice(0, 8))).toBe(true);
    }
  });

  it('50 DMs streaming at once receive no 429', async () => {
    harness = await startDiscordHarness();
    await harness.app.db.updateTable('api_configs').set({ rate_limit: 0 }).where('name', '=', 'groq').execute();
    await harness.app.router.reload();
    const { discord, openai } = harness;
    const text = 'Birden fazla düzenlemeyle akan bir yanıt; her kanal kendi sırasıyla güncelleniyor. '.repeat(2);
    openai.setDefault(PRIMARY_MODEL_ID, { text, chunkSize: 10, delayMs: 120 });

    const users = Array.from({ length: 50 }, (_, index) => discord.addUser({ username: `load${index}` }));
    for (const user of users) discord.sendDm(user.id, 'anlat');

    await eventually(async () => (await deliveredReplies(harness!)) === 50, 'all 50 replies to be delivered', 90_000);
    for (const user of users) {
      const messages = botMessages(discord, discord.dmChannelId(user.id));
      expect(messages.map((message) => message.content).join('')).toBe(text.trim());
    }
    const edits = discord.requests().filter((request) => request.method === 'PATCH').length;
    expect(edits).toBeGreaterThanOrEqual(50);
    expect(rateLimitedRequests(harness)).toBe(0);
  });

  it('an injected 429 on an edit is waited out', async () => {
    harness = await startDiscordHarness();
    const { discord, openai } = harness;
    const text = 'Answer that needs at least one edit before it is complete, streamed slowly.';
    openai.script(PRIMARY_MODEL_ID, { text, chunkSize: 6, delayMs: 100 });
    discord.failNext({ method: 'PATCH', path: /\/channels\/\d+\/messages\/\d+/ }, 429, { message: 'You are being rate limited.', retry_after: 0.5, global: false }, {
      'retry-after': '1',
      'x-ratelimit-scope': 'shared',
    });
    const user = discord.addUser({ username: 'limited' });
    discord.sendDm(user.id, 'go');

    await eventually(async () => (await deliveredReplies(harness!)) === 1, 'the reply delivery to be recorded', 20_000);
    const [message] = await waitForBotMessages(discord, user.id, 1);
    expect(message?.content).toBe(text);
    expect(rateLimitedRequests(harness)).toBe(1);
  });
});
