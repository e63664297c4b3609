import type { Anime } from '../../data/types.js';
import { buildItemFeatures, type FeatureMatrix } from '../../models/content/item-features.js';
import type { History, Recommender } from '../../models/types.js';

/**
 * The baselines every cold-title table carries. None of them reads an interaction of the training
 * data, so none can be hurt (or helped) by removing the cold titles' ratings: they set the bar a
 * feature-aware model has to clear. They live here rather than in src/models/ because they exist
 * to measure, not to serve (the serving code has its own tag matching in src/recommend/).
 */

abstract class EvalOnlyRecommender implements Recommender {
  abstract readonly kind: string;
  abstract readonly nItems: number;
  abstract scoreFoldIn(history: History, out: Float32Array): void;
  async save(): Promise<void> {
    throw new Error(`${this.kind} is an evaluation baseline and is not saved; train a model with \`anirec train\` to serve it`);
  }
}

/** log(1 + members) per item from the catalogue, NaN where the member count is unknown. */
export function logMembersByItem(itemIds: Int32Array, catalogue: ReadonlyMap<number, Anime>): Float64Array {
  return Float64Array.from(itemIds, (id) => {
    const members = catalogue.get(id)?.members;
    return members != null && members >= 0 ? Math.log1p(members) : Number.NaN;
  });
}

/** The same list for everyone: most catalogue members first. Titles with no member count cannot be ranked. */
export class MembersPopularityRecommender extends EvalOnlyRecommender {
  readonly kind = 'members-popularity';
  readonly nItems: number;
  constructor(readonly logMembers: Float64Array) {
    super();
    this.nItems = logMembers.length;
  }
  scoreFoldIn(_history: History, out: Float32Array): void {
    for (let i = 0; i < this.nItems; i++) {
      const v = this.logMembers[i]!;
      out[i] = Number.isNaN(v) ? -Infinity : v;
    }
  }
}

/** Feature matrix of genres, themes, demographics and studios only (IDF-weighted, rows L2-normalised). */
export function tagFeatures(itemIds: Int32Array, catalogue: ReadonlyMap<number, Anime>): FeatureMatrix {
  return buildItemFeatures(
    Array.from(itemIds, (id) => catalogue.get(id)),
    // Format, era, source and length are not tags; a profile of them would be a different baseline.
    { sourceWeight: 0, formatWeight: 0, eraWeight: 0, episodesWeight: 0 },
  );
}

/**
 * How much a history title counts in the user's tag profile: the taste profile's like weight
 * (src/recommend/taste-profile.ts) with dislikes dropped instead of subtracted, since the profile
 * is "what the user liked". Listed without a score counts half.
 */
export function profileWeight(score: number, userMean: number): number {
  if (!(score > 0)) return 0.5;
  if (score <= 4 || score < userMean - 2) return 0;
  return Math.max(0.1, 1 + (score - userMean) / 2);
}

/**
 * Cosine between the user's weighted tag profile (Σ weight · title vector over the history) and
 * every title's tag vector. Titles without tags cannot be ranked; a user with no liked tagged
 * title gets 0 everywhere.
 */
export class TagProfileRecommender extends EvalOnlyRecommender {
  readonly kind = 'tag-profile';
  readonly nItems: number;
  private readonly profile: Float64Array;
  constructor(readonly features: FeatureMatrix) {
    super();
    this.nItems = features.nRows;
    this.profile = new Float64Array(features.vocabulary.length);
  }

  scoreFoldIn(history: History, out: Float32Array): void {
    const { indptr, indices, values } = this.features;
    const profile = this.profile.fill(0);
    let sum = 0;
    let scored = 0;
    for (let h = 0; h < history.scores.length; h++) {
      if (history.scores[h]! > 0) {
        sum += history.scores[h]!;
        scored++;
      }
    }
    const mean = scored > 0 ? sum / scored : 7;
    for (let h = 0; h < history.items.length; h++) {
      const item = history.items[h]!;
      if (item < 0 || item >= this.nItems) continue;
      const w = profileWeight(history.scores[h]!, mean);
      if (w === 0) continue;
      for (let e = indptr[item]!; e < indptr[item + 1]!; e++) profile[indices[e]!]! += w * values[e]!;
    }
    let norm = 0;
    for (let t = 0; t < profile.length; t++) norm += profile[t]! * profile[t]!;
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let i = 0; i < this.nItems; i++) {
      if (indptr[i] === indptr[i + 1]) {
        out[i] = -Infinity;
        continue;
      }
      let dot = 0;
      for (let e = indptr[i]!; e < indptr[i + 1]!; e++) dot += profile[indices[e]!]! * values[e]!;
      out[i] = dot * scale;
    }
  }
}

/**
 * weight · popularity + (1 − weight) · tag cosine, both on [0, 1]: popularity is log(1 + members)
 * divided by the largest one in the catalogue. An unknown part counts 0; a title neither part can
 * judge cannot be ranked. Weight 1 ranks as members popularity and weight 0 as the tag profile,
 * except that a title one of them cannot judge comes after every title it can instead of never.
 */
export class BlendRecommender extends EvalOnlyRecommender {
  readonly kind = 'blend';
  readonly nItems: number;
  /** log(1 + members) / the catalogue's largest, -Infinity where unknown. */
  readonly popularity: Float32Array;
  private readonly tags: Float32Array;
  constructor(
    readonly members: MembersPopularityRecommender,
    readonly tagProfile: TagProfileRecommender,
    readonly weight: number,
  ) {
    super();
    if (!(weight >= 0 && weight <= 1)) throw new RangeError(`blend weight must be in [0, 1], got ${weight}`);
    if (members.nItems !== tagProfile.nItems) throw new RangeError('blend: the two baselines disagree on the number of items');
    this.nItems = members.nItems;
    let max = 0;
    for (const v of members.logMembers) if (v > max) max = v;
    this.popularity = Float32Array.from(members.logMembers, (v) => (Number.isNaN(v) ? -Infinity : max > 0 ? v / max : 0));
    this.tags = new Float32Array(this.nItems);
  }

  /** A blend sharing this one's normalised popularity, with another weight (for tuning). */
  withWeight(weight: number): BlendRecommender {
    return new BlendRecommender(this.members, this.tagProfile, weight);
  }

  scoreFoldIn(history: History, out: Float32Array): void {
    this.tagProfile.scoreFoldIn(history, this.tags);
    blendInto(this.popularity, this.tags, this.weight, out);
  }
}

/** out = w·popularity + (1 − w)·tags, with -Infinity parts counting 0 unless both are -Infinity. */
export function blendInto(popularity: Float32Array, tags: Float32Array, weight: number, out: Float32Array): void {
  for (let i = 0; i < out.length; i++) {
    const p = popularity[i]!;
    const t = tags[i]!;
    if (p === -Infinity && t === -Infinity) out[i] = -Infinity;
    else out[i] = weight * (p === -Infinity ? 0 : p) + (1 - weight) * (t === -Infinity ? 0 : t);
  }
}
