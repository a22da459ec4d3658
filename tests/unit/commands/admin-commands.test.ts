import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { COMMANDS } from '../../../src/commands/registry.js';
import { nowIso } from '../../../src/db/values.js';
import type { Platform } from '../../../src/engine/types.js';
import type { ChatRole } from '../../../src/router/types.js';
import { insertConversation, insertMessage } from '../../support/db-fixtures.js';
import { addPerson, createCommandFixture, LISTED_ADMINS, person, type CommandFixture } from './command-fixture.js';

let fixture: CommandFixture;

beforeEach(async () => {
  fixture = await createCommandFixture();
});

afterEach(async () => {
  await fixture.cleanup();
});

function t(locale: 'tr' | 'en', key: string, variables?: Record<string, string | number>): string {
  return fixture.services.texts.t(locale, key, variables);
}

/** Arguments with which each admin command succeeds; the target account is `<platform>:900`. */
const ADMIN_ARGUMENTS: Record<string, string> = {
  ban: '900',
  unban: '900',
  invite: 'create 1',
  role: '900 vip',
  unlock: '900',
  lock: '900',
  limits: '900 daily_chat 5',
  config: 'get access.mode',
  stats: '',
  text: 'set welcome en Hello {name}!',
  identity: 'show',
};

const ADMIN_COMMAND_NAMES = COMMANDS.filter((command) => command.adminOnly).map((command) => command.name);
const PLATFORMS: Platform[] = ['telegram', 'discord'];

describe('admin-only commands', () => {
  it('table covers every admin command', () => {
    expect(Object.keys(ADMIN_ARGUMENTS).sort()).toEqual([...ADMIN_COMMAND_NAMES].sort());
  });

  for (const platform of PLATFORMS) {
    describe(`on ${platform}`, () => {
      it.each(ADMIN_COMMAND_NAMES)('/%s is refused to users and vips', async (name) => {
        await fixture.addUser(person(platform, '900'));
        let id = 200;
        for (const role of ['user', 'vip'] as const) {
          for (const locale of ['tr', 'en'] as const) {
            id += 1;
            const caller = await addPerson(fixture, platform, String(id), role, locale);
            const reply = await fixture.run(caller, `/${name} ${ADMIN_ARGUMENTS[name]}`);
            expect(reply.isError, `${role} ${locale}`).toBe(true);
            expect(reply.text, `${role} ${locale}`).toBe(t(locale, 'refusal.admin_only'));
          }
        }
        const target = await fixture.reload(person(platform, '900'));
        expect(target).toMatchObject({ is_banned: 0, role: 'user', bela_unlocked: 0, limits: '{}' });
      });

      it.each(ADMIN_COMMAND_NAMES)('/%s works for an admin', async (name) => {
        await fixture.addUser(person(platform, '900'));
        const admin = await addPerson(fixture, platform, '300', 'admin');

        const reply = await fixture.run(admin, `/${name} ${ADMIN_ARGUMENTS[name]}`);

        expect(reply.isError).toBeUndefined();
        expect(reply.text).not.toBe(t('en', 'error.internal'));
      });
    });
  }
});

