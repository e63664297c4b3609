import type { History } from '../types.js';
import type { ItemStats } from './item-stats.js';

/** One base recommender's view of a user: its score for every item and its own top list. */
export interface BaseView {
  scores: Float32Array;
  /** The model's top candidates for this user, best first (history excluded). */
  top: Int32Array;
}

const PER_BASE_FEATURES = ['score', 'rank', 'zscore'] as const;
const ITEM_FEATURES = [
  'item_log_count',
  'item_bayes_score',
  'item_liked_share',
  'item_unscored_share',
  'item_mal_score',
  'item_log_members',
  'item_format',
  'item_year',
  'item_log_episodes',
] as const;
const USER_FEATURES = ['user_log_history', 'user_mean_score', 'user_unscored_share'] as const;
const PAIR_FEATURES = ['tag_affinity_listed', 'tag_affinity_liked', 'franchise_overlap', 'franchise_score_delta', 'year_distance'] as const;

export function featureNames(baseNames: readonly string[]): string[] {
  return [
    ...baseNames.flatMap((base) => PER_BASE_FEATURES.map((feature) => `${base}_${feature}`)),
    ...ITEM_FEATURES,
    ...USER_FEATURES,
    ...PAIR_FEATURES,
  ];
}

/** What the features need to know about the user, computed once per request. */
interface UserProfile {
  logHistory: number;
  meanScore: number;
  unscoredShare: number;
  /** Tag weights over the listed titles, and over titles weighted by how much the user liked them. */
  tagsListed: Float64Array;
  tagsLiked: Float64Array;
  tagsListedNorm: number;
  tagsLikedNorm: number;
  /** token id → history positions whose title has it. */
  titleTokenOwners: Map<number, number[]>;
  /** Per history position: how the user's score compares with their mean (0 when unscored). */
  scoreDelta: Float32Array;
  meanYear: number;
}

function buildProfile(history: History, stats: ItemStats): UserProfile {
  const nTags = stats.tagNames.length;
  const tagsListed = new Float64Array(nTags);
  const tagsLiked = new Float64Array(nTags);
  let scoreSum = 0;
  let scored = 0;
  for (let h = 0; h < history.items.length; h++) {
    const score = history.scores[h]!;
    if (score > 0) {
      scoreSum += score;
      scored++;
    }
  }
  const meanScore = scored > 0 ? scoreSum / scored : Number.NaN;
  const scoreDelta = new Float32Array(history.items.length);
  const titleTokenOwners = new Map<number, number[]>();
  let yearSum = 0;
  let yearCount = 0;
  for (let h = 0; h < history.items.length; h++) {
    const item = history.items[h]!;
    const score = history.scores[h]!;
    // Unscored titles count as mildly liked: people rarely keep titles they hated unscored.
    const delta = score > 0 ? score - meanScore : 0;
    scoreDelta[h] = delta;
    const likedWeight = score > 0 ? Math.max(0, 1 + delta / 2) : 0.5;
    for (let t = stats.tagPtr[item]!; t < stats.tagPtr[item + 1]!; t++) {
      const tag = stats.tagIds[t]!;
      tagsListed[tag]! += 1;
      tagsLiked[tag]! += likedWeight;
    }
    for (let t = stats.titlePtr[item]!; t < stats.titlePtr[item + 1]!; t++) {
      const token = stats.titleTokens[t]!;
      const owners = titleTokenOwners.get(token);
      if (owners) owners.push(h);
      else titleTokenOwners.set(token, [h]);
    }
    const year = stats.year[item]!;
    if (!Number.isNaN(year)) {
      yearSum += year;
      yearCount++;
    }
  }
  const norm = (v: Float64Array): number => Math.sqrt(v.reduce((sum, x) => sum + x * x, 0)) || 1;
  return {
    logHistory: Math.log1p(history.items.length),
    meanScore,
    unscoredShare: history.items.length > 0 ? 1 - scored / history.items.length : Number.NaN,
    tagsListed,
    tagsLiked,
    tagsListedNorm: norm(tagsListed),
    tagsLikedNorm: norm(tagsLiked),
    titleTokenOwners,
    scoreDelta,
    meanYear: yearCount > 0 ? yearSum / yearCount : Number.NaN,
  };
}

