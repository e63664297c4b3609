/**
 * "Continue what you started": what comes next in the franchises on a list, new seasons of them,
 * and planned titles that have aired. It needs no model: it reads the list, the catalogue's
 * franchises (data/franchises) and release order, so it works for titles nobody has rated yet.
 */
import type { Anime } from '../data/types.js';
import { isMinorFormat } from '../data/franchises/franchises.js';
import type { AnimeSummary } from './catalog.js';
import type { RecommendationEngine } from './engine.js';
import { franchisesOfList, MAX_MORE, type FranchiseCard } from './franchise-lists.js';
import type { AnimePredicate, RecommendationFilters } from './filters.js';
import { likeWeight, meanOf, type HistoryEntry } from './taste-profile.js';

export type ContinueKind = 'new_season' | 'next_entry' | 'planned';

export interface ContinueReason {
  kind: ContinueKind;
  text: string;
  animeIds: number[];
}

export interface ContinueItem {
  rank: number;
  /** Always null: the list is ordered by the user's own list, not by a model score. */
  score: null;
  kind: ContinueKind;
  anime: AnimeSummary;
  reason: string;
  reasons: ContinueReason[];
  /** The franchise, with its later entries still to watch after this one. */
  franchise: FranchiseCard | null;
}

export interface ContinueList {
  items: ContinueItem[];
  offset: number;
  nextOffset: number | null;
  model: { kind: string; version: string };
  notes: string[];
}

export interface ContinueOptions {
  k: number;
  offset?: number;
  filters?: RecommendationFilters;
}

/** Statuses that mean "watched it": a list given as titles without a status counts too. */
const WATCHED = new Set<HistoryEntry['status']>(['completed', 'watching', null]);

/** Kinds in the order the list shows them: what is on now, then what comes next, then plans. */
const KIND_ORDER: Record<ContinueKind, number> = { new_season: 0, next_entry: 1, planned: 2 };

function how(entry: HistoryEntry): string {
  if (entry.score !== null && entry.score > 0) return `which you rated ${entry.score}/10`;
  return entry.status === 'watching' ? 'which you are watching' : 'which you watched';
}

function seasonText(anime: Anime): string {
  if (anime.status === 'airing') return 'airing now';
  if (anime.status === 'upcoming')
    return anime.year !== null ? `coming ${anime.season ? `${anime.season} ` : ''}${anime.year}` : 'coming soon';
  return anime.year !== null ? `aired ${anime.year}` : 'aired';
}

const isNew = (anime: Anime): boolean => anime.status === 'airing' || anime.status === 'upcoming';

interface Candidate {
  anime: Anime;
  kind: ContinueKind;
  reason: ContinueReason;
  /** How much the user liked the franchise (likeWeight of their best entry), for ordering. */
  affinity: number;
  rest: number[];
}

/**
 * The continue list for a list of titles. Per franchise the user watched (and did not drop): a
 * new season when one is airing or upcoming, else the first TV series (then a movie or OVA;
 * specials last unless they watch specials) they have not listed, in release order after the
 * first entry they did, so a skipped season counts; the franchise's other entries still to watch
 * ride on its card in release order. Then plan-to-watch titles that have
 * aired. Best-liked franchises first.
 */
