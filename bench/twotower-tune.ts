/**
 * Two-tower variants scored on *validation* users only (the test users of `anirec eval` are set
 * aside first, as `anirec tune` does): NDCG@20 and recall@20 with liked relevance, next to
 * EASE and popularity trained on the same users. Used to choose TwoTowerParams' defaults and to
 * check that the item tower does not reduce to popularity (the popularity-only variant).
 *
 *   node --import tsx bench/twotower-tune.ts '[{"label":"default"},{"label":"τ 0.05","temperature":0.05}]'
 *
 * Catalogue members and MAL scores are the 2016 ones (bench/bundled-2016.ts).
 */
import { trainEase } from '../src/models/ease/train.js';
import { trainPopularity } from '../src/models/popularity/train.js';
import { trainTwoTower } from '../src/models/twotower/train.js';
import { validationTuning } from './validation-tuning.js';

const variants = JSON.parse(process.argv[2] ?? '[{"label":"default"}]') as ({ label: string } & Record<string, unknown>)[];
const baselines = process.env.TUNE_BASELINES !== '0';
const { set, split, score, finish } = await validationTuning();
if (baselines) {
  let t = performance.now();
  score('ease', trainEase(split.trainData), (performance.now() - t) / 1000);
  t = performance.now();
  score('popularity', trainPopularity(split.trainData), (performance.now() - t) / 1000);
}
for (const { label, ...params } of variants) {
  const t = performance.now();
  const model = trainTwoTower(split.trainData, set.catalogueAsOf2016, params, {
    seed: 42,
    onProgress: (_f, message) => console.error(`  ${label}: ${message}`),
  });
  const report = model.report as { losses: number[] };
  score(`twotower ${label}`, model, (performance.now() - t) / 1000, {
    params: JSON.stringify(params),
    'final loss': report.losses[report.losses.length - 1]!.toFixed(4),
  });
}
finish('twotower-tune');
