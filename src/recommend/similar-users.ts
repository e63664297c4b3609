import type { InteractionColumns } from '../store/index.js';
import { LIST_STATUSES } from '../data/types.js';
import { likeWeight, meanOf, type HistoryEntry } from './taste-profile.js';

export interface SimilarUser {
  userId: number;
  /** Cosine similarity of the two lists (like-weighted, rare titles count more), 0..1. */
  similarity: number;
  sharedTitles: number;
  /** Titles both users liked most, best first. */
  sharedFavourites: number[];
}

/**
 * The neighbour index as flat typed arrays: built wherever the interactions are read (a worker
 * thread, see store-snapshot.ts) and handed over without copying, and a few arrays instead of
 * a million small JS values keep the serving heap small for the garbage collector.
 */
export interface UserIndexData {
  /** Position → store user id. */
  userIds: Int32Array;
  /** Position → norm of the user's weighted vector. */
  norms: Float32Array;
  /** Slot → anime id: every title anyone listed. */
  slotAnimeIds: Int32Array;
  /** Slot → the title's IDF. */
  idf: Float64Array;
  /** Slot s's entries are users[ptr[s]] … users[ptr[s + 1] - 1] (positions, ascending) with their weights. */
  ptr: Int32Array;
  users: Int32Array;
  weights: Float64Array;
}

/** Weighted vector of one list: title → likeWeight × IDF, zero weights left out. */
function vectorOf(entries: readonly HistoryEntry[], idfOf: (animeId: number) => number | undefined): Map<number, number> {
  const mean = meanOf(entries);
  const out = new Map<number, number>();
  for (const e of entries) {
    const w = likeWeight(e, mean) * (idfOf(e.animeId) ?? 1);
    if (w !== 0) out.set(e.animeId, w);
  }
  return out;
}

/** Builds the index from every interaction (ordered by user, as the store returns them). */
export function buildUserIndexData(columns: InteractionColumns): UserIndexData {
  const counts = new Map<number, number>();
  const users: number[] = [];
  for (let e = 0; e < columns.length; e++) {
    counts.set(columns.animeIds[e]!, (counts.get(columns.animeIds[e]!) ?? 0) + 1);
    if (e === 0 || columns.userIds[e] !== columns.userIds[e - 1]) users.push(columns.userIds[e]!);
  }
  const slotOf = new Map<number, number>();
  const slotAnimeIds = new Int32Array(counts.size);
  const idf = new Float64Array(counts.size);
  for (const [id, c] of counts) {
    const slot = slotOf.size;
    slotOf.set(id, slot);
    slotAnimeIds[slot] = id;
    idf[slot] = Math.log((users.length + 1) / (c + 1)) + 0.1;
  }
  const idfOf = (animeId: number): number | undefined => {
    const slot = slotOf.get(animeId);
    return slot === undefined ? undefined : idf[slot];
  };
  // Every weighted entry as (slot, position, weight) in user order, then grouped by slot with a
  // stable counting sort, so each slot's positions stay ascending.
  const entrySlot = new Int32Array(columns.length);
  const entryUser = new Int32Array(columns.length);
  const entryWeight = new Float64Array(columns.length);
  let nnz = 0;
  const norms = new Float32Array(users.length);
  let start = 0;
  let position = 0;
  // One list at a time through reused entry objects: half a million short-lived objects would
  // keep the garbage collector's helper threads busy, and those compete with the event loop.
  const pool: HistoryEntry[] = [];
  const entries: HistoryEntry[] = [];
  for (let e = 0; e <= columns.length; e++) {
    if (e < columns.length && (e === start || columns.userIds[e] === columns.userIds[start])) continue;
    if (e === start) break; // no interactions at all
    entries.length = 0;
    for (let j = start; j < e; j++) {
      const entry = (pool[j - start] ??= { animeId: 0, score: null, status: null });
      entry.animeId = columns.animeIds[j]!;
      entry.score = columns.scores[j]! > 0 ? columns.scores[j]! : null;
      entry.status = columns.statuses[j]! > 0 ? LIST_STATUSES[columns.statuses[j]! - 1]! : null;
      entries.push(entry);
    }
    let norm = 0;
    for (const [animeId, w] of vectorOf(entries, idfOf)) {
      entrySlot[nnz] = slotOf.get(animeId)!;
      entryUser[nnz] = position;
      entryWeight[nnz] = w;
      nnz++;
      norm += w * w;
    }
    norms[position] = Math.sqrt(norm);
    position++;
    start = e;
  }
  const ptr = new Int32Array(counts.size + 1);
  for (let i = 0; i < nnz; i++) ptr[entrySlot[i]! + 1]!++;
  for (let s = 0; s < counts.size; s++) ptr[s + 1]! += ptr[s]!;
  const fill = ptr.slice(0, counts.size);
  const postingUsers = new Int32Array(nnz);
  const postingWeights = new Float64Array(nnz);
  for (let i = 0; i < nnz; i++) {
    const at = fill[entrySlot[i]!]!++;
    postingUsers[at] = entryUser[i]!;
    postingWeights[at] = entryWeight[i]!;
  }
  return { userIds: Int32Array.from(users), norms, slotAnimeIds, idf, ptr, users: postingUsers, weights: postingWeights };
}

