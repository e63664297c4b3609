/**
 * The bundled training set as the evaluation must see it for 2016 ratings: both catalogues
 * (as every command imports them), but catalogue members and MAL scores as of 2016. The Jikan
 * catalogue's members and scores are from 2026, which a model trained on 2016 lists could not
 * have known; titles the 2016 catalogue does not have get none (missing, not a guess).
 */
import { BUNDLED_CATALOGUES, BUNDLED_DATA } from '../src/data/bundled.js';
import type { Anime } from '../src/data/types.js';
import { loadTrainingSet, type TrainingSet } from '../src/models/training-set.js';
import { importFiles } from '../src/store/import-files.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';

export async function loadBundled2016(): Promise<TrainingSet & { catalogueAsOf2016: Map<number, Anime> }> {
  const store = SqliteStore.open(':memory:');
  await importFiles(store, [...BUNDLED_CATALOGUES.map((path) => ({ path })), { path: BUNDLED_DATA.ratings2016, userSource: 'bench' }]);
  const set = await loadTrainingSet(store);
  await store.close();
  const only2016 = SqliteStore.open(':memory:');
  await importFiles(only2016, [{ path: BUNDLED_DATA.catalogue2016 }]);
  const old = new Map((await only2016.listAnime()).map((a) => [a.animeId, a]));
  await only2016.close();
  const catalogueAsOf2016 = new Map<number, Anime>();
  for (const [id, anime] of set.catalogue) {
    const then = old.get(id);
    catalogueAsOf2016.set(id, { ...anime, members: then?.members ?? null, malScore: then?.malScore ?? null });
  }
  return { ...set, catalogueAsOf2016 };
}
