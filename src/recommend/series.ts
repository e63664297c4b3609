/**
 * Which titles continue a series on a user's list: a title continues a listed one when both are
 * in one franchise (data/franchises: relations where a source gave them, title stems otherwise)
 * and it comes later in the franchise's release order. The same franchises group the lists'
 * cards and build the continue list, so "continues X" in a reason always agrees with them.
 */
import type { Franchises } from '../data/franchises/franchises.js';
import type { Anime } from '../data/types.js';

/** One listed title a candidate continues, with how much the user liked it. */
export interface SeriesMatch {
  listedId: number;
  /** likeWeight of the listed entry (> 0). */
  weight: number;
}

interface ListedEntry {
  animeId: number;
  weight: number;
  /** Place in its franchise's release order. */
  position: number;
}

/** The titles a user liked, by franchise, for asking "does this candidate continue one of them?". */
export class ListedSeries {
  private readonly byFranchise = new Map<number, ListedEntry[]>();

  constructor(
    liked: Iterable<{ anime: Anime; weight: number }>,
    private readonly franchises: Franchises,
  ) {
    for (const { anime, weight } of liked) {
      const franchise = franchises.of(anime.animeId);
      if (franchise === undefined || franchise.entries.length < 2) continue;
      let listed = this.byFranchise.get(franchise.id);
      if (listed === undefined) this.byFranchise.set(franchise.id, (listed = []));
      listed.push({ animeId: anime.animeId, weight, position: franchise.entries.indexOf(anime.animeId) });
    }
  }

  /** The best-liked title on the list that this candidate comes after in its franchise; null when none. */
  match(candidate: Anime): SeriesMatch | null {
    const franchise = this.franchises.of(candidate.animeId);
    if (franchise === undefined) return null;
    const listed = this.byFranchise.get(franchise.id);
    if (listed === undefined) return null;
    const position = franchise.entries.indexOf(candidate.animeId);
    let best: SeriesMatch | null = null;
    for (const entry of listed) {
      // A new season follows what was watched; an earlier title is not its continuation.
      if (entry.position >= position || (best !== null && entry.weight <= best.weight)) continue;
      best = { listedId: entry.animeId, weight: entry.weight };
    }
    return best;
  }
}
