import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLED_DATA } from '../../src/data/bundled.js';
import { resolvePaths, type AnirecPaths } from '../../src/config.js';
import { importFiles, SqliteStore } from '../../src/store/index.js';

/** A fresh ANIREC_HOME for one test file. */
export function tempPaths(prefix = 'anirec-ops-'): AnirecPaths {
  return resolvePaths({ ANIREC_HOME: mkdtempSync(join(tmpdir(), prefix)) });
}

/** The bundled real data (Kaggle 2016 catalogue + 5k users' ratings) in a store at `path`. */
export async function bundledStore(path: string): Promise<SqliteStore> {
  const store = SqliteStore.open(path);
  await importFiles(store, [{ path: BUNDLED_DATA.catalogue2016 }, { path: BUNDLED_DATA.ratings2016, userSource: 'kaggle2016' }], {
    unknownAnime: 'placeholder',
  });
  return store;
}