/** The arrays of `data`, for a worker's transfer list. */
export function userIndexBuffers(data: UserIndexData): ArrayBuffer[] {
  return [data.userIds, data.norms, data.slotAnimeIds, data.idf, data.ptr, data.users, data.weights].map((a) => a.buffer as ArrayBuffer);
}

/**
 * Neighbour search over every user's list, from a snapshot of the store taken when the model was
 * loaded (the next model swap refreshes it). Vectors weight each title by how much the user liked
 * it (likeWeight) times an IDF, so sharing Death Note says less than sharing an obscure OVA.
 * Scoring walks the query's titles through an item → users index: cost is the number of list
 * entries of those titles, not the number of users.
 */
export class UserIndex {
  private readonly data: UserIndexData;
  /** Anime id → slot in `data`. */
  private readonly slotOf: Map<number, number>;

  /** From the interactions (built here), or from data a worker built (`buildUserIndexData`). */
  constructor(source: InteractionColumns | UserIndexData) {
    this.data = 'slotAnimeIds' in source ? source : buildUserIndexData(source);
    const ids = this.data.slotAnimeIds;
    this.slotOf = new Map();
    for (let s = 0; s < ids.length; s++) this.slotOf.set(ids[s]!, s);
  }

  get size(): number {
    return this.data.userIds.length;
  }

  private vector(entries: readonly HistoryEntry[]): Map<number, number> {
    return vectorOf(entries, (animeId) => {
      const slot = this.slotOf.get(animeId);
      return slot === undefined ? undefined : this.data.idf[slot];
    });
  }

  /** The k users whose lists are most like `entries`, leaving out `excludeUserId` (the user asking). */
  similar(entries: readonly HistoryEntry[], k: number, excludeUserId: number | null): SimilarUser[] {
    const query = this.vector(entries);
    let queryNorm = 0;
    for (const w of query.values()) queryNorm += w * w;
    queryNorm = Math.sqrt(queryNorm);
    if (queryNorm === 0) return [];
    const { userIds, norms, ptr, users, weights } = this.data;
    const dots = new Float64Array(userIds.length);
    const shared = new Int32Array(userIds.length);
    const contributions = new Map<number, { animeId: number; c: number }[]>();
    for (const [animeId, w] of query) {
      const slot = this.slotOf.get(animeId);
      if (slot === undefined) continue;
      for (let j = ptr[slot]!; j < ptr[slot + 1]!; j++) {
        dots[users[j]!]! += w * weights[j]!;
        shared[users[j]!]!++;
      }
    }
    // The k best by (similarity desc, position asc), kept sorted while scanning: a total order,
    // so this is exactly the head of the fully sorted list, without sorting every user.
    const top: { position: number; s: number }[] = [];
    const want = Math.max(0, k);
    for (let p = 0; p < dots.length; p++) {
      if (dots[p]! <= 0 || userIds[p] === excludeUserId) continue;
      // Significance weighting (Herlocker et al. 1999): two lists sharing one title can have a high
      // cosine by chance; shared / (shared + 5) discounts that.
      const s = (dots[p]! / (queryNorm * norms[p]!)) * (shared[p]! / (shared[p]! + 5));
      // Positions ascend, so a later user only displaces one with a strictly lower similarity.
      if (want === 0 || (top.length === want && !(s > top[want - 1]!.s))) continue;
      let at = top.length;
      while (at > 0 && s > top[at - 1]!.s) at--;
      top.splice(at, 0, { position: p, s });
      if (top.length > want) top.pop();
    }
    // Shared favourites only for the returned users: titles where both weights are high.
    for (const { position } of top) contributions.set(position, []);
    for (const [animeId, w] of query) {
      if (w <= 0) continue;
      const slot = this.slotOf.get(animeId);
      if (slot === undefined) continue;
      for (let j = ptr[slot]!; j < ptr[slot + 1]!; j++) {
        const bucket = contributions.get(users[j]!);
        if (bucket !== undefined && weights[j]! > 0) bucket.push({ animeId, c: w * weights[j]! });
      }
    }
    return top.map(({ position, s }) => ({
      userId: userIds[position]!,
      similarity: Math.min(1, s),
      sharedTitles: shared[position]!,
      sharedFavourites: contributions
        .get(position)!
        .sort((a, b) => b.c - a.c)
        .slice(0, 5)
        .map((x) => x.animeId),
    }));
  }
}
