import { franchiseLookupOf, type FranchiseLookup } from '../data/franchises/cards.js';
import type { Anime } from '../data/types.js';
import type { ModelBundle } from '../models/bundle.js';
import type { Catalog } from './catalog.js';
import { similaritySources, TagSimilarity, type SimilaritySources, type TagIndexData } from './similar-items.js';
import type { Baseline } from './taste-profile.js';

/**
 * Everything derived from one (model, catalogue) pair that requests read but never change. Built
 * once when a model is loaded, so a request only does request-sized work.
 */
export interface ModelContext {
  bundle: ModelBundle;
  catalog: Catalog;
  /** Item index → catalogue record (undefined for ids the catalogue lacks). */
  itemAnime: (Anime | undefined)[];
  tagSimilarity: TagSimilarity;
  sources: SimilaritySources;
  baseline: Baseline;
  /** Each item's franchise, way in and minor format (data/franchises/cards.ts), by item index. */
  franchiseItems: FranchiseLookup;
}

export function buildModelContext(bundle: ModelBundle, catalog: Catalog, baseline: Baseline): ModelContext {
  return contextWith(bundle, catalog, baseline, new TagSimilarity(bundle, catalog));
}

/** The same context with the tag index built elsewhere for this bundle and catalogue (a worker thread). */
export function buildModelContextWith(bundle: ModelBundle, catalog: Catalog, baseline: Baseline, tags: TagIndexData): ModelContext {
  return contextWith(bundle, catalog, baseline, new TagSimilarity(bundle, catalog, tags));
}

function contextWith(bundle: ModelBundle, catalog: Catalog, baseline: Baseline, tagSimilarity: TagSimilarity): ModelContext {
  const itemAnime = Array.from(bundle.itemIds, (id) => catalog.get(id));
  return {
    bundle,
    catalog,
    itemAnime,
    franchiseItems: franchiseLookupOf(bundle.itemIds, catalog.franchises, (id) => catalog.get(id)),
    tagSimilarity,
    sources: similaritySources(bundle, tagSimilarity),
    baseline,
  };
}
