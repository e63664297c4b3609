/**
 * One card per franchise, measured on the `anirec eval` split (strong generalisation, seed 42,
 * 1,000 test users, bundled data with the merged catalogue): NDCG@20 on discoveries (held-out
 * liked titles from franchises absent from the fold-in history), NDCG@20 on every held-out liked
 * title, and the share of top-10 slots taken by the history's own franchises, for each model's
 * list as `anirec eval` scores it (franchise=all) and as served by default (franchise=group),
 * with paired 95% bootstrap CIs of group − all.
 *   node --import tsx bench/franchise-discoveries.ts [models, default ease,anirec]
 * Writes bench/results/franchise-discoveries-<time>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { franchiseDiscoveries, franchiseLookup, type FranchiseListMetrics } from '../src/eval/franchise-discoveries.js';
import { pairedBootstrapTest } from '../src/eval/significance.js';
import { splitUsers } from '../src/eval/split.js';
import { DEFAULT_MODEL_PARAMS, trainModel, type ModelName } from '../src/models/train-model.js';
import { loadBundled2016 } from './bundled-2016.js';

const names = (process.argv[2] ?? 'ease,anirec').split(',') as ModelName[];
const seed = 42;
const set = await loadBundled2016();
const split = splitUsers(set.data, { seed, validationUsers: 0, testUsers: 1000 });
console.log(split.description.text);
const lookup = franchiseLookup(set.data.itemIds, set.catalogue);
const mean = (a: Float64Array): number => a.reduce((s, x) => s + x, 0) / a.length;
const rows = [];
for (const name of names) {
  const started = performance.now();
  const trained = await trainModel(name, split.trainData, set.catalogue, DEFAULT_MODEL_PARAMS, { seed });
  console.log(`trained ${name} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  const result = franchiseDiscoveries(trained.recommender, split.test, lookup, { k: 20 });
  const metric = (key: keyof FranchiseListMetrics) => {
    const test = pairedBootstrapTest(result.group[key], result.all[key], { seed });
    return { all: mean(result.all[key]), group: mean(result.group[key]), diff: test.meanDifference, low: test.low, high: test.high };
  };
  const row = { model: name, users: result.users, skipped: result.skipped, discoveriesNdcg20: metric('discoveriesNdcg'), likedNdcg20: metric('likedNdcg'), ownFranchiseTop10: metric('ownFranchiseTop10') };
  rows.push(row);
  console.log(`${name}: ${result.users} users with a liked discovery (${result.skipped} without)`);
  for (const [label, m] of [['NDCG@20 discoveries', row.discoveriesNdcg20], ['NDCG@20 all liked', row.likedNdcg20], ['own-franchise share of top 10', row.ownFranchiseTop10]] as const) {
    console.log(`  ${label.padEnd(30)} all ${m.all.toFixed(4)}  group ${m.group.toFixed(4)}  Δ ${m.diff >= 0 ? '+' : ''}${m.diff.toFixed(4)} (95% CI ${m.low.toFixed(4)} … ${m.high.toFixed(4)})`);
  }
}
mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
writeFileSync(join(import.meta.dirname, 'results', `franchise-discoveries-${Date.now()}.json`), JSON.stringify({ split: split.description, seed, rows }, null, 2));
