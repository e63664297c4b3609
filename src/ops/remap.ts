import type { ModelBundle } from '../models/bundle.js';
import type { History, Recommender } from '../models/types.js';

/**
 * Presents a trained bundle in another item vocabulary (the current data's). Production was
 * trained when the catalogue may have been smaller or ordered differently, and the gate must
 * score it on the same held-out users, in the same item space, as the fresh candidate.
 * Titles production never saw get -Infinity (it cannot recommend them), which evaluation skips.
 */
export function remapRecommender(bundle: ModelBundle, itemIds: Int32Array): Recommender {
  const toBundle = Int32Array.from(itemIds, (id) => bundle.itemIndex.get(id) ?? -1);
  const inner = bundle.recommender;
  const buffer = new Float32Array(inner.nItems);
  return {
    kind: inner.kind,
    nItems: itemIds.length,
    scoreFoldIn(history: History, out: Float32Array): void {
      const items: number[] = [];
      const scores: number[] = [];
      for (let e = 0; e < history.items.length; e++) {
        const mapped = toBundle[history.items[e]!]!;
        if (mapped < 0) continue;
        items.push(mapped);
        scores.push(history.scores[e]!);
      }
      if (items.length === 0) {
        // Same fallback as serving: a user the model knows nothing about gets popularity.
        buffer.set(bundle.popularity);
      } else {
        buffer.fill(0);
        inner.scoreFoldIn({ items: Int32Array.from(items), scores: Float32Array.from(scores) }, buffer);
      }
      for (let i = 0; i < out.length; i++) {
        const j = toBundle[i]!;
        out[i] = j < 0 ? -Infinity : buffer[j]!;
      }
    },
    async save(): Promise<void> {
      throw new Error('remapRecommender: a remapped view is for evaluation only; save the original bundle instead.');
    },
  };
}