describe('/ban and /unban', () => {
  it('bans by @username and refuses the next engine turn', async () => {
    const admin = await addPerson(fixture, 'telegram', '10', 'admin');
    const target = person('telegram', '11');
    await fixture.addUser(target);

    const reply = await fixture.run(admin, '/ban @USER11');

    expect(reply.text).toBe(t('en', 'ban.done', { user: 'Person 11 @user11 (telegram:11)' }));
    expect((await fixture.reload(target))?.is_banned).toBe(1);
    const outcome = await fixture.services.engine.handleMessage({
      user: target,
      chatId: 'chat-11',
      isPrivate: true,
      text: 'hello',
      messageId: '1',
    });
    expect(outcome).toMatchObject({ kind: 'refused', reason: 'banned', text: t('en', 'refusal.banned') });
    expect((await fixture.run(target, '/usage')).text).toBe(t('en', 'refusal.banned'));
  });

  it('bans by Discord mention and unbans', async () => {
    const admin = await addPerson(fixture, 'discord', '12', 'admin');
    const target = person('discord', '123456789012345678');
    await fixture.addUser(target);

    await fixture.run(admin, '/ban <@123456789012345678>');
    expect((await fixture.reload(target))?.is_banned).toBe(1);

    const lifted = await fixture.run(admin, '/unban <@!123456789012345678>');
    expect(lifted.text).toBe(t('en', 'unban.done', { user: 'Person 123456789012345678 @user123456789012345678 (discord:123456789012345678)' }));
    expect((await fixture.reload(target))?.is_banned).toBe(0);
    expect((await fixture.run(target, '/usage')).isError).toBeUndefined();
  });

  it('prefers the @username on the admin platform', async () => {
    const admin = await addPerson(fixture, 'discord', '13', 'admin');
    const onTelegram = { ...person('telegram', '14'), username: 'same_name' };
    const onDiscord = { ...person('discord', '15'), username: 'same_name' };
    await fixture.addUser(onDiscord);
    await fixture.addUser(onTelegram);

    await fixture.run(admin, '/ban @same_name');

    expect((await fixture.reload(onDiscord))?.is_banned).toBe(1);
    expect((await fixture.reload(onTelegram))?.is_banned).toBe(0);
  });

  it('ignores a dropped @username', async () => {
    const admin = await addPerson(fixture, 'telegram', '18', 'admin');
    const formerOwner = { ...person('telegram', '19'), username: 'bob' };
    await fixture.addUser(formerOwner);

    // Telegram leaves `username` out of an update once the account has none.
    await fixture.run({ ...formerOwner, username: undefined }, '/usage');
    const reply = await fixture.run(admin, '/ban @bob');

    expect(reply).toEqual({ text: t('en', 'admin.user_not_found', { user: '@bob' }), isError: true });
    expect((await fixture.reload(formerOwner))?.is_banned).toBe(0);
    expect((await fixture.reload(formerOwner))?.platform_username).toBeNull();
  });

  it('resolves bare and prefixed ids', async () => {
    const admin = await addPerson(fixture, 'telegram', '16', 'admin');
    const telegramTarget = person('telegram', '17');
    const discordTarget = person('discord', '17');
    await fixture.addUser(telegramTarget);
    await fixture.addUser(discordTarget);

    await fixture.run(admin, '/ban 17');
    expect((await fixture.reload(telegramTarget))?.is_banned).toBe(1);
    expect((await fixture.reload(discordTarget))?.is_banned).toBe(0);

    await fixture.run(admin, '/ban discord:17');
    expect((await fixture.reload(discordTarget))?.is_banned).toBe(1);
  });

  it('refuses banning oneself and listed admins', async () => {
    const admin = await addPerson(fixture, 'telegram', '18', 'admin', 'tr');
    await fixture.addUser(LISTED_ADMINS.telegram, { role: 'admin' });

    const self = await fixture.run(admin, '/ban 18');
    expect(self).toEqual({ text: t('tr', 'ban.self'), isError: true });

    const listed = await fixture.run(admin, '/ban telegram:1');
    expect(listed.isError).toBe(true);
    expect(listed.text).toContain(t('tr', 'ban.listed_admin', { user: 'Listed Admin @listed\\_admin (telegram:1)' }));
    expect((await fixture.reload(LISTED_ADMINS.telegram))?.is_banned).toBe(0);
    expect((await fixture.reload(admin))?.is_banned).toBe(0);
  });

  it('reports unknown and invalid users', async () => {
    const admin = await addPerson(fixture, 'telegram', '19', 'admin');

    expect(await fixture.run(admin, '/ban @nobody')).toEqual({
      text: t('en', 'admin.user_not_found', { user: '@nobody' }),
      isError: true,
    });
    expect(await fixture.run(admin, '/ban some*one')).toEqual({
      text: t('en', 'admin.user_invalid', { user: 'some\\*one' }),
      isError: true,
    });
    expect((await fixture.run(admin, '/ban')).text).toContain('/ban USER');
  });

  it('logs the admin and the target', async () => {
    const admin = await addPerson(fixture, 'telegram', '20', 'admin');
    const adminRow = await fixture.reload(admin);
    const target = await fixture.addUser(person('telegram', '21'));

    await fixture.run(admin, '/ban 21');

    const line = fixture.logs.map((entry) => JSON.parse(entry) as Record<string, unknown>).find((entry) => entry.msg === 'user banned');
    expect(line).toMatchObject({ adminId: adminRow?.id, targetUserId: target.id });
  });
});

