import { join } from 'node:path';
import { readArray, registerModelKind, writeArray, writeManifest } from '../artifacts.js';
import type { History, Recommender } from '../types.js';
import type { PopularityParams } from './params.js';

/** The floor every other model must beat: the same list for everyone. */
export class PopularityRecommender implements Recommender {
  readonly kind = 'popularity';

  constructor(
    readonly itemScores: Float32Array,
    readonly params: PopularityParams,
  ) {}

  get nItems(): number {
    return this.itemScores.length;
  }

  scoreFoldIn(_history: History, out: Float32Array): void {
    out.set(this.itemScores);
  }

  async save(dir: string): Promise<void> {
    writeArray(join(dir, 'item-scores.bin'), this.itemScores);
    writeManifest(dir, { kind: this.kind, formatVersion: 1, params: this.params });
  }
}

registerModelKind(
  'popularity',
  (dir, manifest) => new PopularityRecommender(readArray(join(dir, 'item-scores.bin'), Float32Array), manifest.params as PopularityParams),
);
