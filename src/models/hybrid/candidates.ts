import { topKIndices } from '../top-k.js';
import type { History, Recommender } from '../types.js';
import type { BaseView } from './features.js';

/** A base recommender inside the hybrid, and how many of its top items become candidates. */
export interface HybridComponent {
  name: string;
  model: Recommender;
  candidates: number;
  /**
   * How many of its best titles nobody rated it also proposes (0 or absent: none). Rated titles
   * fill a component's top list even when it can judge unrated ones (the two-tower model's ID
   * embeddings lift rated titles), so without a share of their own unrated titles are rarely
   * candidates, and the ranker rarely sees one among its positives.
   */
  unratedCandidates?: number;
}

/**
 * First stage of the hybrid: every component scores all items for the user and proposes its top
 * items; the union (history excluded) is what the ranker re-orders.
 */
export class CandidateGenerator {
  readonly nItems: number;

  /** `unrated`: 1 for titles without training interactions (see unratedItems); null: no unrated shares. */
  constructor(
    readonly components: readonly HybridComponent[],
    private readonly unrated: Uint8Array | null = null,
  ) {
    if (components.length === 0) throw new Error('the hybrid needs at least one component');
    this.nItems = components[0]!.model.nItems;
    for (const c of components) {
      if (c.model.nItems !== this.nItems) throw new Error(`component ${c.name} has ${c.model.nItems} items, expected ${this.nItems}`);
    }
  }

  get names(): string[] {
    return this.components.map((c) => c.name);
  }

  generate(history: History): { views: BaseView[]; candidates: Int32Array } {
    return this.generateWith(history, false, undefined);
  }

  /**
   * `generate` for serving: the views' score arrays are this generator's own buffers, reused
   * (and overwritten) by the next call, so a request allocates no catalogue-sized arrays. Use
   * the result before calling again.
   */
  generateReusing(history: History, eligible?: Uint8Array): { views: BaseView[]; candidates: Int32Array } {
    return this.generateWith(history, true, eligible);
  }

  private buffers: { scores: Float32Array[]; masked: Float32Array; seen: Uint8Array } | null = null;

  /**
   * With `eligible`, each component proposes its best eligible items instead of its best items,
   * but its `top` list (which the ranker's rank features read) stays the unfiltered one: an item's
   * features, and so its ranker score, do not depend on the filter, and a filtered ranking orders
   * the titles it shares with the unfiltered one the same way.
   */
  private generateWith(history: History, reuse: boolean, eligible: Uint8Array | undefined): { views: BaseView[]; candidates: Int32Array } {
    const buffers = reuse
      ? (this.buffers ??= {
          scores: this.components.map(() => new Float32Array(this.nItems)),
          masked: new Float32Array(this.nItems),
          seen: new Uint8Array(this.nItems),
        })
      : { scores: null, masked: new Float32Array(this.nItems), seen: new Uint8Array(this.nItems) };
    const { masked, seen } = buffers;
    const views: BaseView[] = [];
    const union: number[] = [];
    this.components.forEach((component, c) => {
      const scores = buffers.scores?.[c] ?? new Float32Array(this.nItems);
      component.model.scoreFoldIn(history, scores);
      // The history is excluded from the top list (what topK with a history mask does).
      masked.set(scores);
      for (const item of history.items) masked[item] = -Infinity;
      const top = topKIndices(masked, component.candidates).slice();
      views.push({ scores, top });
      let proposed: Int32Array<ArrayBufferLike> = top;
      if (eligible !== undefined) {
        for (let i = 0; i < this.nItems; i++) if (eligible[i] === 0) masked[i] = -Infinity;
        proposed = topKIndices(masked, component.candidates);
      }
      const unratedShare = this.unrated !== null ? (component.unratedCandidates ?? 0) : 0;
      if (unratedShare > 0) {
        const unrated = this.unrated!;
        for (let i = 0; i < this.nItems; i++) if (unrated[i] === 0) masked[i] = -Infinity;
        const extra = topKIndices(masked, unratedShare);
        const both = new Int32Array(proposed.length + extra.length);
        both.set(proposed);
        both.set(extra, proposed.length);
        proposed = both;
      }
      for (const item of proposed) {
        if (seen[item] === 0) {
          seen[item] = 1;
          union.push(item);
        }
      }
    });
    for (const item of union) seen[item] = 0;
    return { views, candidates: Int32Array.from(union) };
  }
}

/** 1 for the items the ranker's facts say nobody listed in training (logCount 0). */
export function unratedItems(logCount: Float32Array): Uint8Array {
  return Uint8Array.from(logCount, (c) => (c === 0 ? 1 : 0));
}
