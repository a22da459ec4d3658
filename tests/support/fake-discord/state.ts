import { EventEmitter } from 'node:events';
import { compareSnowflakes } from './snowflake.js';

/** A Discord user known to the fake; the bot user is one too. */
export interface FakeUser {
  id: string;
  username: string;
  globalName: string | null;
  /** Locale the user's client reports in interactions, e.g. "tr" or "en-US". */
  locale: string;
  bot: boolean;
}

/** One version of a message: the original, then one entry per successful edit. */
export interface MessageRevision {
  content: string;
  embeds: unknown[];
  components: unknown[];
  flags: number;
  at: string;
}

/** A message as the fake stores it. `revisions` holds the original first, then every edit. */
export interface StoredMessage {
  id: string;
  channelId: string;
  authorId: string;
  content: string;
  embeds: unknown[];
  components: unknown[];
  flags: number;
  attachments: Array<{ id: string; filename: string }>;
  createdAt: string;
  editedAt: string | null;
  revisions: MessageRevision[];
  /** Set on messages created by an interaction response or followup. */
  interactionId?: string;
  /** Ephemeral messages exist only for their interaction and never appear in channel history. */
  ephemeral: boolean;
  deleted: boolean;
  /** Set on a forward: the message it points to and the content copied from it. */
  forwarded?: { channelId: string; messageId: string; content: string; createdAt: string };
}

/** A DM channel between the bot and one user. */
export interface FakeDmChannel {
  id: string;
  recipientId: string;
  lastMessageId: string | null;
}

/** A guild (server) that the bot user is a member of. */
export interface FakeGuild {
  id: string;
  name: string;
  ownerId: string;
  /** `preferred_locale`, sent as `guild_locale` in interactions, e.g. "en-US". */
  preferredLocale: string;
  /** Permissions of the bot in every channel of the guild, sent as `app_permissions`. */
  botPermissions: bigint;
  /** Permissions of the @everyone role, whose id is the guild id. */
  everyonePermissions: bigint;
  /** When the bot joined the guild, ISO 8601. */
  joinedAt: string;
}

/** A guild text channel (channel type 0). */
export interface FakeGuildChannel {
  id: string;
  guildId: string;
  name: string;
  position: number;
  lastMessageId: string | null;
}

/**
 * A user's membership in a guild. `permissions` is the member's total permissions in the
 * guild's channels, set directly: the fake derives nothing from roles or channel overwrites.
 */
export interface FakeMember {
  guildId: string;
  userId: string;
  nick: string | null;
  /** Role ids besides @everyone. */
  roles: string[];
  permissions: bigint;
  joinedAt: string;
}

/** An interaction the fake dispatched, with everything the bot answered to it. */
export interface StoredInteraction {
  id: string;
  token: string;
  type: number;
  userId: string;
  channelId: string;
  /** Set when the interaction came from a guild channel; DM interactions have none. */
  guildId?: string;
  /** Interaction-clock time of the dispatch, in ms. */
  dispatchedAt: number;
  commandName?: string;
  customId?: string;
  /** For component interactions: the message the component is on. */
  sourceMessageId?: string;
  callback?: { type: number; data: unknown; at: number };
  originalMessageId?: string;
  /** Raw bodies of every accepted PATCH of `@original`, in order. */
  originalEdits: unknown[];
  followupIds: string[];
}

/** One REST request the fake received, with the status it answered. */
export interface RecordedRequest {
  method: string;
  /** Path after `/api/v10`, e.g. `/channels/123/messages`. */
  path: string;
  query: Record<string, string>;
  body: unknown;
  status: number;
  at: number;
}

/** A global application command after registration, as Discord returns it. */
export interface StoredCommand {
  id: string;
  application_id: string;
  version: string;
  type: number;
  name: string;
  name_localizations: Record<string, string> | null;
  description: string;
  description_localizations: Record<string, string> | null;
  options?: unknown[];
  default_member_permissions: string | null;
  contexts: number[] | null;
  integration_types: number[];
  nsfw: boolean;
  [key: string]: unknown;
}

/** One gateway dispatch and the number of sessions it was sent or queued to. */
export interface RecordedDispatch {
  event: string;
  /** Sessions whose intents allowed the event; 0 when no session asked for it. */
  sessionCount: number;
}

/**
 * The fake's whole state: users, DM channels, guilds, messages, interactions, commands, the
 * request log and the dispatch log. Each change emits `change`, which `waitFor` listens to
 * instead of polling a timer.
 */
export class FakeState {
  readonly users = new Map<string, FakeUser>();
  readonly dmChannels = new Map<string, FakeDmChannel>();
  readonly dmChannelByUser = new Map<string, string>();
  readonly guilds = new Map<string, FakeGuild>();
  readonly guildChannels = new Map<string, FakeGuildChannel>();
  /** Members by `memberKey(guildId, userId)`. */
  readonly members = new Map<string, FakeMember>();
  readonly messages = new Map<string, StoredMessage>();
  readonly interactions = new Map<string, StoredInteraction>();
  readonly interactionByToken = new Map<string, string>();
  readonly blockedUsers = new Set<string>();
  readonly typing = new Map<string, number>();
  readonly requests: RecordedRequest[] = [];
  readonly dispatches: RecordedDispatch[] = [];
  commands: StoredCommand[] = [];
  readonly #events = new EventEmitter();

  constructor() {
    this.#events.setMaxListeners(0);
  }

  /** Tells `waitFor` callers to look again. */
  changed(): void {
    this.#events.emit('change');
  }

  member(guildId: string, userId: string): FakeMember | undefined {
    return this.members.get(memberKey(guildId, userId));
  }

  /** Messages of a channel that its history would show, oldest first. */
  channelMessages(channelId: string): StoredMessage[] {
    return [...this.messages.values()]
      .filter((message) => message.channelId === channelId && !message.deleted && !message.ephemeral)
      .sort((a, b) => compareSnowflakes(a.id, b.id));
  }

  /**
   * Resolves with the first truthy value `probe` returns, checking now and after every change.
   * Rejects after `timeoutMs` with the probe's description, so a failing test says what it awaited.
   */
  waitFor<T>(probe: () => T | undefined | null | false, timeoutMs: number, description: string): Promise<T> {
    const first = probe();
    if (first) {
      return Promise.resolve(first);
    }

    return new Promise<T>((resolve, reject) => {
      const onChange = (): void => {
        let value: T | undefined | null | false;
        try {
          value = probe();
        } catch (error) {
          cleanup();
          reject(error);
          return;
        }
        if (value) {
          cleanup();
          resolve(value);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${description}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.#events.off('change', onChange);
      };
      this.#events.on('change', onChange);
    });
  }
}

/** Key of a member in `FakeState.members`. */
export function memberKey(guildId: string, userId: string): string {
  return `${guildId}/${userId}`;
}
