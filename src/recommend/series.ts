/**
 * Which titles continue a series on a user's list. The catalogue has no relation data (MAL's
 * sequel/prequel links are in none of the bundled sources), so this matches title stems, as the
 * hybrid ranker's franchise feature matches title words (models/hybrid/item-stats.ts): a sequel's
 * title almost always starts with its series' title ("Ushio to Tora (TV) 2nd Season",
 * "Shingeki no Kyojin Season 2"). Sharing a first word is not enough on its own ("Monster" and
 * "Monster Musume", "Rainbow" and "Rainbow Days"), so the two must also share most of their
 * genres and themes. Sequels renamed outright are missed.
 */
import type { Anime } from '../data/types.js';
import { continuesSeries, MIN_TAG_OVERLAP, stemsOf, tagOverlap, tagsOf } from '../data/franchises/title-stems.js';

/** One listed title a candidate continues, with how much the user liked it. */
export interface SeriesMatch {
  listedId: number;
  /** likeWeight of the listed entry (> 0). */
  weight: number;
}

interface ListedSeriesEntry {
  animeId: number;
  year: number | null;
  weight: number;
  /** Main title's stem, then the English title's (when there is one). */
  stems: string[][];
  tags: Set<string>;
}


/**
 * The titles a user liked, indexed by the first word of their stems, for asking "does this
 * candidate continue one of them?" without comparing it with the whole list. Main titles are
 * compared with main titles, English with English.
 */
export class ListedSeries {
  private readonly byFirstWord = new Map<string, ListedSeriesEntry[]>();

  constructor(liked: Iterable<{ anime: Anime; weight: number }>) {
    for (const { anime, weight } of liked) {
      const entry: ListedSeriesEntry = { animeId: anime.animeId, year: anime.year, weight, stems: stemsOf(anime), tags: tagsOf(anime) };
      for (const word of new Set(entry.stems.flatMap((stem) => stem.slice(0, 1)))) {
        let owners = this.byFirstWord.get(word);
        if (owners === undefined) this.byFirstWord.set(word, (owners = []));
        owners.push(entry);
      }
    }
  }

  /** The best-liked title on the list whose series this candidate continues; null when none. */
  match(candidate: Anime): SeriesMatch | null {
    const stems = stemsOf(candidate);
    let tags: Set<string> | null = null;
    let best: SeriesMatch | null = null;
    // A continuation starts with the listed title's first word, so only first words are looked up.
    for (const word of new Set(stems.flatMap((stem) => stem.slice(0, 1)))) {
      for (const listed of this.byFirstWord.get(word) ?? []) {
        if (listed.animeId === candidate.animeId || (best !== null && listed.weight <= best.weight)) continue;
        // A new season follows what was watched; an older title is not its continuation.
        if (listed.year !== null && candidate.year !== null && listed.year > candidate.year) continue;
        if (!stems.some((stem, i) => continuesSeries(stem, listed.stems[i]!))) continue;
        tags ??= tagsOf(candidate);
        if (tagOverlap(tags, listed.tags) < MIN_TAG_OVERLAP) continue;
        best = { listedId: listed.animeId, weight: listed.weight };
      }
    }
    return best;
  }
}
