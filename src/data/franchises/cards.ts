/**
 * One card per franchise: which of a ranking's titles may head a card for one user's list, and
 * which do. Shared by the recommendation engine and the offline evaluation, so what is measured
 * is what is served. Works on any index space (the engine's item indices); the caller says, per
 * index, its franchise, whether it is a way in, and whether its format is minor.
 */
import type { Anime, ListStatus } from '../types.js';
import { isMinorFormat, type Franchises } from './franchises.js';

export interface FranchiseLookup {
  /** Franchise id per index (see Franchise.id); a title the catalogue lacks is its own franchise. */
  franchiseOf: Int32Array;
  /** 1 where a newcomer to the franchise may start (Franchise.waysIn). */
  wayIn: Uint8Array;
  /** 1 for specials, recaps, music videos... (isMinorFormat). */
  minor: Uint8Array;
}

/** The lookup for an item space (`itemIds[i]` = the MAL id of index i); a title the catalogue lacks is its own franchise and way in. */
export function franchiseLookupOf(itemIds: ArrayLike<number>, franchises: Franchises, animeOf: (animeId: number) => Anime | undefined): FranchiseLookup {
  const n = itemIds.length;
  const lookup: FranchiseLookup = { franchiseOf: new Int32Array(n), wayIn: new Uint8Array(n), minor: new Uint8Array(n) };
  for (let i = 0; i < n; i++) {
    const id = itemIds[i]!;
    const franchise = franchises.of(id);
    lookup.franchiseOf[i] = franchise?.id ?? id;
    lookup.wayIn[i] = franchise === undefined || franchise.waysIn.has(id) ? 1 : 0;
    const anime = animeOf(id);
    lookup.minor[i] = anime !== undefined && isMinorFormat(anime) ? 1 : 0;
  }
  return lookup;
}

/** What a list says about franchises: the ones started, the ones dropped, and whether minor formats are watched. */
export interface ListFranchises {
  started: ReadonlySet<number>;
  dropped: ReadonlySet<number>;
  /** True when the list shows the user watches specials and the like: then they rank as any title. */
  watchesMinor: boolean;
}

/**
 * Someone "watches minor formats" when their list has at least this many of them, making up at
 * least MINOR_WATCHER_SHARE of what they watched: a few specials of favourite shows do not count.
 */
const MINOR_WATCHER_MIN = 3;
const MINOR_WATCHER_SHARE = 0.1;

/** `entries`: the list's titles as indices (unknown titles left out) with their list status. */
export function listFranchises(lookup: FranchiseLookup, entries: Iterable<{ index: number; status: ListStatus | null }>): ListFranchises {
  const started = new Set<number>();
  const dropped = new Set<number>();
  let watched = 0;
  let minor = 0;
  for (const { index, status } of entries) {
    const franchise = lookup.franchiseOf[index]!;
    if (status === 'dropped') dropped.add(franchise);
    // A planned title is not started: its franchise's later entries wait like anyone else's.
    if (status === 'plan_to_watch') continue;
    started.add(franchise);
    watched++;
    if (lookup.minor[index] === 1) minor++;
  }
  for (const franchise of dropped) started.delete(franchise);
  return { started, dropped, watchesMinor: minor >= MINOR_WATCHER_MIN && minor >= MINOR_WATCHER_SHARE * watched };
}

export const NO_LIST: ListFranchises = { started: new Set(), dropped: new Set(), watchesMinor: false };

/**
 * True when the title may not appear in a grouped list at all: its franchise was dropped; or it
 * was started (what continues it is the "continue" list's job, except in seasonal lists, which
 * keep new seasons: `keepStarted`); or it is a later entry of a franchise not started.
 */
export function hiddenByFranchise(lookup: FranchiseLookup, list: ListFranchises, index: number, keepStarted: boolean): boolean {
  const franchise = lookup.franchiseOf[index]!;
  if (list.dropped.has(franchise)) return true;
  if (list.started.has(franchise)) return !keepStarted;
  return lookup.wayIn[index] === 0;
}

export interface CardHeads {
  /** Positions in the ranking of the titles that head the cards, in card order. */
  positions: number[];
  /** True when the whole ranking was read (a short result is then all there is). */
  exhausted: boolean;
}

/**
 * The first `need` cards of a ranking (best first): each title not hidden and of a franchise
 * without a card yet heads one. Minor formats come after every full series for a list that does
 * not watch them, so they are only reached when the ranking runs out of full series.
 */
export function cardHeads(
  lookup: FranchiseLookup,
  list: ListFranchises,
  ranking: ArrayLike<number>,
  need: number,
  keepStarted: boolean,
  mayShow: (index: number) => boolean = () => true,
): CardHeads {
  const positions: number[] = [];
  const deferred: number[] = [];
  const carded = new Set<number>();
  let r = 0;
  for (; r < ranking.length && positions.length < need; r++) {
    const index = ranking[r]!;
    if (!mayShow(index) || hiddenByFranchise(lookup, list, index, keepStarted)) continue;
    const franchise = lookup.franchiseOf[index]!;
    if (carded.has(franchise)) continue;
    if (lookup.minor[index] === 1 && !list.watchesMinor) {
      deferred.push(r);
      continue;
    }
    carded.add(franchise);
    positions.push(r);
  }
  const exhausted = r >= ranking.length;
  if (exhausted) {
    for (const position of deferred) {
      if (positions.length >= need) break;
      const franchise = lookup.franchiseOf[ranking[position]!]!;
      if (carded.has(franchise)) continue;
      carded.add(franchise);
      positions.push(position);
    }
  }
  return { positions, exhausted };
}