describe('/role', () => {
  it('sets a role', async () => {
    const admin = await addPerson(fixture, 'discord', '30', 'admin');
    const target = person('discord', '31');
    await fixture.addUser(target);

    const reply = await fixture.run(admin, '/role @user31 VIP');

    expect(reply.isError).toBeUndefined();
    expect((await fixture.reload(target))?.role).toBe('vip');
  });

  it('refuses own role, listed admins and unknown roles', async () => {
    const admin = await addPerson(fixture, 'telegram', '32', 'admin');
    await fixture.addUser(LISTED_ADMINS.telegram, { role: 'admin' });
    await fixture.addUser(person('telegram', '33'));

    expect((await fixture.run(admin, '/role 32 user')).text).toBe(t('en', 'role.self'));
    expect((await fixture.run(admin, '/role telegram:1 vip')).isError).toBe(true);
    expect((await fixture.run(admin, '/role 33 owner')).text).toContain('/role USER user|vip|admin');
    expect((await fixture.reload(admin))?.role).toBe('admin');
    expect((await fixture.reload(LISTED_ADMINS.telegram))?.role).toBe('admin');
  });
});

describe('/unlock and /lock', () => {
  it('toggles local access', async () => {
    const admin = await addPerson(fixture, 'telegram', '40', 'admin');
    const target = person('telegram', '41');
    await fixture.addUser(target);

    await fixture.run(admin, '/unlock 41');
    expect((await fixture.reload(target))?.bela_unlocked).toBe(1);
    expect((await fixture.run(target, '/persona romantic')).isError).toBeUndefined();

    const locked = await fixture.run(admin, '/lock 41');
    expect(locked.text).toBe(t('en', 'lock.done', { user: 'Person 41 @user41 (telegram:41)' }));
    expect((await fixture.reload(target))?.bela_unlocked).toBe(0);
    expect((await fixture.run(target, '/persona romantic')).isError).toBe(true);
  });

  it('notes access kept through the role', async () => {
    const admin = await addPerson(fixture, 'telegram', '42', 'admin');
    await addPerson(fixture, 'telegram', '43', 'admin');

    const reply = await fixture.run(admin, '/lock 43');

    expect(reply.text).toContain(t('en', 'lock.still_has_access'));
  });

  it('says when nothing changes', async () => {
    const admin = await addPerson(fixture, 'telegram', '44', 'admin');
    const target = person('telegram', '45', 'tr');
    await fixture.addUser(target);
    const user = 'Person 45 @user45 (telegram:45)';

    expect((await fixture.run(admin, '/lock 45')).text).toBe(t('en', 'lock.already', { user }));
    await fixture.run(admin, '/unlock 45');
    expect((await fixture.run(admin, '/unlock 45')).text).toBe(t('en', 'unlock.already', { user }));
    expect((await fixture.reload(target))?.bela_unlocked).toBe(1);
  });
});

