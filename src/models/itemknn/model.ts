import { join } from 'node:path';
import { readArray, registerModelKind, writeArray, writeManifest } from '../artifacts.js';
import { entryWeight, meanScore } from '../sparse.js';
import type { History, Recommender } from '../types.js';
import type { ItemKnnParams } from './params.js';

/**
 * Item-based k-nearest-neighbours (Sarwar et al. 2001; Deshpande & Karypis 2004): a user's list
 * votes for each listed title's most similar titles, similarity being shrunk cosine over the users
 * who listed both. Cheap, transparent ("because you liked X") and a strong baseline.
 */
export class ItemKnnRecommender implements Recommender {
  readonly kind = 'itemknn';

  constructor(
    readonly nItems: number,
    /** 1 for items with enough training interactions to be scored, else 0 (cold / too rare). */
    readonly known: Uint8Array,
    /** CSR over items, length nItems + 1; each row sorted by similarity, highest first. */
    readonly neighbourIndptr: Int32Array,
    readonly neighbourIndices: Int32Array,
    readonly neighbourWeights: Float32Array,
    readonly params: ItemKnnParams,
  ) {}

  scoreFoldIn(history: History, out: Float32Array): void {
    const { known, neighbourIndptr: ptr, neighbourIndices: idx, neighbourWeights: sim } = this;
    for (let i = 0; i < this.nItems; i++) out[i] = known[i] === 1 ? 0 : -Infinity;
    const mean = this.params.weighting === 'score' ? meanScore(history.scores, 0, history.scores.length) : 0;
    for (let h = 0; h < history.items.length; h++) {
      const item = history.items[h]!;
      if (item < 0 || item >= this.nItems) continue;
      const w = entryWeight(history.scores[h]!, mean, this.params.weighting);
      for (let e = ptr[item]!; e < ptr[item + 1]!; e++) out[idx[e]!]! += w * sim[e]!;
    }
  }

  /** The `k` items most similar to `item`, best first (never the item itself). */
  similarItems(item: number, k: number): { items: Int32Array; scores: Float32Array } {
    if (item < 0 || item >= this.nItems) return { items: new Int32Array(0), scores: new Float32Array(0) };
    const start = this.neighbourIndptr[item]!;
    const end = Math.min(this.neighbourIndptr[item + 1]!, start + Math.max(0, k));
    return { items: this.neighbourIndices.subarray(start, end), scores: this.neighbourWeights.subarray(start, end) };
  }

  async save(dir: string): Promise<void> {
    writeArray(join(dir, 'known.bin'), this.known);
    writeArray(join(dir, 'neighbour-indptr.bin'), this.neighbourIndptr);
    writeArray(join(dir, 'neighbour-indices.bin'), this.neighbourIndices);
    writeArray(join(dir, 'neighbour-weights.bin'), this.neighbourWeights);
    writeManifest(dir, { kind: this.kind, formatVersion: 1, params: this.params, nItems: this.nItems });
  }
}

registerModelKind('itemknn', (dir, manifest) => {
  return new ItemKnnRecommender(
    manifest.nItems as number,
    readArray(join(dir, 'known.bin'), Uint8Array),
    readArray(join(dir, 'neighbour-indptr.bin'), Int32Array),
    readArray(join(dir, 'neighbour-indices.bin'), Int32Array),
    readArray(join(dir, 'neighbour-weights.bin'), Float32Array),
    manifest.params as ItemKnnParams,
  );
});
