import type { UserRow } from '../db/schema.js';
import { parseJson } from '../db/values.js';
import type { RouterAccess } from '../router/types.js';
import { parseBooleanWord, type SystemSettings } from './settings.js';

export type Role = 'user' | 'vip' | 'admin';

export const ROLES: readonly Role[] = ['user', 'vip', 'admin'];

export interface Permissions {
  canUseImage: boolean;
  canUseLocalChat: boolean;
  /** 0 unrestricted, 1 normal, 2 strict. */
  censorshipLevel: 0 | 1 | 2;
}

export type LimitKey = 'daily_chat' | 'daily_cloud' | 'daily_local' | 'daily_image' | 'per_minute';

export const LIMIT_KEYS: readonly LimitKey[] = ['daily_chat', 'daily_cloud', 'daily_local', 'daily_image', 'per_minute'];

/** Effective limits; 0 means no limit. */
export type Limits = Record<LimitKey, number>;

const DEFAULT_LIMITS: Record<'user' | 'vip', Limits> = {
  user: { daily_chat: 100, daily_cloud: 100, daily_local: 50, daily_image: 10, per_minute: 10 },
  vip: { daily_chat: 500, daily_cloud: 500, daily_local: 200, daily_image: 50, per_minute: 30 },
};

export function roleOf(user: Pick<UserRow, 'role'>): Role {
  return ROLES.includes(user.role as Role) ? (user.role as Role) : 'user';
}

/**
 * Reads `users.permissions`, accepting booleans written as "true"/"1"/"yes"/"on" because
 * admins set them by hand.
 */
export function parsePermissions(json: string): Permissions {
  const raw = parseJsonObject(json);
  const level = numberValue(raw.censorship_level);
  return {
    canUseImage: parseBooleanWord(raw.can_use_image) ?? true,
    canUseLocalChat: parseBooleanWord(raw.can_use_local_chat) ?? false,
    censorshipLevel: level === 0 || level === 2 ? level : 1,
  };
}

/** True when the user may use the local, uncensored model. */
export function canUseLocal(user: Pick<UserRow, 'role' | 'bela_unlocked' | 'permissions'>): boolean {
  return roleOf(user) === 'admin' || user.bela_unlocked === 1 || parsePermissions(user.permissions).canUseLocalChat;
}

export function routerAccessFor(user: Pick<UserRow, 'role' | 'bela_unlocked' | 'permissions'>): RouterAccess {
  return { canUseLocal: canUseLocal(user), censorshipLevel: parsePermissions(user.permissions).censorshipLevel };
}

/**
 * Effective limits: the user's own `limits` keys, then the role's defaults from system
 * settings (`limits.user.*`, `limits.vip.*`). Admins are unlimited (every limit 0).
 */
export function effectiveLimits(user: Pick<UserRow, 'role' | 'limits'>, settings: SystemSettings): Limits {
  const role = roleOf(user);
  if (role === 'admin') return { daily_chat: 0, daily_cloud: 0, daily_local: 0, daily_image: 0, per_minute: 0 };

  const own = parseJsonObject(user.limits);
  const limits = {} as Limits;
  for (const key of LIMIT_KEYS) {
    const ownValue = numberValue(own[key]);
    limits[key] =
      ownValue !== undefined && ownValue >= 0
        ? ownValue
        : settings.number(`limits.${role}.${key}`, DEFAULT_LIMITS[role][key]);
  }
  return limits;
}

/** Parses a JSON object column. A hand-edited column may hold `null`, an array or a scalar, and those read as `{}`. */
export function parseJsonObject(json: string): Record<string, unknown> {
  const value = parseJson<unknown>(json, {});
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/**
 * Reads a finite number written as a JSON number or numeric text. `Number()` alone would read
 * `""`, `null`, `false` and `[]` as 0, which here means "no limit" or "unrestricted".
 */
function numberValue(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}
