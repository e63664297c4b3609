/**
 * Where a cold request's CPU goes in the anirec hybrid: each base model's fold-in, its top-k, the
 * features, the ranker, and the ranking the engine keeps, per 50-title list nobody sent before
 * (the API benchmark's cold fold-in mix), in one process with nothing else running. The whole
 * `RecommendationEngine.recommend` call (scoring plus filters, page and reasons) is timed too, and
 * EASE alone is the in-run baseline: the cheapest collaborative model the hybrid contains.
 *
 *   BENCH_MODEL=MODEL_DIR npm run bench -- hybrid-stages   # default: the model models/CURRENT names
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolvePaths } from '../src/config.js';
import { loadBundle } from '../src/models/bundle.js';
import { buildFeatures } from '../src/models/hybrid/features.js';
import type { AnirecHybrid } from '../src/models/hybrid/model.js';
import { createRng } from '../src/models/random.js';
import { topKIndices } from '../src/models/top-k.js';
import type { History } from '../src/models/types.js';
import { RecommendationEngine } from '../src/recommend/engine.js';
import type { HistoryEntry } from '../src/recommend/taste-profile.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { printTable, writeResults } from './report.js';

const LISTS = Number(process.env.BENCH_LISTS ?? 2000);
const WARM_UP = 200;

const paths = resolvePaths();
function currentModel(): string {
  try {
    return join(paths.models, readFileSync(join(paths.models, 'CURRENT'), 'utf8').trim());
  } catch {
    throw new Error(
      `no model in ${paths.models}: run \`anirec quickstart --no-serve\` (or anirec import && anirec train) first, or set BENCH_MODEL`,
    );
  }
}
const modelDir = process.env.BENCH_MODEL ?? currentModel();
const bundle = await loadBundle(modelDir);
if (bundle.manifest.kind !== 'anirec')
  throw new Error(`${modelDir} is a ${bundle.manifest.kind} model; this benchmark needs the anirec hybrid`);
const hybrid = bundle.recommender as AnirecHybrid;
const store = SqliteStore.open(paths.database, { readonly: true });
const engine = await RecommendationEngine.create(bundle, store, 'bench');

// The API benchmark's cold mix: 50 distinct titles of the 2,000 most popular, random scores.
const popular = Array.from(bundle.popularity.keys())
  .sort((a, b) => bundle.popularity[b]! - bundle.popularity[a]!)
  .slice(0, 2000);
const random = createRng(7);
function freshList(): History {
  const chosen = new Set<number>();
  while (chosen.size < 50) chosen.add(popular[Math.floor(random() * popular.length)]!);
  const items = Int32Array.from(chosen);
  return { items, scores: Float32Array.from(items, () => 1 + Math.floor(random() * 10)) };
}
const entriesOf = (history: History): HistoryEntry[] =>
  Array.from(history.items, (item, h) => ({ animeId: bundle.itemIds[item]!, score: history.scores[h]!, status: 'completed' as const }));

const stages = new Map<string, number[]>();
const record = (stage: string, ms: number): void => {
  let list = stages.get(stage);
  if (list === undefined) stages.set(stage, (list = []));
  list.push(ms);
};
const scores = new Float32Array(hybrid.nItems);
let candidates = 0;
for (let i = 0; i < WARM_UP + LISTS; i++) {
  const history = freshList();
  const measured = i >= WARM_UP;
  const time = (stage: string, run: () => void): void => {
    const started = performance.now();
    run();
    if (measured) record(stage, performance.now() - started);
  };
  for (const component of hybrid.generator.components) {
    time(`${component.name}: fold-in`, () => component.model.scoreFoldIn(history, scores));
    time(`${component.name}: top ${component.candidates}`, () => topKIndices(scores, component.candidates));
  }
  const generated = hybrid.generator.generate(history);
  if (measured) candidates += generated.candidates.length;
  let features: Float32Array = new Float32Array(0);
  time('features', () => (features = buildFeatures(history, generated.candidates, generated.views, hybrid.stats)));
  time('ranker', () => hybrid.ranker.predict(features, generated.candidates.length));
  time('hybrid scoreFoldIn (all of the above)', () => hybrid.scoreFoldIn(history, scores));
  time('engine: ranking kept (top 500)', () => topKIndices(scores, 500));
  const entries = entriesOf(history);
  time('engine.recommend (whole request, k = 10)', () => engine.recommend(entries, { k: 10 }));
}
await store.close();

const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
const quantile = (values: number[], q: number): number =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))]!;
const easeFoldIn = mean(stages.get('ease: fold-in')!);
const rows = [...stages].map(([stage, values]) => ({
  stage,
  'mean ms': mean(values).toFixed(3),
  'p99 ms': quantile(values, 0.99).toFixed(3),
  '÷ EASE fold-in': (mean(values) / easeFoldIn).toFixed(1),
}));
printTable(
  `anirec hybrid, cold 50-title lists (${LISTS} lists after ${WARM_UP} warm-up; ${(candidates / LISTS).toFixed(0)} candidates and ${hybrid.ranker.trees.length} trees on average/in the model)`,
  rows,
);
console.log(
  `\nwrote ${writeResults('hybrid-stages', { model: modelDir, lists: LISTS, meanCandidates: candidates / LISTS, trees: hybrid.ranker.trees.length, rows })}`,
);
