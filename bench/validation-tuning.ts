/**
 * What the model tuning scripts (bench/*-tune.ts) share: the `anirec tune` split of the bundled
 * data (seed 42, 500 validation users, the 1,000 test users of `anirec eval` set aside and never
 * scored) and one row per variant of validation NDCG@20, recall@20 and coverage@20 (liked
 * relevance), printed as it is measured and written with the others at the end.
 */
import { evaluate } from '../src/eval/evaluate.js';
import { splitUsers, type UserSplit } from '../src/eval/split.js';
import type { Recommender } from '../src/models/types.js';
import { loadBundled2016 } from './bundled-2016.js';
import { printTable, writeResults } from './report.js';

export type TuningRow = Record<string, string | number>;

export interface ValidationTuning {
  set: Awaited<ReturnType<typeof loadBundled2016>>;
  split: UserSplit;
  /** Scores `recommender` on the validation users and records a row; `extra` adds columns. */
  score(label: string, recommender: Recommender, trainSeconds: number, extra?: Record<string, string>): void;
  /** Prints every row and writes them to bench/results/<name>-<time>.json. */
  finish(name: string): void;
}

export async function validationTuning(): Promise<ValidationTuning> {
  const set = await loadBundled2016();
  const split = splitUsers(set.data, { seed: 42, validationUsers: 500, testUsers: 1000 });
  console.log(split.description.text);
  const rows: TuningRow[] = [];
  return {
    set,
    split,
    score(label, recommender, trainSeconds, extra = {}) {
      const started = performance.now();
      const result = evaluate([{ name: label, recommender }], split.validation, {
        trainData: split.trainData,
        ks: [20],
        relevance: 'liked',
        ci: { method: 'normal' },
      });
      const msPerUser = (performance.now() - started) / split.validation.length;
      const m = result.sections[0]!.models[0]!.metrics;
      const row = {
        variant: label,
        'validation ndcg@20': m['ndcg@20']!.mean.toFixed(4),
        'recall@20': m['recall@20']!.mean.toFixed(4),
        'coverage@20': m['coverage@20']!.mean.toFixed(4),
        'train s': trainSeconds.toFixed(0),
        'eval ms / user': msPerUser.toFixed(1),
        ...extra,
      };
      rows.push(row);
      console.log(JSON.stringify(row));
    },
    finish(name) {
      printTable(`Validation users (${split.validation.length}), ${split.description.text}`, rows);
      writeResults(`${name}-${Date.now()}`, { split: split.description.text, rows });
    },
  };
}