describe('/limits', () => {
  it('sets and removes a limit', async () => {
    const admin = await addPerson(fixture, 'telegram', '50', 'admin');
    const target = person('telegram', '51');
    await fixture.addUser(target, { limits: JSON.stringify({ per_minute: 3 }) });

    await fixture.run(admin, '/limits 51 daily_chat 0');
    expect(JSON.parse((await fixture.reload(target))!.limits)).toEqual({ per_minute: 3, daily_chat: 0 });
    expect((await fixture.run(target, '/usage')).text).toContain(t('en', 'usage.daily_chat', { used: 0, limit: 'unlimited' }));

    await fixture.run(admin, '/limits 51 per_minute default');
    expect(JSON.parse((await fixture.reload(target))!.limits)).toEqual({ daily_chat: 0 });
  });

  it('shows effective limits', async () => {
    const admin = await addPerson(fixture, 'telegram', '52', 'admin');
    await fixture.addUser(person('telegram', '53'), { role: 'vip', limits: JSON.stringify({ daily_image: 7 }) });

    const reply = await fixture.run(admin, '/limits 53');

    expect(reply.text).toContain(`• \`daily_chat\`: 500`);
    expect(reply.text).toContain(`• \`daily_image\`: 7 (${t('en', 'limits.own_label')})`);
  });

  it('rejects unknown keys and bad values', async () => {
    const admin = await addPerson(fixture, 'telegram', '54', 'admin');
    const target = person('telegram', '55');
    await fixture.addUser(target);

    for (const line of ['/limits 55 daily_chats 5', '/limits 55 daily_chat -1', '/limits 55 daily_chat 1.5', '/limits 55 daily_chat', '/limits 55 daily_chat 0x10']) {
      const reply = await fixture.run(admin, line);
      expect(reply.isError, line).toBe(true);
      expect(reply.text, line).toContain('/limits USER');
    }
    expect((await fixture.reload(target))?.limits).toBe('{}');
  });

  it('sets a limit over a hand-edited column', async () => {
    const admin = await addPerson(fixture, 'telegram', '56', 'admin');
    const target = person('telegram', '57');
    await fixture.addUser(target);

    for (const column of ['null', '[1,2]', '"5"', 'not json']) {
      await fixture.services.db.updateTable('users').set({ limits: column }).where('username', '=', 'telegram:57').execute();

      const reply = await fixture.run(admin, '/limits 57 daily_chat 5');

      expect(reply.isError, column).toBeUndefined();
      expect(JSON.parse((await fixture.reload(target))!.limits), column).toEqual({ daily_chat: 5 });
      expect((await fixture.run(admin, '/limits 57')).text, column).toContain(`• \`daily_chat\`: 5 (${t('en', 'limits.own_label')})`);
    }
  });
});

describe('/config', () => {
  const SECRET = 'hook-secret-4f1c9a';

  it('never shows a secret value', async () => {
    const admin = await addPerson(fixture, 'telegram', '60', 'admin');
    await fixture.services.settings.set('webhook.secret', SECRET, 'test');

    const list = await fixture.run(admin, '/config list');
    const get = await fixture.run(admin, '/config get webhook.secret');

    expect(list.text).toContain('`webhook.secret`');
    expect(list.text).not.toContain(SECRET);
    expect(get.text).toContain('`webhook.secret`');
    expect(get.text).not.toContain(SECRET);
  });

  it('stores a secret without echoing or logging it', async () => {
    const admin = await addPerson(fixture, 'discord', '61', 'admin');

    const reply = await fixture.run(admin, `/config set webhook.secret ${SECRET}`);

    expect(reply.isError).toBeUndefined();
    expect(reply.text).not.toContain(SECRET);
    expect(fixture.services.settings.get('webhook.secret')).toBe(SECRET);
    expect(fixture.logs.join('\n')).not.toContain(SECRET);
  });

  it('refuses a read-only key', async () => {
    const admin = await addPerson(fixture, 'telegram', '62', 'admin');
    await fixture.services.db.updateTable('system_configs').set({ is_editable: 0 }).where('key', '=', 'cache.ttl_hours').execute();
    await fixture.services.settings.load();

    const reply = await fixture.run(admin, '/config set cache.ttl_hours 5');

    expect(reply).toEqual({ text: t('en', 'config.read_only', { key: '`cache.ttl_hours`' }), isError: true });
    expect(fixture.services.settings.get('cache.ttl_hours')).toBe(24);
  });

  it('sets a value and rejects bad ones', async () => {
    const admin = await addPerson(fixture, 'telegram', '63', 'admin');

    expect((await fixture.run(admin, '/config set cache.ttl_hours 12')).text).toBe(
      t('en', 'config.updated', { key: '`cache.ttl_hours`', value: '12' }),
    );
    expect(fixture.services.settings.get('cache.ttl_hours')).toBe(12);

    expect((await fixture.run(admin, '/config set cache.ttl_hours soon')).text).toBe(
      t('en', 'config.invalid_value', { key: '`cache.ttl_hours`' }),
    );
    expect((await fixture.run(admin, '/config get no.such_key')).text).toBe(t('en', 'config.not_found', { key: '`no.such_key`' }));
    expect(fixture.services.settings.get('cache.ttl_hours')).toBe(12);
  });
});

