import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import { parseEnv } from '../../src/config/env.js';
import { createLogger } from '../../src/logger.js';
import { eventually } from '../support/eventually.js';
import { fakeBackendEnv, startAppOnFakes, startFakeBackends, type FakeBackends } from '../support/fake-backends.js';
import { startFakeDiscord, type CommandOptionsInput, type DispatchedInteraction, type FakeDiscord } from '../support/fake-discord/index.js';

const ADMIN_ID = '300000000000000101';
const SECRET = 'whsec_DISCORD_secret_0123456789';

class LogCapture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

interface Running {
  backends: FakeBackends<FakeDiscord>;
  app: RunningApp;
  logs: LogCapture;
}

let running: Running | undefined;

afterEach(async () => {
  await running?.app.stop(2_000);
  await running?.backends.close();
  running = undefined;
});

/** Starts the bot on the fake Discord with every log line captured at trace level. */
async function start(): Promise<Running> {
  const backends = await startFakeBackends('bot-admin-discord-', () => startFakeDiscord());
  const env = parseEnv({
    DISCORD_BOT_TOKEN: backends.platform.token,
    DISCORD_API_BASE: backends.platform.restBase,
    ...fakeBackendEnv(backends.openai, backends.databasePath),
    ADMIN_IDS: `discord:${ADMIN_ID}`,
  });
  const logs = new LogCapture();
  const app = await startAppOnFakes(backends, env, createLogger('trace', logs));
  running = { backends, app, logs };
  return running;
}

/** Waits until the deferred reply of an interaction was edited and returns its first embed's description. */
async function replyText(discord: FakeDiscord, interaction: DispatchedInteraction): Promise<string> {
  const record = await discord.waitFor(
    () => {
      const responses = discord.interactionResponses(interaction.id);
      return responses.originalEdits.length > 0 ? responses : undefined;
    },
    10_000,
    `the reply to interaction ${interaction.id}`,
  );
  return String((record.original?.embeds[0] as { description?: string } | undefined)?.description ?? '');
}

describe('Discord admin commands', () => {
  it('secret set by slash command stays hidden', async () => {
    const { backends, app, logs } = await start();
    const discord = backends.platform;
    discord.addUser({ id: ADMIN_ID, username: 'admin', globalName: 'Admin' });
    const guild = discord.addGuild({ name: 'Team' });
    const channel = discord.addGuildTextChannel(guild.id, 'general');
    discord.addMember(guild.id, ADMIN_ID);

    const inGuild = discord.sendSlashCommand(ADMIN_ID, 'config', { action: 'set', key: 'webhook.secret', value: SECRET }, { channelId: channel.id });
    const setReply = await replyText(discord, inGuild);
    expect(setReply).toContain('webhook.secret');
    const replies = [setReply];
    const readOptions: CommandOptionsInput[] = [{ action: 'get', key: 'webhook.secret' }, { action: 'list' }];
    for (const options of readOptions) {
      replies.push(await replyText(discord, discord.sendSlashCommand(ADMIN_ID, 'config', options)));
    }
    // A mistyped key is rejected without quoting the value.
    replies.push(await replyText(discord, discord.sendSlashCommand(ADMIN_ID, 'config', { action: 'set', key: 'webhook.secrte', value: SECRET })));

    const stored = await app.db.selectFrom('system_configs').select('value').where('key', '=', 'webhook.secret').executeTakeFirstOrThrow();
    expect(stored.value).toBe(SECRET);
    for (const reply of replies) expect(reply.includes(SECRET), reply).toBe(false);
    const sent = discord
      .requests()
      .map((request) => JSON.stringify(request.body ?? null))
      .join('\n');
    expect(sent.includes(SECRET)).toBe(false);
    expect(logs.text).toContain('setting changed');
    expect(logs.text.includes(SECRET)).toBe(false);
    await eventually(async () => {
      const updates = await app.db.selectFrom('platform_updates').select(['status', 'payload']).execute();
      return updates.length === 4 && updates.every((update) => update.status === 'handled') ? updates : undefined;
    }, 'every interaction to be marked handled');
    const payloads = await app.db.selectFrom('platform_updates').select('payload').execute();
    expect(payloads.some((row) => row.payload.includes(SECRET))).toBe(false);
  });
});
