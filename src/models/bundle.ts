import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadingModel, loadRecommender, readArray, writeArray } from './artifacts.js';
import './known-models.js';
import { dataHash } from './training-data.js';
import type { Recommender, TrainingData } from './types.js';

/** Written into MODEL_DIR/bundle.json: what a trained model is, enough to reproduce and compare it. */
export interface BundleManifest {
  format: 'anirec-model-bundle';
  formatVersion: 1;
  kind: string;
  createdAt: string;
  params: unknown;
  /** Hash of the training interactions, so metrics and models name the data they came from. */
  dataHash: string;
  nUsers: number;
  nItems: number;
  nInteractions: number;
  trainingSeconds: number;
  /** Free-form training report (e.g. the ranker's feature importance). */
  report?: unknown;
  /**
   * How many of the nItems titles each model can score, by name: the hybrid's components, or the
   * model itself (EASE leaves out titles below its minCount; content and two-tower score titles
   * nobody rated). Absent in bundles trained before it was recorded.
   */
  coverage?: Record<string, number>;
}

/**
 * A trained model ready to serve: the recommender plus the item vocabulary and popularity it
 * needs to answer users it has never seen. A bundle directory is only read after training, so
 * it can be mounted read-only.
 */
export interface ModelBundle {
  manifest: BundleManifest;
  recommender: Recommender;
  /** Item index → MAL anime id. */
  itemIds: Int32Array;
  itemIndex: Map<number, number>;
  /** log(1 + training users listing the item): the fallback ranking for users with nothing known. */
  popularity: Float32Array;
}

export function popularityOf(data: TrainingData): Float32Array {
  const counts = new Float32Array(data.nItems);
  for (let e = 0; e < data.indices.length; e++) counts[data.indices[e]!]!++;
  return counts.map(Math.log1p);
}

/** The manifest of a model just trained on `data`. */
export function manifestFor(
  kind: string,
  trained: { params: unknown; report?: unknown; recommender?: Recommender },
  data: TrainingData,
  trainingSeconds: number,
): BundleManifest {
  return {
    format: 'anirec-model-bundle',
    formatVersion: 1,
    kind,
    createdAt: new Date().toISOString(),
    params: trained.params,
    dataHash: dataHash(data),
    nUsers: data.nUsers,
    nItems: data.nItems,
    nInteractions: data.indices.length,
    trainingSeconds,
    ...(trained.report !== undefined ? { report: trained.report } : {}),
    ...(trained.recommender !== undefined ? { coverage: coverageOf(trained.recommender, data) } : {}),
  };
}

/**
 * Titles each model can score, counted as the Recommender contract marks them: a finite score
 * for a one-title list (the most listed title), -Infinity for a title the model cannot judge.
 */
export function coverageOf(recommender: Recommender, data: TrainingData): Record<string, number> {
  const counts = new Int32Array(data.nItems);
  for (let e = 0; e < data.indices.length; e++) counts[data.indices[e]!]!++;
  let top = 0;
  for (let i = 1; i < counts.length; i++) if (counts[i]! > counts[top]!) top = i;
  const history = { items: Int32Array.of(top), scores: Float32Array.of(0) };
  const parts = recommender.components?.() ?? new Map([[recommender.kind, recommender]]);
  const scores = new Float32Array(data.nItems);
  const coverage: Record<string, number> = {};
  for (const [name, model] of parts) {
    scores.fill(Number.NEGATIVE_INFINITY);
    model.scoreFoldIn(history, scores);
    let n = 0;
    for (let i = 0; i < scores.length; i++) if (Number.isFinite(scores[i]!)) n++;
    coverage[name] = n;
  }
  return coverage;
}

export function makeBundle(manifest: BundleManifest, recommender: Recommender, data: TrainingData): ModelBundle {
  return {
    manifest,
    recommender,
    itemIds: data.itemIds,
    itemIndex: new Map(Array.from(data.itemIds, (id, index) => [id, index])),
    popularity: popularityOf(data),
  };
}

export async function saveBundle(bundle: ModelBundle, dir: string): Promise<void> {
  mkdirSync(join(dir, 'model'), { recursive: true });
  await bundle.recommender.save(join(dir, 'model'));
  writeArray(join(dir, 'item-ids.bin'), bundle.itemIds);
  writeArray(join(dir, 'popularity.bin'), bundle.popularity);
  // Written last: a directory with bundle.json is a complete model.
  writeFileSync(join(dir, 'bundle.json'), `${JSON.stringify(bundle.manifest, null, 2)}\n`);
}

export interface LoadBundleOptions {
  /**
   * Called between the steps of the load (each file read, each model component built): a server
   * loading a model next to the one it serves passes a time slicer, so requests run in between.
   */
  pause?: () => Promise<void>;
  /** The directory's `.bin` files, already read by a worker thread (readModelFiles), by absolute path. */
  files?: Map<string, Uint8Array>;
}

/** Reads and checks MODEL_DIR/bundle.json: a cheap first test that `dir` holds a complete model. */
export function readBundleManifest(dir: string): BundleManifest {
  let manifest: BundleManifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'bundle.json'), 'utf8')) as BundleManifest;
  } catch (error) {
    throw new Error(
      `${dir} is not a trained anirec model (no readable bundle.json: ${(error as Error).message}). Train one with \`anirec train --out ${dir}\`.`,
    );
  }
  if (manifest.format !== 'anirec-model-bundle' || manifest.formatVersion !== 1) {
    throw new Error(
      `${dir}/bundle.json has format ${manifest.format} v${manifest.formatVersion}; this anirec reads anirec-model-bundle v1.`,
    );
  }
  return manifest;
}

export async function loadBundle(dir: string, options: LoadBundleOptions = {}): Promise<ModelBundle> {
  const manifest = readBundleManifest(dir);
  const pause = options.pause ?? (async () => {});
  const load = async (): Promise<ModelBundle> => {
    const itemIds = readArray(join(dir, 'item-ids.bin'), Int32Array);
    const recommender = await loadRecommender(join(dir, 'model'));
    await pause();
    return {
      manifest,
      recommender,
      itemIds,
      itemIndex: new Map(Array.from(itemIds, (id, index) => [id, index])),
      popularity: readArray(join(dir, 'popularity.bin'), Float32Array),
    };
  };
  return loadingModel(dir, pause, load, options.files);
}
