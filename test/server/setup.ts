/**
 * A small real world for API tests: the bundled catalogues (2016 + Jikan, which has years), the MAL export fixture and the
 * first ~600 users of the bundled ratings, in a fresh SQLite store, with a trained item-kNN model
 * written where `anirec train` would put it (models/<name> + models/CURRENT).
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { BUNDLED_CATALOGUES, BUNDLED_DATA } from '../../src/data/bundled.js';
import { saveBundle, type ModelBundle } from '../../src/models/bundle.js';
import { DEFAULT_MODEL_PARAMS, trainBundle, type ModelName } from '../../src/models/train-model.js';
import { loadTrainingSet } from '../../src/models/training-set.js';
import { importFiles, SqliteStore, type Store } from '../../src/store/index.js';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'data');

export interface TestWorld {
  dir: string;
  store: Store;
  modelsDir: string;
  bundle: ModelBundle;
  cleanup(): Promise<void>;
}

/** The first `lines` lines (header included) of the bundled ratings, as a plain CSV. */
export async function ratingsSlice(path: string, lines: number): Promise<void> {
  const input = createInterface({ input: createReadStream(BUNDLED_DATA.ratings2016).pipe(createGunzip()) });
  const out: string[] = [];
  for await (const line of input) {
    out.push(line);
    if (out.length >= lines) break;
  }
  input.close();
  writeFileSync(path, `${out.join('\n')}\n`);
}

/** Trains `name` on the store and writes it as models/<dirName>; returns the bundle. */
export async function trainInto(
  store: Store,
  modelsDir: string,
  name: ModelName,
  dirName: string,
): Promise<{ bundle: ModelBundle; dir: string }> {
  const set = await loadTrainingSet(store);
  const bundle = await trainBundle(name, set.data, set.catalogue, DEFAULT_MODEL_PARAMS, { seed: 1 });
  const dir = join(modelsDir, dirName);
  await saveBundle(bundle, dir);
  return { bundle, dir };
}

export async function createWorld(options: { ratingLines?: number } = {}): Promise<TestWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'anirec-api-test-'));
  const store = SqliteStore.open(join(dir, 'anirec.db'));
  const slice = join(dir, 'ratings.csv');
  await ratingsSlice(slice, options.ratingLines ?? 60_000);
  await importFiles(store, [
    ...BUNDLED_CATALOGUES.map((path) => ({ path })),
    { path: slice, userSource: 'kaggle2016' },
    { path: join(FIXTURES, 'mal-export.xml') },
  ]);
  const modelsDir = join(dir, 'models');
  mkdirSync(modelsDir, { recursive: true });
  const { bundle, dir: modelDir } = await trainInto(store, modelsDir, 'itemknn', 'itemknn-1');
  writeFileSync(join(modelsDir, 'CURRENT'), `${modelDir}\n`);
  return {
    dir,
    store,
    modelsDir,
    bundle,
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Points models/CURRENT at `dir` the way the registry does: write aside, rename over. */
export function promote(modelsDir: string, dir: string): void {
  const tmp = join(modelsDir, `.CURRENT.${process.pid}.${Math.random().toString(36).slice(2)}`);
  writeFileSync(tmp, `${dir}\n`);
  renameSync(tmp, join(modelsDir, 'CURRENT'));
}
