import type { Anime } from '../data/types.js';
import { LIST_STATUSES } from '../data/types.js';
import type { Store } from '../store/store.js';
import { buildTrainingData } from './training-data.js';
import type { TrainingData } from './types.js';

/** Everything training needs from the store: the CSR matrix, the catalogue, and who each row is. */
export interface TrainingSet {
  data: TrainingData;
  catalogue: Map<number, Anime>;
  /** Row → store user id. */
  storeUserIds: Int32Array;
}

const PLAN_TO_WATCH = LIST_STATUSES.indexOf('plan_to_watch') + 1;

/**
 * Reads the store into a training set. Titles a user only *plans* to watch are left out: they
 * say what the user expects to like, not what they watched, and counting them as positives
 * teaches the models to echo hype. The item vocabulary is the whole catalogue, so titles nobody
 * rated yet can still be recommended by the content model.
 */
export async function loadTrainingSet(store: Store): Promise<TrainingSet> {
  const columns = await store.allInteractions();
  const keep: number[] = [];
  for (let e = 0; e < columns.length; e++) if (columns.statuses[e] !== PLAN_TO_WATCH) keep.push(e);
  const pick = <T extends Int32Array | Int8Array>(array: T, make: (n: number) => T): T => {
    if (keep.length === columns.length) return array.subarray(0, columns.length) as T;
    const out = make(keep.length);
    keep.forEach((e, i) => (out[i] = array[e]!));
    return out;
  };
  const anime = await store.listAnime();
  const catalogue = new Map(anime.map((a) => [a.animeId, a]));
  const { data, userKeys } = buildTrainingData(
    pick(columns.userIds, (n) => new Int32Array(n)),
    pick(columns.animeIds, (n) => new Int32Array(n)),
    pick(columns.scores, (n) => new Int8Array(n)),
    catalogue.keys(),
  );
  return { data, catalogue, storeUserIds: userKeys };
}
