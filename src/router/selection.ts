import type { ModelEntry } from './catalog.js';
import type { CompletionRequest } from './types.js';

/** Purpose used when the requested purpose has no model the caller may use. */
export const FALLBACK_PURPOSE = 'chat';

/** `users.selected_model` value that means "no explicit choice". */
export const AUTO_MODEL = 'auto';

/**
 * Orders the models to try for `request`, best first, without duplicates.
 *
 * 1. The preferred model (`request.preferredModel`), whatever its purpose, when the caller may
 *    use it: its provider is allowed, and a local model needs `access.canUseLocal`. An explicit
 *    choice of the local model is honoured even at censorship level 2.
 * 2. Models of `request.purpose`: `is_default` first, then higher `priority`, then `name`.
 *    Local models are left out without `canUseLocal`, and also at censorship level 2, which
 *    stops automatic routing to them.
 * 3. When step 2 finds nothing (e.g. purpose `uncensored` without local access), the models of
 *    purpose `chat`, filtered and ordered the same way.
 * 4. When that finds nothing either because a daily limit blocks an engine (the cloud quota is
 *    spent), the models of any purpose the caller may still be routed to, so a user with local
 *    access goes on with the local model.
 *
 * `request.allowedProviders`, when not empty, restricts every step, the preferred model
 * included, because a persona's provider list bounds everything the router may call for it.
 * `access.blockedEngines` (engines whose daily limit the caller has used up) does the same.
 */
export function orderCandidates(
  entries: readonly ModelEntry[],
  request: Pick<CompletionRequest, 'purpose' | 'preferredModel' | 'allowedProviders' | 'access'>,
): ModelEntry[] {
  const allowedProviders = request.allowedProviders ?? [];
  const { canUseLocal, censorshipLevel } = request.access;
  const blockedEngines = request.access.blockedEngines ?? [];

  const mayUse = (entry: ModelEntry): boolean => {
    if (allowedProviders.length > 0 && !allowedProviders.includes(entry.provider)) return false;
    if (blockedEngines.includes(entry.engine)) return false;
    return entry.engine !== 'local' || canUseLocal;
  };
  const mayRouteAutomatically = (entry: ModelEntry): boolean =>
    mayUse(entry) && !(entry.engine === 'local' && censorshipLevel === 2);

  const ordered: ModelEntry[] = [];

  const preferredName = request.preferredModel;
  if (preferredName !== undefined && preferredName !== '' && preferredName !== AUTO_MODEL) {
    const preferred = entries.find((entry) => entry.name === preferredName);
    if (preferred !== undefined && mayUse(preferred)) ordered.push(preferred);
  }

  let byPurpose = rankPurpose(entries, request.purpose, mayRouteAutomatically);
  if (byPurpose.length === 0 && request.purpose !== FALLBACK_PURPOSE) {
    byPurpose = rankPurpose(entries, FALLBACK_PURPOSE, mayRouteAutomatically);
  }
  if (byPurpose.length === 0 && ordered.length === 0 && blockedEngines.length > 0) {
    byPurpose = entries.filter(mayRouteAutomatically).sort(compareRank);
  }

  for (const entry of byPurpose) {
    if (!ordered.some((chosen) => chosen.name === entry.name)) ordered.push(entry);
  }
  return ordered;
}

function rankPurpose(
  entries: readonly ModelEntry[],
  purpose: string,
  isAllowed: (entry: ModelEntry) => boolean,
): ModelEntry[] {
  return entries
    .filter((entry) => entry.purpose === purpose && isAllowed(entry))
    .sort(compareRank);
}

function compareRank(left: ModelEntry, right: ModelEntry): number {
  if (left.isDefault !== right.isDefault) return left.isDefault ? -1 : 1;
  if (left.priority !== right.priority) return right.priority - left.priority;
  if (left.name === right.name) return 0;
  return left.name < right.name ? -1 : 1;
}
