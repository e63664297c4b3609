import { join } from 'node:path';
import { readArray, registerModelKind, writeArray, writeManifest } from '../artifacts.js';
import type { History, Recommender } from '../types.js';
import { DEFAULT_CONTENT_PARAMS, type ContentParams } from './params.js';

/** How much one history title pulls (positive) or pushes (negative) its content neighbours. */
export function contentHistoryWeight(score: number, userMean: number, p: ContentParams): number {
  if (!(score > 0)) return p.listedWeight;
  if (score <= p.dislikeThreshold) {
    return -p.dislikeWeight * ((p.dislikeThreshold + 1 - score) / p.dislikeThreshold);
  }
  if (!p.scoreCentering) return score / 10;
  return Math.max(0.1, 1 + (score - userMean) / 2);
}

/**
 * Content-based recommender: item-item similarity from what titles are (metadata) and what they
 * are about (synopsis), with no interactions needed, so titles nobody has rated yet can still be
 * recommended. Like item-kNN, but the neighbour lists come from content: training precomputes the
 * top-`neighbours` most similar titles of every item, and fold-in sums the neighbour rows of the
 * user's history weighted by how much they liked each title.
 *
 * Synopsis vectors: the cached Universal Sentence Encoder Lite vector when the cache holds one
 * for this exact synopsis (hash match), otherwise TF-IDF. Training never runs the encoder: the
 * encoder takes a noticeable fraction of a second per synopsis, so a catalogue with thousands of
 * new synopses would make training take minutes; TF-IDF is instant and `scripts/embed-synopses.mts` refreshes the
 * cache offline. USE and TF-IDF vectors live in different spaces, so a pair of titles only gets a
 * text similarity when both have the same kind of vector; otherwise their similarity is
 * metadata-only.
 *
 * Training cost is about half the synopsis cosine matrix over the cached vectors (int8, worker
 * threads, see gram.ts) and half the neighbour scan (docs/benchmarks.md has the times). Fold-in
 * is a sum over ≤ `neighbours` entries per history title.
 */
export class ContentRecommender implements Recommender {
  readonly kind = 'content';

  constructor(
    readonly nItems: number,
    readonly params: ContentParams,
    /** Neighbour CSR: row i lists item i's most similar items, best first. */
    readonly indptr: Int32Array,
    readonly indices: Int32Array,
    readonly sims: Float32Array,
    /** 1 when the item has any content feature (metadata or synopsis), else 0. */
    readonly hasFeatures: Uint8Array,
    readonly stats: Record<string, number> = {},
  ) {}

  scoreFoldIn(history: History, out: Float32Array): void {
    const p = this.params;
    let sum = 0;
    let scored = 0;
    for (let h = 0; h < history.items.length; h++) {
      const s = history.scores[h]!;
      if (s > 0) {
        sum += s;
        scored++;
      }
    }
    const mean = scored > 0 ? sum / scored : 0;
    for (let i = 0; i < this.nItems; i++) out[i] = this.hasFeatures[i] === 1 ? 0 : -Infinity;
    let totalWeight = 0;
    const contributions: [number, number][] = [];
    for (let h = 0; h < history.items.length; h++) {
      const item = history.items[h]!;
      if (item < 0 || item >= this.nItems || this.hasFeatures[item] !== 1) continue;
      const w = contentHistoryWeight(history.scores[h]!, mean, p);
      if (w === 0) continue;
      totalWeight += Math.abs(w);
      contributions.push([item, w]);
    }
    if (totalWeight === 0) return;
    // Dividing by Σ|w| keeps scores a weighted mean similarity, comparable across history lengths.
    for (const [item, w] of contributions) {
      const scaled = w / totalWeight;
      for (let e = this.indptr[item]!; e < this.indptr[item + 1]!; e++) {
        out[this.indices[e]!]! += scaled * this.sims[e]!;
      }
    }
  }

  /** "More like this": up to k most content-similar items to `item`, best first. */
  similarItems(item: number, k: number): { items: Int32Array; scores: Float32Array } {
    if (item < 0 || item >= this.nItems) return { items: new Int32Array(0), scores: new Float32Array(0) };
    const start = this.indptr[item]!;
    const end = Math.min(this.indptr[item + 1]!, start + Math.max(0, k));
    return { items: this.indices.subarray(start, end), scores: this.sims.subarray(start, end) };
  }

  async save(dir: string): Promise<void> {
    writeArray(join(dir, 'neighbour-indptr.bin'), this.indptr);
    writeArray(join(dir, 'neighbour-indices.bin'), this.indices);
    writeArray(join(dir, 'neighbour-sims.bin'), this.sims);
    writeArray(join(dir, 'has-features.bin'), this.hasFeatures);
    writeManifest(dir, { kind: this.kind, formatVersion: 1, params: this.params, nItems: this.nItems, stats: this.stats });
  }
}

registerModelKind('content', (dir, manifest) => {
  const params = { ...DEFAULT_CONTENT_PARAMS, ...(manifest.params as Partial<ContentParams>) };
  return new ContentRecommender(
    manifest.nItems as number,
    params,
    readArray(join(dir, 'neighbour-indptr.bin'), Int32Array),
    readArray(join(dir, 'neighbour-indices.bin'), Int32Array),
    readArray(join(dir, 'neighbour-sims.bin'), Float32Array),
    readArray(join(dir, 'has-features.bin'), Uint8Array),
    (manifest.stats as Record<string, number> | undefined) ?? {},
  );
});
