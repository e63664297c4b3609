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
import {
  franchiseDiscoveries,
  franchiseLookup,
  renderFranchiseTable,
  summarizeFranchiseDiscoveries,
} from '../src/eval/franchise-discoveries.js';
import { splitUsers } from '../src/eval/split.js';
import { DEFAULT_MODEL_PARAMS, trainModel, type ModelName } from '../src/models/train-model.js';
import { loadBundled2016 } from './bundled-2016.js';

const names = (process.argv[2] ?? 'ease,anirec').split(',') as ModelName[];
const seed = 42;
const set = await loadBundled2016();
const split = splitUsers(set.data, { seed, validationUsers: 0, testUsers: 1000 });
console.log(split.description.text);
const lookup = franchiseLookup(set.data.itemIds, set.catalogue);
const rows = [];
for (const name of names) {
  const started = performance.now();
  const trained = await trainModel(name, split.trainData, set.catalogue, DEFAULT_MODEL_PARAMS, { seed });
  console.log(`trained ${name} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  rows.push(summarizeFranchiseDiscoveries(name, franchiseDiscoveries(trained.recommender, split.test, lookup, { k: 20 }), 20, seed));
}
console.log(renderFranchiseTable(rows));
mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
writeFileSync(
  join(import.meta.dirname, 'results', `franchise-discoveries-${Date.now()}.json`),
  JSON.stringify({ split: split.description, seed, rows }, null, 2),
);