export function continueList(engine: RecommendationEngine, entries: readonly HistoryEntry[], options: ContinueOptions): ContinueList {
  const { catalog } = engine;
  const allowed: AnimePredicate = engine.filter(options.filters ?? {});
  const { watchesMinor } = franchisesOfList(engine.ctx, entries);
  // From the catalogue, not the model: a dropped title the model does not know still counts.
  const franchiseIdOf = (id: number): number => catalog.franchises.of(id)?.id ?? id;
  const dropped = new Set(entries.filter((e) => e.status === 'dropped').map((e) => franchiseIdOf(e.animeId)));
  const entryOf = new Map(entries.map((e) => [e.animeId, e]));
  const mean = meanOf(entries);
  const onList = (id: number): boolean => {
    const entry = entryOf.get(id);
    return entry !== undefined && entry.status !== 'plan_to_watch';
  };
  const candidates: Candidate[] = [];
  const seen = new Set<number>();
  for (const entry of entries) {
    if (!WATCHED.has(entry.status)) continue;
    const franchise = catalog.franchises.of(entry.animeId);
    if (franchise === undefined || franchise.entries.length < 2 || seen.has(franchise.id)) continue;
    seen.add(franchise.id);
    if (dropped.has(franchise.id)) continue;
    // Entries after the first one on the list, in release order, that the list does not have:
    // what comes next, and what was skipped between entries the user watched.
    let first = -1;
    let last = -1;
    franchise.entries.forEach((id, i) => {
      if (!onList(id)) return;
      if (first < 0) first = i;
      last = i;
    });
    const positionOf = new Map(franchise.entries.map((id, i) => [id, i]));
    const next = franchise.entries
      .slice(first + 1)
      .filter((id) => !onList(id) && catalog.get(id) !== undefined && allowed(catalog.get(id)!));
    // Specials and recaps only for people who watch them, or when nothing else is left.
    const full = watchesMinor ? next : next.filter((id) => !isMinorFormat(catalog.get(id)!));
    const pool = full.length > 0 ? full : next;
    // A season airing or announced after the last listed entry is the news; otherwise the first
    // series (a TV season) still to watch in release order, then a movie or OVA. Counting what was
    // skipped between listed entries finds more of what people go on to watch than starting after
    // the last listed entry (bench/continue-list.ts).
    const fresh = pool.find((id) => positionOf.get(id)! > last && isNew(catalog.get(id)!));
    const headId = fresh ?? pool.find((id) => catalog.get(id)!.format === 'TV') ?? pool[0];
    if (headId === undefined) continue;
    const head = catalog.get(headId)!;
    // The franchise's best-liked entry on the list is what the reason names.
    let best = entry;
    for (const id of franchise.entries) {
      const listed = entryOf.get(id);
      if (listed !== undefined && WATCHED.has(listed.status) && likeWeight(listed, mean) > likeWeight(best, mean)) best = listed;
    }
    const named = catalog.get(best.animeId)?.title ?? `anime ${best.animeId}`;
    const kind: ContinueKind = head.status === 'airing' || head.status === 'upcoming' ? 'new_season' : 'next_entry';
    const text =
      kind === 'new_season'
        ? `New season of ${named}, ${how(best)}: ${seasonText(head)}`
        : positionOf.get(headId)! > last
          ? `Next in ${franchise.name} after ${named}, ${how(best)}`
          : `Skipped in ${franchise.name}, between entries you listed: you watched ${named}, ${how(best)}`;
    candidates.push({
      anime: head,
      kind,
      reason: { kind, text, animeIds: [best.animeId] },
      affinity: likeWeight(best, mean),
      rest: next.filter((id) => id !== headId),
    });
  }
  const heads = new Set(candidates.map((c) => c.anime.animeId));
  for (const entry of entries) {
    if (entry.status !== 'plan_to_watch' || heads.has(entry.animeId)) continue;
    const anime = catalog.get(entry.animeId);
    if (
      anime === undefined ||
      anime.status === 'upcoming' ||
      anime.status === null ||
      !allowed(anime) ||
      dropped.has(franchiseIdOf(anime.animeId))
    )
      continue;
    const text = `On your plan-to-watch list, ${seasonText(anime)}`;
    candidates.push({ anime, kind: 'planned', reason: { kind: 'planned', text, animeIds: [anime.animeId] }, affinity: 0, rest: [] });
  }
  const popularity = (id: number): number => catalog.popularityRank.get(id) ?? Number.MAX_SAFE_INTEGER;
  candidates.sort(
    (a, b) =>
      KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
      b.affinity - a.affinity ||
      popularity(a.anime.animeId) - popularity(b.anime.animeId) ||
      a.anime.animeId - b.anime.animeId,
  );

  const offset = options.offset ?? 0;
  const page = candidates.slice(offset, offset + options.k);
  const items: ContinueItem[] = page.map((c, i) => {
    const franchise = catalog.franchises.of(c.anime.animeId);
    return {
      rank: offset + i + 1,
      score: null,
      kind: c.kind,
      anime: catalog.summary(c.anime.animeId),
      reason: c.reason.text,
      reasons: [c.reason],
      franchise:
        franchise === undefined || franchise.entries.length < 2
          ? null
          : {
              id: franchise.id,
              name: franchise.name,
              more: c.rest.slice(0, MAX_MORE).map((id) => ({ anime: catalog.summary(id), score: null })),
            },
    };
  });
  const notes =
    candidates.length === 0
      ? ['Nothing to continue: no franchise on this list has an entry you have not listed, and no planned title has aired.']
      : [];
  return {
    items,
    offset,
    nextOffset: candidates.length > offset + page.length ? offset + page.length : null,
    model: engine.modelInfo,
    notes,
  };
}
