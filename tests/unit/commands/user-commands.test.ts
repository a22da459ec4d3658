import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { CommandReply } from '../../../src/commands/types.js';
import { nowIso, utcDate } from '../../../src/db/values.js';
import { activePreferences } from '../../../src/engine/preferences.js';
import { countAnsweredChat } from '../../../src/engine/usage.js';
import { insertConversation, insertMessage } from '../../support/db-fixtures.js';
import { addPerson, createCommandFixture, person, type CommandFixture } from './command-fixture.js';

let fixture: CommandFixture;

beforeEach(async () => {
  fixture = await createCommandFixture();
});

afterEach(async () => {
  await fixture.cleanup();
});

function buttonCommands(reply: CommandReply): string[] {
  return (reply.buttons ?? []).flat().map((button) => button.command);
}

function t(locale: 'tr' | 'en', key: string, variables?: Record<string, string | number>): string {
  return fixture.services.texts.t(locale, key, variables);
}

describe('/persona', () => {
  it('lists personas with localized titles as buttons', async () => {
    const user = await addPerson(fixture, 'telegram', '100', 'user', 'tr');

    const reply = await fixture.run(user, '/persona');

    expect(reply.isError).toBeUndefined();
    expect(reply.text).toContain('💻 **Yazılımcı**');
    expect(reply.text).toContain(t('tr', 'persona.coder.description'));
    expect(buttonCommands(reply)).toContain('/persona coder');
    expect(reply.buttons?.flat().find((button) => button.command === '/persona coder')?.label).toBe('💻 Yazılımcı');
  });

  it('hides uncensored personas without local access', async () => {
    const user = await addPerson(fixture, 'discord', '101', 'user');

    const reply = await fixture.run(user, '/persona');

    expect(buttonCommands(reply)).not.toContain('/persona romantic');
    expect(buttonCommands(reply)).not.toContain('/persona roleplay');
    expect(reply.text).not.toContain('Romantic');
    expect(reply.text).not.toContain('Roleplay');
  });

  it('refuses an uncensored persona without local access', async () => {
    const user = await addPerson(fixture, 'telegram', '102', 'vip');

    const reply = await fixture.run(user, '/persona romantic');

    expect(reply.isError).toBe(true);
    expect(reply.text).toBe(t('en', 'refusal.persona_locked', { persona: 'Romantic' }));
    expect((await fixture.reload(user))?.active_persona).toBe('standard');
  });

  it('shows and sets uncensored personas with local access', async () => {
    const user = person('telegram', '103');
    await fixture.addUser(user, { bela_unlocked: 1 });

    const list = await fixture.run(user, '/persona');
    expect(buttonCommands(list)).toEqual(expect.arrayContaining(['/persona romantic', '/persona roleplay']));

    const reply = await fixture.run(user, '/persona roleplay');
    expect(reply.isError).toBeUndefined();
    expect(reply.text).toBe(t('en', 'persona.changed', { persona: 'Roleplay' }));
    expect((await fixture.reload(user))?.active_persona).toBe('roleplay');
  });

  it('grants uncensored personas through permissions', async () => {
    const user = person('discord', '104');
    await fixture.addUser(user, { permissions: JSON.stringify({ can_use_local_chat: 'yes' }) });

    const reply = await fixture.run(user, '/persona romantic');

    expect(reply.isError).toBeUndefined();
    expect((await fixture.reload(user))?.active_persona).toBe('romantic');
  });

  it('sets a persona by name', async () => {
    const user = await addPerson(fixture, 'telegram', '105', 'user');

    const reply = await fixture.run(user, '/persona Coder');

    expect(reply.text).toBe(t('en', 'persona.changed', { persona: 'Coder' }));
    expect((await fixture.reload(user))?.active_persona).toBe('coder');
  });

  it.each([
    ['araştırmacı', 'researcher'],
    ['ARAŞTIRMACI', 'researcher'],
    ['arastirmaci', 'researcher'],
    ['Yazılımcı', 'coder'],
    ['sanatçı', 'artist'],
    ['Researcher', 'researcher'],
    ['coder please', 'coder'],
    ['coder please use this persona for my questions about TypeScript code thanks', 'coder'],
  ])('sets a persona by its title %s', async (typed, expected) => {
    const user = await addPerson(fixture, 'telegram', '107', 'user');

    const reply = await fixture.run(user, `/persona ${typed}`);

    expect(reply.isError).toBeUndefined();
    expect((await fixture.reload(user))?.active_persona).toBe(expected);
  });

  it('sets a persona by a title with a space', async () => {
    const user = person('telegram', '108', 'tr');
    await fixture.addUser(user, { bela_unlocked: 1 });

    const reply = await fixture.run(user, '/persona rol oyunu');

    expect(reply.text).toBe(t('tr', 'persona.changed', { persona: 'Rol Oyunu' }));
    expect((await fixture.reload(user))?.active_persona).toBe('roleplay');
  });

  it('calls personas kişilik in Turkish', async () => {
    const user = await addPerson(fixture, 'telegram', '107', 'user', 'tr');

    const list = await fixture.run(user, '/persona');
    const unknown = await fixture.run(user, '/persona korsan');

    expect(list.text).toContain('Bir kişilik seç.');
    expect(unknown.text).toBe('korsan adında bir kişilik yok. Listeyi görmek için /persona gönder.');
    for (const reply of [list, unknown]) {
      expect(reply.text.replaceAll('/persona', '')).not.toMatch(/persona/i);
    }
  });

  it('rejects an unknown persona', async () => {
    const user = await addPerson(fixture, 'telegram', '106', 'user');

    const reply = await fixture.run(user, '/persona pirate');

    expect(reply.isError).toBe(true);
    expect(reply.text).toBe(t('en', 'persona.not_found', { persona: 'pirate' }));
  });
});

