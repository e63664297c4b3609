import { topK } from '../top-k.js';
import type { History, Recommender } from '../types.js';
import type { BaseView } from './features.js';

/** A base recommender inside the hybrid, and how many of its top items become candidates. */
export interface HybridComponent {
  name: string;
  model: Recommender;
  candidates: number;
}

/**
 * First stage of the hybrid: every component scores all items for the user and proposes its top
 * items; the union (history excluded) is what the ranker re-orders.
 */
export class CandidateGenerator {
  readonly nItems: number;

  constructor(readonly components: readonly HybridComponent[]) {
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
    const mask = new Uint8Array(this.nItems);
    for (const item of history.items) mask[item] = 1;
    const views: BaseView[] = [];
    const seen = new Uint8Array(this.nItems);
    const union: number[] = [];
    for (const component of this.components) {
      const scores = new Float32Array(this.nItems);
      component.model.scoreFoldIn(history, scores);
      const top = topK(scores, component.candidates, mask);
      views.push({ scores, top });
      for (const item of top) {
        if (seen[item] === 0) {
          seen[item] = 1;
          union.push(item);
        }
      }
    }
    return { views, candidates: Int32Array.from(union) };
  }
}
