import { AniListClient, fetchMediaPages, fetchUserList, type AniListClientOptions } from '../data/anilist/index.js';
import type { AnimePatch, Interaction, RowProblem } from '../data/types.js';
import type { Store } from '../store/index.js';

/**
 * Daily ingestion: the followed AniList users' lists, then titles changed on AniList since the
 * last run. Every write is an idempotent upsert, and progress is saved in the store's meta table
 * only after the data it covers has been committed. So a run that dies anywhere is resumed by the
 * next one from its last committed step: at worst one step is written again, which changes
 * nothing (at-least-once delivery + idempotent writes = no lost and no duplicated rows).
 */

/** The namespace AniList users live in, the same one `anirec import --anilist-user` uses. */
export const ANILIST_SOURCE = 'anilist';

/** Meta keys (documented in docs/operations.md). */
export const INGEST_META = {
  /** The unfinished run, if any: which users are done, which title page comes next. */
  run: 'ops.ingest.run',
  /** Epoch ms: titles changed after this have not been fetched yet. */
  titlesCursor: 'ops.ingest.titles_cursor',
  /** The last finished run's summary. */
  last: 'ops.ingest.last',
} as const;

export interface IngestOptions {
  users: readonly string[];
  titles: boolean;
  /** Without a titles cursor (first run): fetch titles changed in the last N days. */
  initialLookbackDays: number;
  perPage?: number;
  client?: AniListClientOptions;
  signal?: AbortSignal;
  now?: () => number;
  log?: (line: string) => void;
}

interface RunState {
  startedAt: number;
  usersDone: string[];
  titles: { since: number; nextPage: number; maxUpdatedAt: number | null; done: boolean };
}

export interface UserIngest {
  user: string;
  entries: number;
  inserted: number;
  updated: number;
  unchanged: number;
  /** Entries that could not be imported (e.g. titles without a MyAnimeList id). */
  problems: number;
  /** Set when this user's list could not be fetched; the other users still ran. */
  error?: string;
}

export interface IngestSummary {
  resumed: boolean;
  users: UserIngest[];
  /** Users skipped because an interrupted run had already committed them. */
  usersAlreadyDone: string[];
  titles: { since: number | null; pages: number; upserted: number; skipped: number; cursor: number | null } | null;
}

function parseRun(raw: string | null): RunState | null {
  if (raw === null || raw === '' || raw === 'null') return null;
  try {
    return JSON.parse(raw) as RunState;
  } catch {
    throw new Error(`The store's ${INGEST_META.run} entry is not valid JSON; reset it with \`anirec ingest --restart\`.`);
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new DOMException('ingestion cancelled', 'AbortError');
}

async function ingestUser(store: Store, client: AniListClient, user: string, signal: AbortSignal | undefined): Promise<UserIngest> {
  // A list is fetched whole before anything is written: AniList has no "changed since" filter for
  // lists, and one transaction per user means a user is either fully updated or not touched.
  const anime: AnimePatch[] = [];
  const interactions: Interaction[] = [];
  const problems: RowProblem[] = [];
  for await (const chunk of fetchUserList(user, client, { signal })) {
    anime.push(...chunk.anime);
    interactions.push(...chunk.interactions);
    problems.push(...chunk.problems);
  }
  throwIfAborted(signal);
  const { counts } = await store.withImport(async (tx) => {
    await tx.upsertAnime(anime);
    await tx.upsertInteractions(ANILIST_SOURCE, interactions);
  });
  return {
    user,
    entries: interactions.length,
    inserted: counts.interactionsInserted,
    updated: counts.interactionsUpdated,
    unchanged: counts.interactionsUnchanged,
    problems: problems.length,
  };
}

/** Runs (or resumes) one ingestion. Throws on cancellation or on an AniList outage for titles. */
export async function runIngest(store: Store, options: IngestOptions): Promise<IngestSummary> {
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  const signal = options.signal;
  const client = new AniListClient({ ...options.client, signal: signal ?? options.client?.signal });

  let state = parseRun(await store.getMeta(INGEST_META.run));
  const resumed = state !== null;
  if (state === null) {
    const cursor = await store.getMeta(INGEST_META.titlesCursor);
    const since = cursor !== null ? Number(cursor) : now() - options.initialLookbackDays * 86_400_000;
    state = { startedAt: now(), usersDone: [], titles: { since, nextPage: 1, maxUpdatedAt: null, done: !options.titles } };
    await store.setMeta(INGEST_META.run, JSON.stringify(state));
  } else {
    log(
      `resuming the ingestion started ${new Date(state.startedAt).toISOString()}: ${state.usersDone.length} user(s) done, titles from page ${state.titles.nextPage}`,
    );
  }
  const save = (s: RunState) => store.setMeta(INGEST_META.run, JSON.stringify(s));

  const summary: IngestSummary = { resumed, users: [], usersAlreadyDone: [], titles: null };
  for (const user of options.users) {
    throwIfAborted(signal);
    if (state.usersDone.includes(user)) {
      summary.usersAlreadyDone.push(user);
      continue;
    }
    try {
      const result = await ingestUser(store, client, user, signal);
      summary.users.push(result);
      log(
        `${user}: ${result.entries} entries (${result.inserted} new, ${result.updated} changed, ${result.unchanged} unchanged)${result.problems ? `, ${result.problems} skipped` : ''}`,
      );
    } catch (error) {
      throwIfAborted(signal);
      // One user's private or renamed list must not stop everyone else's update; the summary
      // (and the command's exit code) report it, and the next run tries again.
      summary.users.push({ user, entries: 0, inserted: 0, updated: 0, unchanged: 0, problems: 0, error: (error as Error).message });
      log(`${user}: FAILED: ${(error as Error).message}`);
      continue;
    }
    // Marked done only after its commit: a crash before this line re-fetches the user, harmlessly.
    state.usersDone.push(user);
    await save(state);
  }

  if (!state.titles.done) {
    const t = state.titles;
    const titles = { since: t.since, pages: 0, upserted: 0, skipped: 0, cursor: null as number | null };
    for await (const page of fetchMediaPages({ updatedSince: t.since, startPage: t.nextPage, perPage: options.perPage, signal }, client)) {
      // A page's relations commit with its titles, so a resumed crawl never has one without the other.
      await store.withImport(async (tx) => {
        await tx.upsertAnime(page.anime);
        await tx.replaceRelations(page.relations);
      });
      titles.pages++;
      titles.upserted += page.anime.length;
      titles.skipped += page.skipped;
      if (page.maxUpdatedAt !== null) t.maxUpdatedAt = Math.max(t.maxUpdatedAt ?? -Infinity, page.maxUpdatedAt);
      t.nextPage = page.page + 1;
      await save(state);
      log(`titles page ${page.page}: ${page.anime.length} upserted${page.skipped ? `, ${page.skipped} without a MAL id` : ''}`);
    }
    // The cursor only moves when every page is in; until then the run state holds the position.
    // Without changes it stays put (never forward to "now": a title changed during the run but
    // not yet visible must not be skipped).
    titles.cursor = t.maxUpdatedAt ?? t.since;
    await store.setMeta(INGEST_META.titlesCursor, String(titles.cursor));
    t.done = true;
    summary.titles = titles;
  }

  await store.setMeta(INGEST_META.run, 'null');
  await store.setMeta(INGEST_META.last, JSON.stringify({ finishedAt: new Date(now()).toISOString(), ...summary }));
  return summary;
}

/** Drops an interrupted run's progress so the next run starts over (cursors are kept). */
export async function resetIngestRun(store: Store): Promise<void> {
  await store.setMeta(INGEST_META.run, 'null');
}