describe('/model', () => {
  it('lists usable chat models and auto as buttons', async () => {
    const user = await addPerson(fixture, 'telegram', '110', 'user');

    const reply = await fixture.run(user, '/model');

    expect(buttonCommands(reply)).toEqual(['/model auto', '/model groq-llama-3.3-70b', '/model groq-llama-3.1-8b']);
    expect(reply.text).not.toContain('summaries');
  });

  it('lists the local model with local access', async () => {
    const user = await addPerson(fixture, 'telegram', '111', 'admin');

    const reply = await fixture.run(user, '/model');

    expect(buttonCommands(reply)).toContain('/model bela');
  });

  it('refuses the local model without access', async () => {
    const user = await addPerson(fixture, 'discord', '112', 'vip');

    const reply = await fixture.run(user, '/model bela');

    expect(reply.isError).toBe(true);
    expect(reply.text).toBe(t('en', 'model.locked', { model: 'Bela' }));
    expect((await fixture.reload(user))?.selected_model).toBe('auto');
  });

  it('sets a model and auto', async () => {
    const user = await addPerson(fixture, 'telegram', '113', 'user');

    const chosen = await fixture.run(user, '/model groq-llama-3.1-8b');
    expect(chosen.text).toBe(t('en', 'model.changed', { model: 'Llama 3.1 8B' }));
    expect((await fixture.reload(user))?.selected_model).toBe('groq-llama-3.1-8b');

    const automatic = await fixture.run(user, '/model auto');
    expect(automatic.text).toBe(t('en', 'model.changed_auto'));
    expect((await fixture.reload(user))?.selected_model).toBe('auto');
  });

  it('rejects a summary model', async () => {
    const user = await addPerson(fixture, 'telegram', '114', 'user');

    const reply = await fixture.run(user, '/model groq-llama-3.1-8b-summary');

    expect(reply.isError).toBe(true);
    expect(reply.text).toBe(t('en', 'model.not_found', { model: 'groq-llama-3.1-8b-summary' }));
  });
});

