/**
 * Hybrid variants on one strong-generalisation split (the `anirec eval` split: seed 42, 1,000
 * test users, bundled data with the merged catalogue), paired against the first variant:
 *   node --import tsx bench/hybrid-variants.ts '[{"name":"before"}, {"name":"twotower", "params": {...}}]'
 * Each variant is a partial ModelParams merged over the defaults. Prints NDCG@20 ('liked') per
 * variant with the paired 95% CI of the difference, and writes bench/results/hybrid-variants-<time>.json.
 *
 * BENCH_VARIANTS_USERS=validation chooses between variants the honest way: the same seed holds
 * the same 1,000 test users out and never touches them, 1,000 validation users are drawn from
 * the rest, the variants train on the remaining 3,000 and are scored on the validation users.
 * The default (test) scores the `anirec eval` split's test users, for reporting a choice made.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluate } from '../src/eval/evaluate.js';
import { pairedBootstrapTest } from '../src/eval/significance.js';
import { splitUsers } from '../src/eval/split.js';
import { DEFAULT_MODEL_PARAMS, trainModel, type ModelParams } from '../src/models/train-model.js';
import { loadBundled2016 } from './bundled-2016.js';

interface Variant {
  name: string;
  params?: Partial<ModelParams>;
}

const variants = JSON.parse(process.argv[2] ?? '[]') as Variant[];
if (variants.length === 0) throw new Error('pass the variants as JSON: [{"name": "...", "params": {...}}, ...]');
const seed = 42;
const set = await loadBundled2016();
const onValidation = process.env.BENCH_VARIANTS_USERS === 'validation';
const split = splitUsers(set.data, { seed, validationUsers: onValidation ? 1000 : 0, testUsers: 1000 });
const heldOut = onValidation ? split.validation : split.test;
console.log(`${split.description.text}; scored on the ${onValidation ? 'validation' : 'test'} users`);
const models = [];
const seconds: Record<string, number> = {};
for (const variant of variants) {
  const params: ModelParams = {
    ...DEFAULT_MODEL_PARAMS,
    ...variant.params,
    candidates: { ...DEFAULT_MODEL_PARAMS.candidates, ...variant.params?.candidates },
    anirec: { ...DEFAULT_MODEL_PARAMS.anirec, ...variant.params?.anirec },
  };
  const started = performance.now();
  const trained = await trainModel('anirec', split.trainData, set.catalogue, params, { seed });
  seconds[variant.name] = (performance.now() - started) / 1000;
  console.log(`trained ${variant.name} in ${seconds[variant.name]!.toFixed(0)} s`);
  models.push({ name: variant.name, recommender: trained.recommender });
}
const result = evaluate(models, heldOut, { trainData: split.trainData, ks: [20], relevance: ['liked'], ci: { seed } });
const section = result.sections[0]!;
const base = section.models[0]!;
const rows = section.models.map((m) => {
  const ndcg = m.metrics['ndcg@20']!;
  const test = m === base ? null : pairedBootstrapTest(m.metrics['ndcg@20']!.perUser, base.metrics['ndcg@20']!.perUser, { seed });
  return {
    name: m.name,
    ndcg20: ndcg.mean,
    trainSeconds: seconds[m.name],
    vsFirst: test && { diff: test.meanDifference, low: test.low, high: test.high },
  };
});
for (const r of rows) {
  const d = r.vsFirst
    ? `  Δ ${r.vsFirst.diff >= 0 ? '+' : ''}${r.vsFirst.diff.toFixed(4)} (95% CI ${r.vsFirst.low.toFixed(4)} … ${r.vsFirst.high.toFixed(4)})`
    : '';
  console.log(`${r.name.padEnd(24)} NDCG@20 ${r.ndcg20.toFixed(4)}  train ${r.trainSeconds?.toFixed(0)} s${d}`);
}
mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
writeFileSync(
  join(import.meta.dirname, 'results', `hybrid-variants-${Date.now()}.json`),
  JSON.stringify({ split: split.description, scoredOn: onValidation ? 'validation' : 'test', seed, rows }, null, 2),
);
