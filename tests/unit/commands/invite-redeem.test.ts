import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { INVITE_CODE_PATTERN } from '../../../src/engine/invites.js';
import { addPerson, BOT_USERNAME, createCommandFixture, LISTED_ADMINS, person, type CommandFixture } from './command-fixture.js';

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

/** Codes in a reply, in order. */
function codesIn(text: string): string[] {
  return [...text.matchAll(/`([0-9A-F]{10})`/g)].map((match) => match[1] ?? '');
}

async function inviteMode(): Promise<void> {
  await fixture.services.settings.set('access.mode', 'invite', 'test');
}

describe('/invite', () => {
  it('creates codes with Telegram links', async () => {
    const admin = await addPerson(fixture, 'telegram', '10', 'admin');

    const reply = await fixture.run(admin, '/invite create 3');

    const codes = codesIn(reply.text);
    expect(codes).toHaveLength(3);
    for (const code of codes) {
      expect(code).toMatch(INVITE_CODE_PATTERN);
      expect(reply.text).toContain(`https://t.me/${BOT_USERNAME}?start=${code}`);
    }
    const stored = await fixture.services.db.selectFrom('invites').selectAll().execute();
    expect(stored.map((invite) => invite.created_by)).toEqual(['telegram:10', 'telegram:10', 'telegram:10']);
  });

  it('creates one code without links on Discord', async () => {
    const admin = await addPerson(fixture, 'discord', '11', 'admin');

    const reply = await fixture.run(admin, '/invite');

    expect(codesIn(reply.text)).toHaveLength(1);
    expect(reply.text).not.toContain('t.me');
  });

  it('rejects counts outside 1 to 50', async () => {
    const admin = await addPerson(fixture, 'telegram', '12', 'admin');

    for (const count of ['0', '51', 'many']) {
      const reply = await fixture.run(admin, `/invite create ${count}`);
      expect(reply.isError, count).toBe(true);
    }
    expect(await fixture.services.db.selectFrom('invites').selectAll().execute()).toEqual([]);
  });

  it('lists unused codes and revokes one', async () => {
    const admin = await addPerson(fixture, 'telegram', '13', 'admin');
    const [first, second] = codesIn((await fixture.run(admin, '/invite create 2')).text);

    const list = await fixture.run(admin, '/invite list');
    expect(codesIn(list.text).sort()).toEqual([first, second].sort());

    const revoked = await fixture.run(admin, `/invite revoke ${first?.toLowerCase()}`);
    expect(revoked.text).toBe(t('en', 'invite.revoked', { code: first! }));
    expect(codesIn((await fixture.run(admin, '/invite list')).text)).toEqual([second]);

    const again = await fixture.run(admin, `/invite revoke ${first}`);
    expect(again.isError).toBe(true);
  });

  it('keeps used codes out of the list and revoke', async () => {
    const admin = await addPerson(fixture, 'telegram', '14', 'admin');
    await inviteMode();
    const [code] = codesIn((await fixture.run(admin, '/invite create 1')).text);
    await fixture.run(person('discord', '500'), `/redeem ${code}`);

    expect((await fixture.run(admin, '/invite list')).text).toBe(t('en', 'invite.list_empty'));
    expect((await fixture.run(admin, `/invite revoke ${code}`)).isError).toBe(true);
  });
});