describe('/stats', () => {
  it('counts users, replies by engine, cache hits and feedback', async () => {
    const admin = await addPerson(fixture, 'telegram', '70', 'admin');
    const member = await fixture.addUser(person('telegram', '71'));
    await fixture.services.db.updateTable('users').set({ last_seen_at: '2020-01-01T00:00:00.000Z' }).where('id', '=', member.id).execute();
    const { db } = fixture.services;
    const now = nowIso();
    const conversationId = await insertConversation(db, member.id, { title: 't', created_at: now, updated_at: now });
    const replies: Array<{ role: ChatRole; metadata: Record<string, unknown> }> = [
      { role: 'user', metadata: {} },
      { role: 'user', metadata: {} },
      { role: 'assistant', metadata: { engine: 'cloud', cached: false, status: 'complete' } },
      { role: 'assistant', metadata: { engine: 'cloud', cached: false, status: 'complete' } },
      { role: 'assistant', metadata: { engine: 'local', cached: false, status: 'complete' } },
      { role: 'assistant', metadata: { engine: 'cloud', cached: true, status: 'complete' } },
      { role: 'assistant', metadata: { status: 'failed' } },
    ];
    for (const reply of replies) {
      await insertMessage(db, conversationId, reply.role, 'x', { metadata: reply.metadata, createdAt: now });
    }
    await insertMessage(db, conversationId, 'assistant', 'old', {
      metadata: { engine: 'cloud', cached: false },
      createdAt: '2020-01-01T00:00:00.000Z',
    });
    for (const feedbackType of ['like', 'like', 'dislike']) {
      await db
        .insertInto('feedback')
        .values({ user_id: member.id, conversation_id: null, message_content: 'x', feedback_type: feedbackType, created_at: now, message_id: null })
        .execute();
    }

    const reply = await fixture.run(admin, '/stats');

    expect(reply.text).toContain(t('en', 'stats.users', { total: 2, active: 1 }));
    expect(reply.text).toContain(t('en', 'stats.messages_today', { count: 2 }));
    expect(reply.text).toContain(t('en', 'stats.replies_today', { cloud: 2, local: 1, cached: 1, failed: 1 }));
    expect(reply.text).toContain(t('en', 'stats.feedback', { likes: 2, dislikes: 1 }));
  });
});

describe('/text', () => {
  it('overrides a text for the next reply', async () => {
    const admin = await addPerson(fixture, 'telegram', '80', 'admin');
    const member = await addPerson(fixture, 'telegram', '81', 'user', 'tr');

    const reply = await fixture.run(admin, '/text set history.empty tr Hiç sohbet yok, hadi başlayalım!');

    expect(reply.text).toBe(t('en', 'text.done', { key: '`history.empty`', locale: 'tr' }));
    expect((await fixture.run(member, '/history')).text).toBe('Hiç sohbet yok, hadi başlayalım!');
  });

  it('refuses unknown keys, locales and placeholders', async () => {
    const admin = await addPerson(fixture, 'telegram', '82', 'admin');
    const before = t('en', 'welcome');

    expect((await fixture.run(admin, '/text set no.such.text en Hello')).text).toBe(t('en', 'text.not_found', { key: '`no.such.text`' }));
    expect((await fixture.run(admin, '/text set welcome de Hallo')).text).toContain('/text set KEY tr|en VALUE');
    const placeholder = await fixture.run(admin, '/text set welcome en Hi {nickname}');
    expect(placeholder.isError).toBe(true);
    expect(placeholder.text).toContain('`{nickname}`');
    expect(t('en', 'welcome')).toBe(before);
  });
});
