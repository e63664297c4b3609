/**
 * What grouping lists by franchise does to a ranking, measured offline (issue 16): each test
 * user's list as the model ranks every title ("all", what `anirec eval` scores) and as served by
 * default ("group": one card per franchise, no later entries of franchises not started, nothing
 * from the history's own franchises; data/franchises/cards.ts, the rules the engine applies).
 *
 * - NDCG@k on discoveries: the user's held-out liked titles from franchises absent from the
 *   fold-in history (what a fan asking "what next?" has not found yet);
 * - NDCG@k on every held-out liked title (what grouping costs on the usual table);
 * - the share of the top 10 taken by franchises already in the history.
 */
import { cardHeads, franchiseLookupOf, listFranchises, type FranchiseLookup } from '../data/franchises/cards.js';
import { Franchises } from '../data/franchises/franchises.js';
import type { Anime, AnimeRelation } from '../data/types.js';
import { topKIndices } from '../models/top-k.js';
import type { Recommender } from '../models/types.js';
import { likedTargets, listMetrics } from './protocols/ranking.js';
import { alignTable } from './report.js';
import { pairedBootstrapTest } from './significance.js';
import type { EvalUser } from './split.js';

/**
 * The franchise lookup over a model's item space, from the catalogue the data came with and the
 * store's relations (grouped as served: relations first, the title heuristic otherwise).
 */
export function franchiseLookup(
  itemIds: ArrayLike<number>,
  catalogue: ReadonlyMap<number, Anime>,
  relations: readonly AnimeRelation[] = [],
): FranchiseLookup {
  return franchiseLookupOf(itemIds, Franchises.build([...catalogue.values()], relations), (id) => catalogue.get(id));
}

export interface FranchiseListMetrics {
  /** Per user (same order as the users measured). */
  discoveriesNdcg: Float64Array;
  likedNdcg: Float64Array;
  ownFranchiseTop10: Float64Array;
}

export interface FranchiseDiscoveries {
  all: FranchiseListMetrics;
  group: FranchiseListMetrics;
  /** Users measured: those with at least one liked discovery target. */
  users: number;
  skipped: number;
}

/** How deep a ranking is read to fill k cards (hidden titles and repeats are skipped). */
const RANKING_DEPTH = 2000;

export function franchiseDiscoveries(
  recommender: Recommender,
  users: readonly EvalUser[],
  lookup: FranchiseLookup,
  options: { k?: number; likedThreshold?: number } = {},
): FranchiseDiscoveries {
  const k = options.k ?? 20;
  const liked = options.likedThreshold ?? 7;
  const scores = new Float32Array(recommender.nItems);
  const lists = { all: [] as Int32Array[], group: [] as Int32Array[] };
  const discoveries: Int32Array[] = [];
  const likedAll: Int32Array[] = [];
  const own: Set<number>[] = [];
  let skipped = 0;
  for (const user of users) {
    const history = Array.from(user.history.items);
    const started = new Set(history.map((i) => lookup.franchiseOf[i]!));
    const targets = likedTargets(user, liked);
    const found = targets.filter((i) => !started.has(lookup.franchiseOf[i]!));
    if (found.length === 0) {
      skipped++;
      continue;
    }
    scores.fill(Number.NaN);
    recommender.scoreFoldIn(user.history, scores);
    for (const i of history) scores[i] = -Infinity;
    const ranking = topKIndices(scores, RANKING_DEPTH).slice();
    lists.all.push(ranking.slice(0, k));
    // The evaluation history has no statuses: every listed title counts as watched.
    const list = listFranchises(
      lookup,
      history.map((index) => ({ index, status: null })),
    );
    lists.group.push(Int32Array.from(cardHeads(lookup, list, ranking, k, false).positions, (r) => ranking[r]!));
    discoveries.push(found);
    likedAll.push(targets);
    own.push(started);
  }
  const measure = (ranked: Int32Array[]): FranchiseListMetrics => ({
    discoveriesNdcg: listMetrics(ranked, discoveries, k).ndcg,
    likedNdcg: listMetrics(ranked, likedAll, k).ndcg,
    ownFranchiseTop10: Float64Array.from(ranked, (items, u) => {
      const top = items.subarray(0, 10);
      let n = 0;
      for (const i of top) if (own[u]!.has(lookup.franchiseOf[i]!)) n++;
      return top.length === 0 ? 0 : n / top.length;
    }),
  });
  return { all: measure(lists.all), group: measure(lists.group), users: discoveries.length, skipped };
}

/** One measure as the ranking comes (all) and as served (group), with the paired difference. */
export interface PairedMeans {
  all: number;
  group: number;
  /** group − all, with its 95% paired bootstrap interval over users. */
  diff: number;
  low: number;
  high: number;
}

export interface FranchiseRow {
  model: string;
  users: number;
  skipped: number;
  k: number;
  discoveriesNdcg: PairedMeans;
  likedNdcg: PairedMeans;
  ownFranchiseTop10: PairedMeans;
}

export function summarizeFranchiseDiscoveries(model: string, result: FranchiseDiscoveries, k: number, seed: number): FranchiseRow {
  const mean = (a: Float64Array): number => (a.length === 0 ? Number.NaN : a.reduce((sum, x) => sum + x, 0) / a.length);
  const paired = (key: keyof FranchiseListMetrics): PairedMeans => {
    const all = result.all[key];
    const group = result.group[key];
    if (all.length === 0) return { all: Number.NaN, group: Number.NaN, diff: Number.NaN, low: Number.NaN, high: Number.NaN };
    const test = pairedBootstrapTest(group, all, { seed });
    return { all: mean(all), group: mean(group), diff: test.meanDifference, low: test.low, high: test.high };
  };
  return {
    model,
    users: result.users,
    skipped: result.skipped,
    k,
    discoveriesNdcg: paired('discoveriesNdcg'),
    likedNdcg: paired('likedNdcg'),
    ownFranchiseTop10: paired('ownFranchiseTop10'),
  };
}

/** The franchise table `anirec eval` prints under the main one. */
export function renderFranchiseTable(rows: readonly FranchiseRow[]): string {
  if (rows.length === 0) return '';
  const k = rows[0]!.k;
  const f = (x: number): string => (Number.isFinite(x) ? x.toFixed(4) : '–');
  const signed = (x: number): string => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${x.toFixed(4)}` : '–');
  const ci = (m: PairedMeans): string => (Number.isFinite(m.low) ? `${signed(m.low)} … ${signed(m.high)}` : '–');
  const table = alignTable(
    ['model', 'users', `disc ndcg@${k} all`, 'group', 'Δ', '95% CI', 'own top-10 all', 'group', `liked ndcg@${k} all`, 'group'],
    rows.map((r) => [
      r.model,
      `${r.users}`,
      f(r.discoveriesNdcg.all),
      f(r.discoveriesNdcg.group),
      signed(r.discoveriesNdcg.diff),
      ci(r.discoveriesNdcg),
      f(r.ownFranchiseTop10.all),
      f(r.ownFranchiseTop10.group),
      f(r.likedNdcg.all),
      f(r.likedNdcg.group),
    ]),
  );
  return (
    `Franchise-aware lists: each model's ranking as scored above (all) and as served by default (group: one card per franchise,\n` +
    `no later entries of franchises not started, none of the history's own franchises). disc = held-out liked titles from franchises\n` +
    `absent from the fold-in history (users with at least one; the rest skipped); own top-10 = share of the top 10 from the history's\n` +
    `franchises; liked = every held-out liked title (sequels of the history leave the grouped list for "continue"). Δ = group − all.\n` +
    `${table}\n`
  );
}
