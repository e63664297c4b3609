/**
 * The bundled catalogues (2016 + Jikan) as one in-memory Catalog, for tests whose behaviour is
 * about real titles (filters over real genres and seasons, reasons naming real titles, title
 * search over real alternative titles). Loaded once per test file (well under a second).
 */
import { fileURLToPath } from 'node:url';
import type { Anime } from '../../src/data/types.js';
import { Catalog } from '../../src/recommend/catalog.js';
import { importFiles, openStore } from '../../src/store/index.js';

/** In the order every command imports them: the later (Jikan) file completes the 2016 one. */
const CATALOGUE_FILES = ['anime_2016.csv.gz', 'anime_tv_2006_2026_jikan.csv.gz'].map((name) =>
  fileURLToPath(new URL(`../../data/${name}`, import.meta.url)),
);

let loading: Promise<Catalog> | null = null;

export function realCatalog(): Promise<Catalog> {
  loading ??= (async () => {
    const store = await openStore('sqlite::memory:');
    try {
      await importFiles(
        store,
        CATALOGUE_FILES.map((path) => ({ path })),
      );
      return await Catalog.load(store);
    } finally {
      await store.close();
    }
  })();
  return loading;
}

/** A title of the real catalogue by MAL id, checked to be the one a test means. */
export function realTitle(catalog: Catalog, animeId: number, title: string): Anime {
  const anime = catalog.get(animeId);
  if (anime === undefined || anime.title !== title)
    throw new Error(`bundled catalogue: expected ${animeId} to be ${title}, found ${anime?.title ?? 'nothing'}`);
  return anime;
}
