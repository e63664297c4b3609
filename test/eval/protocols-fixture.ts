/**
 * A small, realistic-shaped world for the protocol tests: titles with genres, studios, seasons and
 * member counts, and users who list popular titles more often and prefer one genre, so the
 * baselines have something real to find. Seeded, so every run builds the same data.
 */
import type { Anime, Season } from '../../src/data/types.js';
import { createRng } from '../../src/models/random.js';
import type { TrainingData } from '../../src/models/types.js';
import { anime } from '../models/content/fixtures.js';
import { csrFromTriples } from './helpers.js';

const GENRES = ['Action', 'Comedy', 'Drama', 'Romance', 'Sci-Fi', 'Sports'];
const SEASON_ORDER: Season[] = ['winter', 'spring', 'summer', 'fall'];

export interface World {
  data: TrainingData;
  catalogue: Map<number, Anime>;
  /** Members per MAL id, what the serving-time catalogue would say. */
  members: Map<number, number>;
}

/**
 * nItems titles (ids 1000 + index), airing one per season-slot from 2012 winter on (so the last
 * titles are the most recent), and nUsers users of 8–30 entries each.
 */
export function world(nUsers = 160, nItems = 60, seed = 7): World {
  const rng = createRng(seed);
  const catalogue = new Map<number, Anime>();
  const members = new Map<number, number>();
  const genreOf: number[] = [];
  for (let i = 0; i < nItems; i++) {
    const id = 1000 + i;
    const genre = i % GENRES.length;
    genreOf.push(genre);
    const slot = Math.floor((i * 20) / nItems);
    catalogue.set(
      id,
      anime(id, {
        genres: [GENRES[genre]!, GENRES[(genre + 1 + (i % 3)) % GENRES.length]!],
        studios: [`Studio ${i % 5}`],
        year: 2012 + Math.floor(slot / 4),
        season: SEASON_ORDER[slot % 4]!,
        // Deliberately different from the 2026-style numbers a merged catalogue would carry.
        members: 999_999,
      }),
    );
    members.set(id, Math.round(200_000 / (1 + i * 0.3) + rng() * 5000));
  }
  const triples: [number, number, number][] = [];
  for (let u = 0; u < nUsers; u++) {
    const favourite = Math.floor(rng() * GENRES.length);
    const length = 8 + Math.floor(rng() * 23);
    const seen = new Set<number>();
    while (seen.size < length) {
      // Popular (low-index) titles and the favourite genre are listed more often.
      const r = rng();
      let item = Math.floor(r * r * nItems);
      if (rng() < 0.4) item = (Math.floor(rng() * (nItems / GENRES.length)) * GENRES.length + favourite) % nItems;
      seen.add(item);
    }
    for (const item of seen) {
      const likes = genreOf[item] === favourite ? 2 : 0;
      const score = rng() < 0.1 ? 0 : Math.min(10, 4 + likes + Math.floor(rng() * 5));
      triples.push([u, item, score]);
    }
  }
  return { data: csrFromTriples(nUsers, nItems, triples), catalogue, members };
}

/** The items of row u of `data`. */
export function rowItems(data: TrainingData, u: number): number[] {
  return Array.from(data.indices.subarray(data.indptr[u]!, data.indptr[u + 1]!));
}