describe('/redeem', () => {
  it('creates an unknown user in invite mode', async () => {
    const admin = await addPerson(fixture, 'telegram', '20', 'admin');
    await inviteMode();
    const [code] = codesIn((await fixture.run(admin, '/invite create')).text);
    const newcomer = person('discord', '600');

    const refused = await fixture.run(newcomer, '/usage');
    expect(refused.text).toBe(t('en', 'refusal.invite_required'));
    expect(await fixture.reload(newcomer)).toBeUndefined();

    const reply = await fixture.run(newcomer, `/redeem ${code?.toLowerCase()}`);

    expect(reply.isError).toBeUndefined();
    expect(reply.text).toBe(t('en', 'invite.accepted', { name: 'Person 600' }));
    expect((await fixture.reload(newcomer))?.role).toBe('user');
    const invite = await fixture.services.db.selectFrom('invites').selectAll().executeTakeFirstOrThrow();
    expect(invite).toMatchObject({ is_used: 1, used_by: 'discord:600' });
    expect((await fixture.run(newcomer, '/usage')).isError).toBeUndefined();
  });

  it('rejects an unknown or used code and stores nothing', async () => {
    const admin = await addPerson(fixture, 'telegram', '21', 'admin');
    await inviteMode();
    const [code] = codesIn((await fixture.run(admin, '/invite create')).text);
    await fixture.run(person('discord', '601'), `/redeem ${code}`);

    for (const attempt of [code, 'ABCDEF0123', 'not-a-code']) {
      const stranger = person('discord', '602', 'tr');
      const reply = await fixture.run(stranger, `/redeem ${attempt}`);
      expect(reply.isError, attempt).toBe(true);
      expect(reply.text, attempt).toBe(t('tr', 'invite.invalid'));
      expect(await fixture.reload(stranger)).toBeUndefined();
    }
  });

  it('keeps the code of a known user', async () => {
    const admin = await addPerson(fixture, 'telegram', '22', 'admin');
    const member = await addPerson(fixture, 'discord', '603', 'user');
    await inviteMode();
    const [code] = codesIn((await fixture.run(admin, '/invite create')).text);

    const reply = await fixture.run(member, `/redeem ${code}`);

    expect(reply.text).toBe(t('en', 'redeem.access_already_granted'));
    const invite = await fixture.services.db.selectFrom('invites').selectAll().executeTakeFirstOrThrow();
    expect(invite.is_used).toBe(0);
  });

  it('tells a known user that nothing was redeemed', async () => {
    const admin = await addPerson(fixture, 'telegram', '24', 'admin');
    await inviteMode();
    const [usedCode] = codesIn((await fixture.run(admin, '/invite create')).text);
    await fixture.run(person('discord', '604'), `/redeem ${usedCode}`);
    const before = await fixture.services.db.selectFrom('invites').selectAll().execute();

    for (const locale of ['tr', 'en'] as const) {
      expect(fixture.services.texts.has(locale, 'redeem.access_already_granted'), locale).toBe(true);
      const member = await addPerson(fixture, 'discord', `605${locale}`, 'user', locale);
      for (const attempt of ['ABCDEF0123', usedCode]) {
        const reply = await fixture.run(member, `/redeem ${attempt}`);
        expect(reply.isError, `${locale} ${attempt}`).toBeUndefined();
        expect(reply.text, `${locale} ${attempt}`).toBe(t(locale, 'redeem.access_already_granted'));
      }
    }
    expect(await fixture.services.db.selectFrom('invites').selectAll().execute()).toEqual(before);
  });

  it('accepts one code sent twice at once by one newcomer', async () => {
    const admin = await addPerson(fixture, 'telegram', '25', 'admin');
    await inviteMode();
    const [code] = codesIn((await fixture.run(admin, '/invite create')).text);
    const newcomer = person('discord', '606');

    const replies = await Promise.all([fixture.run(newcomer, `/redeem ${code}`), fixture.run(newcomer, `/redeem ${code}`)]);

    for (const reply of replies) {
      expect(reply.isError).toBeUndefined();
      expect(reply.text).toBe(t('en', 'invite.accepted'));
    }
    expect((await fixture.reload(newcomer))?.role).toBe('user');
    const invite = await fixture.services.db.selectFrom('invites').selectAll().executeTakeFirstOrThrow();
    expect(invite).toMatchObject({ is_used: 1, used_by: 'discord:606' });
  });

  it('spends one of two codes sent at once by one newcomer', async () => {
    const admin = await addPerson(fixture, 'telegram', '26', 'admin');
    await inviteMode();
    const [first, second] = codesIn((await fixture.run(admin, '/invite create 2')).text);
    const newcomer = person('discord', '607');

    const replies = await Promise.all([fixture.run(newcomer, `/redeem ${first}`), fixture.run(newcomer, `/redeem ${second}`)]);

    const invites = await fixture.services.db.selectFrom('invites').selectAll().orderBy('code').execute();
    const spent = invites.filter((invite) => invite.is_used === 1);
    expect(spent).toHaveLength(1);
    expect(spent[0]?.used_by).toBe('discord:607');
    expect(invites.filter((invite) => invite.is_used === 0 && invite.used_by === null)).toHaveLength(1);
    for (const reply of replies) expect(reply.isError).toBeUndefined();
    const texts = replies.map((reply) => reply.text).sort();
    expect(texts).toEqual([t('en', 'invite.accepted'), t('en', 'redeem.access_already_granted')].sort());
    expect((await fixture.reload(newcomer))?.role).toBe('user');
  });

  it('lets exactly one of ten racing newcomers win', async () => {
    const admin = await addPerson(fixture, 'telegram', '23', 'admin');
    await inviteMode();
    const [code] = codesIn((await fixture.run(admin, '/invite create')).text);
    const newcomers = Array.from({ length: 10 }, (_, index) => person('discord', String(700 + index)));

    const replies = await Promise.all(newcomers.map((newcomer) => fixture.run(newcomer, `/redeem ${code}`)));

    const winners = replies.filter((reply) => !reply.isError);
    expect(winners).toHaveLength(1);
    expect(replies.filter((reply) => reply.text === t('en', 'invite.invalid'))).toHaveLength(9);
    const created = await fixture.services.db
      .selectFrom('users')
      .select('username')
      .where('username', 'like', 'discord:7%')
      .execute();
    expect(created).toHaveLength(1);
    const invite = await fixture.services.db.selectFrom('invites').selectAll().executeTakeFirstOrThrow();
    expect(invite.used_by).toBe(created[0]?.username);
  });
});