describe('/preset', () => {
  async function addPreset(name: string, ownerId: number | null): Promise<number> {
    const row = await fixture.services.db
      .insertInto('model_presets')
      .values({
        name,
        description: `${name} preset`,
        system_prompt_template: 'Be brief.',
        temperature: 0.5,
        max_tokens: null,
        model_name: null,
        is_global: ownerId === null ? 1 : 0,
        owner_id: ownerId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async function activeConversations(userId: number) {
    return fixture.services.db
      .selectFrom('conversations')
      .selectAll()
      .where('user_id', '=', userId)
      .where('is_active', '=', 1)
      .execute();
  }

  it('lists global and own presets only', async () => {
    const user = await addPerson(fixture, 'telegram', '120', 'user');
    const owner = await fixture.addUser(person('telegram', '121'));
    const self = await fixture.reload(user);
    const globalId = await addPreset('Brief', null);
    const ownId = await addPreset('Mine', self!.id);
    await addPreset('Theirs', owner.id);

    const reply = await fixture.run(user, '/preset');

    expect(buttonCommands(reply)).toEqual([`/preset ${globalId}`, `/preset ${ownId}`, '/preset off']);
    expect(reply.text).not.toContain('Theirs');
  });

  it('sets the preset of a new conversation and clears it', async () => {
    const user = await addPerson(fixture, 'telegram', '122', 'user');
    const row = await fixture.reload(user);
    const presetId = await addPreset('Brief', null);

    const chosen = await fixture.run(user, '/preset brief');
    expect(chosen.text).toBe(t('en', 'preset.changed', { preset: 'Brief' }));
    const [conversation] = await activeConversations(row!.id);
    expect(conversation?.preset_id).toBe(presetId);
    expect(conversation?.chat_id).toBe('chat-122');

    const cleared = await fixture.run(user, '/preset off');
    expect(cleared.text).toBe(t('en', 'preset.cleared'));
    const after = await activeConversations(row!.id);
    expect(after).toHaveLength(1);
    expect(after[0]?.id).toBe(conversation?.id);
    expect(after[0]?.preset_id).toBeNull();
  });

  it('accepts a preset id from a button', async () => {
    const user = await addPerson(fixture, 'discord', '123', 'user');
    const row = await fixture.reload(user);
    const presetId = await addPreset('Long name', null);

    await fixture.run(user, `/preset ${presetId}`);

    const [conversation] = await activeConversations(row!.id);
    expect(conversation?.preset_id).toBe(presetId);
  });

  it('rejects another user preset', async () => {
    const user = await addPerson(fixture, 'telegram', '124', 'user');
    const owner = await fixture.addUser(person('telegram', '125'));
    await addPreset('Theirs', owner.id);

    const reply = await fixture.run(user, '/preset theirs');

    expect(reply.isError).toBe(true);
    expect(reply.text).toBe(t('en', 'preset.not_found', { preset: 'theirs' }));
  });
});

describe('/prefs', () => {
  it('sets style and behavior keys explicitly', async () => {
    const user = await addPerson(fixture, 'telegram', '130', 'user');
    const row = await fixture.reload(user);

    await fixture.run(user, '/prefs set tone very casual');
    await fixture.run(user, '/prefs set answer_length short');
    await fixture.run(user, '/prefs set personal.name Ayşe');

    const preferences = await activePreferences(fixture.services.db, row!.id);
    expect(preferences.filter((preference) => preference.category !== 'system')).toEqual([
      { key: 'answer_length', value: 'short', category: 'behavior', source: 'explicit' },
      { key: 'name', value: 'Ayşe', category: 'personal', source: 'explicit' },
      { key: 'tone', value: 'very casual', category: 'style', source: 'explicit' },
    ]);
  });

  it('keeps earlier versions inactive', async () => {
    const user = await addPerson(fixture, 'telegram', '131', 'user');
    const row = await fixture.reload(user);

    await fixture.run(user, '/prefs set tone formal');
    await fixture.run(user, '/prefs set tone friendly');

    const rows = await fixture.services.db
      .selectFrom('user_preferences')
      .select(['value', 'is_active'])
      .where('user_id', '=', row!.id)
      .where('key', '=', 'tone')
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { value: 'formal', is_active: 0 },
      { value: 'friendly', is_active: 1 },
    ]);
  });

  it('lists and forgets preferences', async () => {
    const user = await addPerson(fixture, 'discord', '132', 'user');
    await fixture.run(user, '/prefs set humor dry');

    const list = await fixture.run(user, '/prefs');
    expect(list.text).toContain('**humor** (style): dry');

    const forgotten = await fixture.run(user, '/prefs forget humor');
    expect(forgotten.text).toBe(t('en', 'prefs.forgotten', { key: 'humor' }));
    const again = await fixture.run(user, '/prefs forget humor');
    expect(again.isError).toBe(true);
    expect((await fixture.run(user, '/prefs list')).text).toBe(t('en', 'prefs.empty'));
  });

  it('names categories in the user language', async () => {
    const user = await addPerson(fixture, 'telegram', '135', 'user', 'tr');

    const saved = await fixture.run(user, '/prefs set personal.name Ayşe');
    await fixture.run(user, '/prefs set tone samimi');
    await fixture.run(user, '/prefs set cevap kısa');
    const list = await fixture.run(user, '/prefs');

    expect(saved.text).toBe('Kaydedildi: name = Ayşe (kişisel).');
    expect(list.text).toContain('• **name** (kişisel): Ayşe');
    expect(list.text).toContain('• **tone** (üslup): samimi');
    expect(list.text).toContain('• **cevap** (davranış): kısa');
  });

  it('leaves the locale key to /language', async () => {
    const user = await addPerson(fixture, 'telegram', '133', 'user');

    const reply = await fixture.run(user, '/prefs set locale tr');

    expect(reply.isError).toBe(true);
    expect(reply.text).toBe(t('en', 'prefs.locale_reserved'));
  });

  it('rejects malformed arguments with the usage', async () => {
    const user = await addPerson(fixture, 'telegram', '134', 'user');

    for (const line of ['/prefs set tone', '/prefs set Bad-Key x', '/prefs drop tone', `/prefs set tone ${'x'.repeat(201)}`]) {
      const reply = await fixture.run(user, line);
      expect(reply.isError, line).toBe(true);
      expect(reply.text, line).toContain('/prefs [list | set KEY VALUE | forget KEY]');
    }
  });
});

describe('/usage', () => {
  it('shows counts against limits and unlimited for 0', async () => {
    const user = person('telegram', '140');
    const row = await fixture.addUser(user, { limits: JSON.stringify({ daily_chat: 0, per_minute: 5 }) });
    await countAnsweredChat(fixture.services.db, row.id, 'cloud');
    await countAnsweredChat(fixture.services.db, row.id, null);

    const reply = await fixture.run(user, '/usage');

    expect(reply.text).toContain(t('en', 'usage.daily_chat', { used: 2, limit: 'unlimited' }));
    expect(reply.text).toContain(t('en', 'usage.daily_cloud', { used: 1, limit: 100 }));
    expect(reply.text).toContain(t('en', 'usage.daily_image', { used: 0, limit: 10 }));
    expect(reply.text).toContain(t('en', 'usage.per_minute', { limit: 5 }));
    expect(reply.text).not.toContain(t('en', 'usage.daily_local', { used: 0, limit: 50 }));
    expect(reply.text).toContain(utcDate());
  });

  it('shows admins as unlimited in Turkish', async () => {
    const user = await addPerson(fixture, 'discord', '141', 'admin', 'tr');

    const reply = await fixture.run(user, '/usage');

    expect(reply.text).toContain(t('tr', 'usage.daily_chat', { used: 0, limit: 'sınırsız' }));
    expect(reply.text).toContain(t('tr', 'usage.daily_local', { used: 0, limit: 'sınırsız' }));
  });
});

describe('/history', () => {
  it('lists the ten most recent conversations', async () => {
    const user = await addPerson(fixture, 'telegram', '150', 'user');
    const row = await fixture.reload(user);
    const { db } = fixture.services;

    for (let index = 0; index < 12; index += 1) {
      const updatedAt = `2026-01-${String(index + 1).padStart(2, '0')}T10:00:00.000Z`;
      const id = `00000000-0000-4000-8000-0000000000${String(index).padStart(2, '0')}`;
      await insertConversation(db, row!.id, {
        id,
        title: `Topic ${index}`,
        created_at: updatedAt,
        updated_at: updatedAt,
        platform: 'telegram',
        chat_id: 'chat-150',
        is_active: 0,
      });
      for (let message = 0; message < index; message += 1) {
        await insertMessage(db, id, 'user', 'hi', { createdAt: nowIso() });
      }
    }

    const reply = await fixture.run(user, '/history');

    const lines = reply.text.split('\n').filter((line) => /^\d+\. /.test(line));
    expect(lines).toHaveLength(10);
    expect(lines[0]).toBe(`1. **Topic 11** – ${t('en', 'history.details', { date: '2026-01-12', count: 11 })}`);
    expect(lines[9]).toContain('Topic 2');
    expect(reply.text).not.toContain('**Topic 1**');
    expect(reply.text).not.toContain('**Topic 0**');
  });

  it('leaves out conversations without messages', async () => {
    const user = await addPerson(fixture, 'telegram', '152', 'user', 'tr');
    const row = await fixture.reload(user);
    const { db } = fixture.services;
    const written = await insertConversation(db, row!.id, { title: 'Tarih sorusu', platform: 'telegram', chat_id: '152' });
    await insertMessage(db, written, 'user', 'İstanbul kaç yaşında?');

    for (let index = 0; index < 3; index += 1) await fixture.run(user, '/new');
    const reply = await fixture.run(user, '/history');

    const lines = reply.text.split('\n').filter((line) => /^\d+\. /.test(line));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('**Tarih sorusu**');
    expect(reply.text).not.toContain(t('tr', 'history.untitled'));
  });

  it('says when there are no conversations', async () => {
    const user = await addPerson(fixture, 'discord', '151', 'user');

    const reply = await fixture.run(user, '/history');

    expect(reply.text).toBe(t('en', 'history.empty'));
  });
});

describe('/language', () => {
  it('stores an explicit locale that wins over the platform', async () => {
    const user = await addPerson(fixture, 'telegram', '160', 'user', 'en');
    const row = await fixture.reload(user);

    const reply = await fixture.run(user, '/language tr');
    expect(reply.text).toBe(t('tr', 'language.changed'));

    const stored = await activePreferences(fixture.services.db, row!.id);
    expect(stored).toContainEqual({ key: 'locale', value: 'tr', category: 'system', source: 'explicit' });
    expect((await fixture.run(user, '/history')).text).toBe(t('tr', 'history.empty'));
  });

  it('auto forgets the explicit locale', async () => {
    const user = await addPerson(fixture, 'telegram', '161', 'user', 'en');
    await fixture.run(user, '/language tr');

    const reply = await fixture.run(user, '/language auto');

    expect(reply.text).toBe(t('en', 'language.auto'));
    expect((await fixture.run(user, '/history')).text).toBe(t('en', 'history.empty'));
  });

  it('names the language once in Turkish', async () => {
    const user = await addPerson(fixture, 'telegram', '163', 'user', 'tr');

    const following = await fixture.run(user, '/language');
    await fixture.run(user, '/language tr');
    const chosen = await fixture.run(user, '/language');

    expect(following.text).toBe('Uygulamanın dilini izleyerek seninle Türkçe konuşuyorum. Dilin sabit kalması için birini seç:');
    expect(chosen.text).toBe("Seçtiğin gibi seninle Türkçe konuşuyorum. Başka bir dil seç ya da uygulamanın dilini izlemem için Otomatik'i seç:");
    expect(chosen.buttons?.flat().map((button) => button.label)).toContain('Otomatik');
  });

  it('rejects an unsupported language', async () => {
    const user = await addPerson(fixture, 'discord', '162', 'user');

    const reply = await fixture.run(user, '/language de');

    expect(reply.isError).toBe(true);
    expect(reply.text).toContain('/language [tr|en|auto]');
  });
});

describe('/help', () => {
  it('does not repeat its title', async () => {
    const cases = [
      { id: '170', locale: 'tr', firstLine: '/start – karşılama mesajı' },
      { id: '171', locale: 'en', firstLine: '/start – the welcome message' },
    ] as const;
    for (const { id, locale, firstLine } of cases) {
      const user = await addPerson(fixture, 'telegram', id, 'user', locale);

      const reply = await fixture.run(user, '/help');

      expect(reply.title).toBe(t(locale, 'help.title'));
      expect(reply.text.split('\n')[0]).toBe(firstLine);
    }
  });
});
