import { AnirecError } from '../errors/errors.js';
import type { RecommendationEngine } from '../recommend/engine.js';
import type { Store, StoredUser } from '../store/index.js';
import type { HistoryEntry } from '../recommend/taste-profile.js';
import type { ServerConfig } from './config.js';
import { notFound } from './errors.js';
import type { ModelHolder } from './model-holder.js';
import type { ServerMetrics } from './metrics.js';

/** What every route plugin needs, passed as its plugin options; built once by buildServer. */
export interface RouteDeps {
  store: Store;
  holder: ModelHolder;
  config: ServerConfig;
  metrics: ServerMetrics;
  /** Injectable fetch for AniList imports (tests replay recorded responses). */
  fetch?: typeof globalThis.fetch;
  /** Injectable clock (what `season=current` means); default the system clock. */
  now?: () => Date;
}

/** The engine for this request, read once so the whole request runs on one model. */
export function engineOf(deps: RouteDeps): RecommendationEngine {
  const current = deps.holder.current;
  if (current === null) {
    throw new AnirecError(
      'model_unavailable',
      `No model is loaded yet${deps.holder.lastError ? ` (${deps.holder.lastError})` : ''}. Train one with \`anirec train\`; the server picks it up without a restart.`,
    );
  }
  return current.engine;
}

export function parseUserSpec(spec: string): { source: string | null; externalId: string } {
  const at = spec.indexOf(':');
  return at > 0 ? { source: spec.slice(0, at), externalId: spec.slice(at + 1) } : { source: null, externalId: spec };
}

/** A user that must exist: 404 with suggestions (the same id in other sources) when not. */
export async function findExistingUser(store: Store, spec: string): Promise<StoredUser> {
  const { source, externalId } = parseUserSpec(spec);
  if (externalId === '')
    throw new AnirecError('bad_request', 'the user id after "source:" is empty; use e.g. kaggle2016:1.', { field: 'params.user' });
  const users = await store.findUser(source, externalId);
  if (users.length === 1) return users[0]!;
  if (users.length > 1) {
    throw new AnirecError('ambiguous_user', `"${spec}" names ${users.length} users; say which with source:id.`, {
      field: 'params.user',
      suggestions: users.map((u) => `${u.source}:${u.externalId}`),
    });
  }
  const elsewhere = source === null ? [] : await store.findUser(null, externalId);
  throw notFound(
    'params.user',
    `No user "${spec}" in the store. Users are named source:id (e.g. kaggle2016:1); add one by importing a list (POST /v1/import/mal or /v1/import/anilist) or by rating a title (PUT /v1/users/{user}/list/{animeId}).`,
    elsewhere.map((u) => `${u.source}:${u.externalId}`),
  );
}

/** The user's list, live from the store, so feedback shows up in the very next request. */
export async function historyOf(store: Store, user: StoredUser): Promise<HistoryEntry[]> {
  return (await store.userInteractions(user.userId)).map((r) => ({ animeId: r.animeId, score: r.score, status: r.status }));
}

export function userJson(user: StoredUser): { id: string; source: string; externalId: string; listed: number } {
  return { id: `${user.source}:${user.externalId}`, source: user.source, externalId: user.externalId, listed: user.interactionCount };
}