describe('/start with a parameter', () => {
  it('welcomes without acceptance in open mode', async () => {
    const newcomer = person('telegram', '610');

    const reply = await fixture.run(newcomer, '/start ref_campaign');

    expect(reply.text).not.toContain(t('en', 'invite.accepted'));
    expect(reply.text).toContain(t('en', 'welcome', { name: 'Person 610', assistant: 'Nova' }));
  });

  it('ignores a code-shaped parameter in open mode', async () => {
    const newcomer = person('telegram', '611');

    const reply = await fixture.run(newcomer, '/start ABCDEF1234');

    expect(reply.text).not.toContain(t('en', 'invite.accepted'));
  });

  it('confirms a redeemed code in invite mode', async () => {
    const admin = await addPerson(fixture, 'telegram', '612', 'admin');
    const code = codesIn((await fixture.run(admin, '/invite')).text)[0];
    await inviteMode();
    const newcomer = person('telegram', '613');

    const reply = await fixture.run(newcomer, `/start ${code}`);

    expect(reply.text.startsWith(t('en', 'invite.accepted'))).toBe(true);
  });

  it('welcomes a listed admin whatever the parameter in invite mode', async () => {
    await inviteMode();

    for (const parameter of ['ref_campaign', 'FFFFFFFFFF']) {
      const reply = await fixture.run(LISTED_ADMINS.telegram, `/start ${parameter}`);
      expect(reply.isError, parameter).toBeUndefined();
      expect(reply.text, parameter).toContain(t('en', 'welcome', { name: 'Listed Admin', assistant: 'Nova' }));
    }
  });

  it('leaves a code unused when a listed admin opens its link', async () => {
    const admin = await addPerson(fixture, 'telegram', '614', 'admin');
    const code = codesIn((await fixture.run(admin, '/invite')).text)[0];
    await inviteMode();

    const reply = await fixture.run(LISTED_ADMINS.telegram, `/start ${code}`);

    expect(reply.text).not.toContain(t('en', 'invite.accepted'));
    const invite = await fixture.services.db.selectFrom('invites').selectAll().executeTakeFirstOrThrow();
    expect(invite.is_used).toBe(0);
  });

  it('welcomes a listed admin whose row is banned', async () => {
    await fixture.addUser(LISTED_ADMINS.telegram, { is_banned: 1 });

    const reply = await fixture.run(LISTED_ADMINS.telegram, '/start');

    expect(reply.isError).toBeUndefined();
    expect(reply.text).toContain(t('en', 'welcome', { name: 'Listed Admin', assistant: 'Nova' }));
  });
});

describe('/redeem from a known user', () => {
  it('rejects text that is not a code', async () => {
    const user = person('telegram', '620');
    await fixture.addUser(user);

    const reply = await fixture.run(user, '/redeem ABC');

    expect(reply.isError).toBe(true);
    expect(reply.text).toBe(t('en', 'invite.invalid'));
  });
});

describe('/start welcome', () => {
  it('escapes Markdown in the display name', async () => {
    const newcomer = { ...person('telegram', '621'), displayName: '**Ali** _Veli_' };

    const reply = await fixture.run(newcomer, '/start');

    expect(reply.text).toContain('\\*\\*Ali\\*\\* \\_Veli\\_');
  });
});
