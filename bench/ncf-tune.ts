/**
 * NeuMF variants scored on *validation* users only (the test users of `anirec eval` are set aside
 * first, as `anirec tune` does): NDCG@20 and recall@20 with liked relevance, next to EASE and
 * iALS with their tuned defaults, trained on the same users. Used to choose NcfParams' defaults.
 * Also reports seconds per epoch and the mean fold-in + scoring time per validation user.
 *
 *   node --import tsx bench/ncf-tune.ts '[{"label":"default"},{"label":"l2 1e-4","l2":1e-4}]'
 *
 * TUNE_BASELINES=0 skips EASE and iALS. TUNE_FOLDIN, a JSON list of fold-in overrides (e.g.
 * '[{"foldInSteps":100}]'), scores each trained model again with each (fold-in needs no retraining).
 */
import { trainAls } from '../src/models/als/train.js';
import { trainEase } from '../src/models/ease/train.js';
import { NcfRecommender } from '../src/models/ncf/model.js';
import { trainNcf } from '../src/models/ncf/train.js';
import type { NcfReport } from '../src/models/ncf/train.js';
import { validationTuning } from './validation-tuning.js';

const variants = JSON.parse(process.argv[2] ?? '[{"label":"default"}]') as ({ label: string } & Record<string, unknown>)[];
const baselines = process.env.TUNE_BASELINES !== '0';
const foldIns = JSON.parse(process.env.TUNE_FOLDIN ?? '[]') as Record<string, number>[];
const { split, score, finish } = await validationTuning();
if (baselines) {
  let t = performance.now();
  score('ease', trainEase(split.trainData), (performance.now() - t) / 1000);
  t = performance.now();
  score('als', trainAls(split.trainData), (performance.now() - t) / 1000);
}
for (const { label, ...params } of variants) {
  const t = performance.now();
  const model = trainNcf(split.trainData, params, { seed: 42, onProgress: (_f, message) => console.error(`  ${label}: ${message}`) });
  const report = model.report as NcfReport;
  const perEpoch = report.secondsPerEpoch.reduce((s, x) => s + x, 0) / report.secondsPerEpoch.length;
  const seconds = (performance.now() - t) / 1000;
  const extra = {
    params: JSON.stringify(params),
    's / epoch': perEpoch.toFixed(1),
    'final loss': report.losses[report.losses.length - 1]!.toFixed(4),
  };
  score(`ncf ${label}`, model, seconds, extra);
  for (const foldIn of foldIns) {
    const refolded = new NcfRecommender(
      model.nItems,
      { ...model.params, ...foldIn },
      model.itemGmf,
      model.itemMlp,
      model.warm,
      model.meanUserGmf,
      model.meanUserMlp,
      model.mlpLayers,
      model.outputLayer,
    );
    score(`ncf ${label}, fold-in ${JSON.stringify(foldIn)}`, refolded, seconds, extra);
  }
}
finish('ncf-tune');