/** Mean and standard deviation of a model's scores over its own top list, for per-user z-scores. */
function topMoments(view: BaseView): [number, number] {
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  for (const item of view.top) {
    const s = view.scores[item]!;
    if (!Number.isFinite(s)) continue;
    sum += s;
    sumSq += s * s;
    n++;
  }
  if (n === 0) return [0, 1];
  const mean = sum / n;
  return [mean, Math.sqrt(Math.max(sumSq / n - mean * mean, 0)) || 1];
}

/**
 * Writes the feature rows for `candidates` (row-major, featureNames(bases) columns) into a new
 * Float32Array. NaN marks a missing value (a candidate outside a model's top list has no rank).
 */
export function buildFeatures(history: History, candidates: Int32Array, views: readonly BaseView[], stats: ItemStats): Float32Array {
  const nFeatures = views.length * PER_BASE_FEATURES.length + ITEM_FEATURES.length + USER_FEATURES.length + PAIR_FEATURES.length;
  const out = new Float32Array(candidates.length * nFeatures);
  const profile = buildProfile(history, stats);

  const ranks = views.map((view) => {
    const rank = new Map<number, number>();
    view.top.forEach((item, position) => rank.set(item, position + 1));
    return rank;
  });
  const moments = views.map(topMoments);
  const sharedTokens = new Map<number, number>();

  for (let c = 0; c < candidates.length; c++) {
    const item = candidates[c]!;
    let f = c * nFeatures;
    for (let v = 0; v < views.length; v++) {
      const score = views[v]!.scores[item]!;
      const finite = Number.isFinite(score);
      const rank = ranks[v]!.get(item);
      out[f++] = finite ? score : Number.NaN;
      out[f++] = rank === undefined ? Number.NaN : Math.log(rank);
      out[f++] = finite ? (score - moments[v]![0]) / moments[v]![1] : Number.NaN;
    }
    out[f++] = stats.logCount[item]!;
    out[f++] = stats.bayesScore[item]!;
    out[f++] = stats.likedShare[item]!;
    out[f++] = stats.unscoredShare[item]!;
    out[f++] = stats.malScore[item]!;
    out[f++] = stats.logMembers[item]!;
    out[f++] = stats.formatCode[item]!;
    out[f++] = stats.year[item]!;
    out[f++] = stats.logEpisodes[item]!;
    out[f++] = profile.logHistory;
    out[f++] = profile.meanScore;
    out[f++] = profile.unscoredShare;

    let listedDot = 0;
    let likedDot = 0;
    const tagStart = stats.tagPtr[item]!;
    const tagEnd = stats.tagPtr[item + 1]!;
    for (let t = tagStart; t < tagEnd; t++) {
      listedDot += profile.tagsListed[stats.tagIds[t]!]!;
      likedDot += profile.tagsLiked[stats.tagIds[t]!]!;
    }
    const itemNorm = Math.sqrt(tagEnd - tagStart) || 1;
    out[f++] = tagEnd > tagStart ? listedDot / (itemNorm * profile.tagsListedNorm) : Number.NaN;
    out[f++] = tagEnd > tagStart ? likedDot / (itemNorm * profile.tagsLikedNorm) : Number.NaN;

    // Franchise: the best title-token Jaccard overlap with anything on the list, and how the
    // user scored that title — a sequel of something they loved is the strongest anime signal.
    sharedTokens.clear();
    const titleStart = stats.titlePtr[item]!;
    const titleEnd = stats.titlePtr[item + 1]!;
    for (let t = titleStart; t < titleEnd; t++) {
      for (const h of profile.titleTokenOwners.get(stats.titleTokens[t]!) ?? []) sharedTokens.set(h, (sharedTokens.get(h) ?? 0) + 1);
    }
    let bestOverlap = 0;
    let bestDelta = Number.NaN;
    for (const [h, shared] of sharedTokens) {
      const other = history.items[h]!;
      const union = titleEnd - titleStart + (stats.titlePtr[other + 1]! - stats.titlePtr[other]!) - shared;
      const overlap = union > 0 ? shared / union : 0;
      if (overlap > bestOverlap) {
        bestOverlap = overlap;
        bestDelta = profile.scoreDelta[h]!;
      }
    }
    out[f++] = bestOverlap;
    out[f++] = bestDelta;
    const year = stats.year[item]!;
    out[f++] = Number.isNaN(year) || Number.isNaN(profile.meanYear) ? Number.NaN : year - profile.meanYear;
  }
  return out;
}
