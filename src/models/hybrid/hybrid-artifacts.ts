import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadingPause, loadRecommender, readArray, registerModelKind, writeArray } from '../artifacts.js';
import { RankerModel } from '../ranker/index.js';
import { CandidateGenerator, unratedItems } from './candidates.js';
import { AnirecHybrid } from './model.js';
import type { ItemStats } from './item-stats.js';

/** Layout of a saved hybrid: components/<name>/ (each a saved model), item-stats/, ranker.json, hybrid.json. */
interface HybridManifest {
  kind: 'anirec';
  formatVersion: 1;
  /** `unratedCandidates` is absent in models saved before it existed (none). */
  components: { name: string; candidates: number; unratedCandidates?: number }[];
  tagNames: string[];
  featureNames: string[];
}

const FLOAT_STATS = [
  'logCount',
  'bayesScore',
  'likedShare',
  'unscoredShare',
  'malScore',
  'logMembers',
  'formatCode',
  'year',
  'logEpisodes',
] as const;
const INT_STATS = ['tagPtr', 'tagIds', 'titlePtr', 'titleTokens'] as const;

export async function saveHybrid(model: AnirecHybrid, dir: string): Promise<void> {
  for (const component of model.generator.components) {
    const componentDir = join(dir, 'components', component.name);
    mkdirSync(componentDir, { recursive: true });
    await component.model.save(componentDir);
  }
  const statsDir = join(dir, 'item-stats');
  mkdirSync(statsDir, { recursive: true });
  for (const name of FLOAT_STATS) writeArray(join(statsDir, `${name}.bin`), model.stats[name]);
  for (const name of INT_STATS) writeArray(join(statsDir, `${name}.bin`), model.stats[name]);
  writeFileSync(join(dir, 'ranker.json'), JSON.stringify(model.ranker.toJSON()));
  const manifest: HybridManifest = {
    kind: 'anirec',
    formatVersion: 1,
    components: model.generator.components.map((c) => ({
      name: c.name,
      candidates: c.candidates,
      unratedCandidates: c.unratedCandidates ?? 0,
    })),
    tagNames: model.stats.tagNames,
    featureNames: model.featureNames,
  };
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

export async function loadHybrid(dir: string): Promise<AnirecHybrid> {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as HybridManifest;
  const components = [];
  for (const { name, candidates, unratedCandidates } of manifest.components) {
    components.push({
      name,
      candidates,
      unratedCandidates: unratedCandidates ?? 0,
      model: await loadRecommender(join(dir, 'components', name)),
    });
  }
  const statsDir = join(dir, 'item-stats');
  const stats = { tagNames: manifest.tagNames } as ItemStats;
  for (const name of FLOAT_STATS) stats[name] = readArray(join(statsDir, `${name}.bin`), Float32Array);
  for (const name of INT_STATS) stats[name] = readArray(join(statsDir, `${name}.bin`), Int32Array);
  await loadingPause();
  const ranker = RankerModel.fromJSON(JSON.parse(readFileSync(join(dir, 'ranker.json'), 'utf8')));
  await loadingPause();
  const model = new AnirecHybrid(new CandidateGenerator(components, unratedItems(stats.logCount)), stats, ranker);
  if (model.featureNames.join() !== manifest.featureNames.join()) {
    throw new Error(
      `${dir}: saved with features [${manifest.featureNames.join(', ')}], this anirec computes [${model.featureNames.join(', ')}]. Retrain the model.`,
    );
  }
  return model;
}

registerModelKind('anirec', loadHybrid);
