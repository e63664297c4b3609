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
 * Neighbour search over every user's list, from a snapshot of the store taken when the model was
 * loaded (the next model swap refreshes it). Vectors weight each title by how much the user liked
 * it (likeWeight) times an IDF, so sharing Death Note says less than sharing an obscure OVA.
 * Scoring walks the query's titles through an item → users index: cost is the number of list
 * entries of those titles, not the number of users.
 */
export class UserIndex {
  private readonly userIds: Int32Array;
  private readonly norms: Float32Array;
  /** Item (anime id) → parallel arrays of user positions and weights. */
  private readonly byItem = new Map<number, { users: number[]; weights: number[] }>();
  private readonly idf = new Map<number, number>();

  constructor(columns: InteractionColumns) {
    const counts = new Map<number, number>();
    const users: number[] = [];
    for (let e = 0; e < columns.length; e++) {
      counts.set(columns.animeIds[e]!, (counts.get(columns.animeIds[e]!) ?? 0) + 1);
      if (e === 0 || columns.userIds[e] !== columns.userIds[e - 1]) users.push(columns.userIds[e]!);
    }
    for (const [id, c] of counts) this.idf.set(id, Math.log((users.length + 1) / (c + 1)) + 0.1);
    this.userIds = Int32Array.from(users);
    this.norms = new Float32Array(users.length);
    let start = 0;
    let position = 0;
    for (let e = 0; e <= columns.length; e++) {
      if (e < columns.length && (e === start || columns.userIds[e] === columns.userIds[start])) continue;
      if (e === start) break; // no interactions at all
      const entries: HistoryEntry[] = [];
      for (let j = start; j < e; j++) {
        const status = columns.statuses[j]! > 0 ? LIST_STATUSES[columns.statuses[j]! - 1]! : null;
        entries.push({ animeId: columns.animeIds[j]!, score: columns.scores[j]! > 0 ? columns.scores[j]! : null, status });
      }
      let norm = 0;
      for (const [animeId, w] of this.vector(entries)) {
        let list = this.byItem.get(animeId);
        if (list === undefined) this.byItem.set(animeId, (list = { users: [], weights: [] }));
        list.users.push(position);
        list.weights.push(w);
        norm += w * w;
      }
      this.norms[position] = Math.sqrt(norm);
      position++;
      start = e;
    }
  }

  get size(): number {
    return this.userIds.length;
  }

  private vector(entries: readonly HistoryEntry[]): Map<number, number> {
    const mean = meanOf(entries);
    const out = new Map<number, number>();
    for (const e of entries) {
      const w = likeWeight(e, mean) * (this.idf.get(e.animeId) ?? 1);
      if (w !== 0) out.set(e.animeId, w);
    }
    return out;
  }

  /** The k users whose lists are most like `entries`, leaving out `excludeUserId` (the user asking). */
  similar(entries: readonly HistoryEntry[], k: number, excludeUserId: number | null): SimilarUser[] {
    const query = this.vector(entries);
    let queryNorm = 0;
    for (const w of query.values()) queryNorm += w * w;
    queryNorm = Math.sqrt(queryNorm);
    if (queryNorm === 0) return [];
    const dots = new Float64Array(this.userIds.length);
    const shared = new Int32Array(this.userIds.length);
    const contributions = new Map<number, { animeId: number; c: number }[]>();
    for (const [animeId, w] of query) {
      const list = this.byItem.get(animeId);
      if (list === undefined) continue;
      for (let j = 0; j < list.users.length; j++) {
        dots[list.users[j]!]! += w * list.weights[j]!;
        shared[list.users[j]!]!++;
      }
    }
    // The k best by (similarity desc, position asc), kept sorted while scanning: a total order,
    // so this is exactly the head of the fully sorted list, without sorting every user.
    const top: { position: number; s: number }[] = [];
    const want = Math.max(0, k);
    for (let p = 0; p < dots.length; p++) {
      if (dots[p]! <= 0 || this.userIds[p] === excludeUserId) continue;
      // Significance weighting (Herlocker et al. 1999): two lists sharing one title can have a high
      // cosine by chance; shared / (shared + 5) discounts that.
      const s = (dots[p]! / (queryNorm * this.norms[p]!)) * (shared[p]! / (shared[p]! + 5));
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
      const list = this.byItem.get(animeId);
      if (list === undefined) continue;
      for (let j = 0; j < list.users.length; j++) {
        const bucket = contributions.get(list.users[j]!);
        if (bucket !== undefined && list.weights[j]! > 0) bucket.push({ animeId, c: w * list.weights[j]! });
      }
    }
    return top.map(({ position, s }) => ({
      userId: this.userIds[position]!,
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
