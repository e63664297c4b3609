import type { ModelBundle } from '../models/bundle.js';
import type { ItemSimilarity, Recommender } from '../models/types.js';
import type { Catalog } from './catalog.js';

export type { ItemSimilarity };

export type SimilarityMode = 'collaborative' | 'content' | 'hybrid';

/** The similarity sources a bundle offers, found once per loaded model. */
export interface SimilaritySources {
  /** Co-listing based: item-kNN first (sharpest neighbours), else ALS. */
  collaborative: { name: string; model: ItemSimilarity } | null;
  /** What titles are: the content model when the bundle has one, else catalogue tags (see TagSimilarity). */
  content: { name: string; model: ItemSimilarity };
}

function hasSimilarItems(model: Recommender): model is Recommender & ItemSimilarity {
  return model.similarItems !== undefined;
}

/** The named sub-models of a bundle: the hybrid's components, or the model itself. */
export function componentsOf(bundle: ModelBundle): ReadonlyMap<string, Recommender> {
  const rec = bundle.recommender;
  const parts = rec.components?.();
  return parts !== undefined && parts.size > 0 ? parts : new Map([[rec.kind, rec]]);
}

/**
 * Every item's catalogue tags (genres, themes and demographics, studios) as numbered sets in
 * flat arrays: built wherever the catalogue is read (a worker thread, see store-snapshot.ts) and
 * handed over without copying, instead of 14k Sets of strings built on the serving thread.
 */
export interface TagIndexData {
  /** Item i's tag ids, ascending: itemTags[itemPtr[i] … itemPtr[i + 1]) (empty: no tags, or not in the catalogue). */
  itemPtr: Int32Array;
  itemTags: Int32Array;
  /** Tag t's items, ascending: tagItems[tagPtr[t] … tagPtr[t + 1]). */
  tagPtr: Int32Array;
  tagItems: Int32Array;
}

export function buildTagIndexData(itemIds: Int32Array, catalog: Catalog): TagIndexData {
  const tagId = new Map<string, number>();
  const itemPtr = new Int32Array(itemIds.length + 1);
  const itemTags: number[] = [];
  const tagItems: number[][] = [];
  for (let item = 0; item < itemIds.length; item++) {
    const a = catalog.get(itemIds[item]!);
    if (a !== undefined) {
      const names = new Set([
        ...a.genres.map((g) => `g:${g}`),
        ...catalog.tagsOf(a).map((t) => `t:${t}`),
        ...a.studios.map((st) => `s:${st}`),
      ]);
      const ids: number[] = [];
      for (const name of names) {
        let id = tagId.get(name);
        if (id === undefined) {
          tagId.set(name, (id = tagId.size));
          tagItems.push([]);
        }
        ids.push(id);
        tagItems[id]!.push(item);
      }
      for (const id of ids.sort((x, y) => x - y)) itemTags.push(id);
    }
    itemPtr[item + 1] = itemTags.length;
  }
  const tagPtr = new Int32Array(tagItems.length + 1);
  for (let t = 0; t < tagItems.length; t++) tagPtr[t + 1] = tagPtr[t]! + tagItems[t]!.length;
  return { itemPtr, itemTags: Int32Array.from(itemTags), tagPtr, tagItems: Int32Array.from(tagItems.flat()) };
}

/** The arrays of `data`, for a worker's transfer list. */
export function tagIndexBuffers(data: TagIndexData): ArrayBuffer[] {
  return [data.itemPtr, data.itemTags, data.tagPtr, data.tagItems].map((a) => a.buffer as ArrayBuffer);
}

/**
 * Content similarity from catalogue tags (genres, themes, demographics, studios), weighted
 * Jaccard. Used when the model has no content component (e.g. a plain item-kNN bundle), so
 * `mode=content` and diversity still work with any model kind, just less finely.
 */
export class TagSimilarity implements ItemSimilarity {
  private readonly data: TagIndexData;
  /** Per-item counts of shared tags, reused by `compute` (zeroed after each use). */
  private sharedCounts: Int32Array | null = null;

  /** `data` built elsewhere for this bundle's items and catalogue (a worker thread); without it, built here. */
  constructor(
    private readonly bundle: ModelBundle,
    catalog: Catalog,
    data: TagIndexData = buildTagIndexData(bundle.itemIds, catalog),
  ) {
    this.data = data;
  }

  /** Jaccard of two items' tag sets (0 when either has none). */
  pair(a: number, b: number): number {
    const { itemPtr, itemTags } = this.data;
    let i = itemPtr[a]!;
    const iEnd = itemPtr[a + 1]!;
    let j = itemPtr[b]!;
    const jEnd = itemPtr[b + 1]!;
    if (i === iEnd || j === jEnd) return 0;
    const sizes = iEnd - i + (jEnd - j);
    let shared = 0;
    // Both lists ascend: one merge pass counts the common tags.
    while (i < iEnd && j < jEnd) {
      const x = itemTags[i]!;
      const y = itemTags[j]!;
      if (x === y) {
        shared++;
        i++;
        j++;
      } else if (x < y) i++;
      else j++;
    }
    return shared / (sizes - shared);
  }

  /** Neighbour lists are deterministic and scanning a tag like "Action" touches thousands of titles: memoised. */
  private readonly cache = new Map<number, { items: Int32Array; scores: Float32Array; asked: number }>();

  similarItems(item: number, k: number): { items: Int32Array; scores: Float32Array } {
    const want = Math.max(k, 100);
    let hit = this.cache.get(item);
    if (hit === undefined || hit.asked < k) {
      hit = { ...this.compute(item, want), asked: want };
      if (this.cache.size > 20_000) this.cache.clear();
      this.cache.set(item, hit);
    }
    return k >= hit.items.length ? hit : { items: hit.items.subarray(0, k), scores: hit.scores.subarray(0, k) };
  }

  /**
   * Every item sharing a tag with `item`, best first, not memoised: a wide list (a tag like
   * "Action" reaches thousands of titles) is wanted only by filtered requests, and caching it per
   * title would hold tens of kilobytes for each.
   */
  allSimilar(item: number): { items: Int32Array; scores: Float32Array } {
    return this.compute(item, this.data.itemPtr.length - 1);
  }

  private compute(item: number, k: number): { items: Int32Array; scores: Float32Array } {
    const { itemPtr, itemTags, tagPtr, tagItems } = this.data;
    const ownSize = itemPtr[item + 1]! - itemPtr[item]!;
    if (ownSize === 0) return { items: new Int32Array(0), scores: new Float32Array(0) };
    const counts = (this.sharedCounts ??= new Int32Array(itemPtr.length - 1));
    const others: number[] = [];
    for (let t = itemPtr[item]!; t < itemPtr[item + 1]!; t++) {
      const tag = itemTags[t]!;
      for (let j = tagPtr[tag]!; j < tagPtr[tag + 1]!; j++) {
        const other = tagItems[j]!;
        if (other !== item && counts[other]!++ === 0) others.push(other);
      }
    }
    const popularity = this.bundle.popularity;
    const scored = others.map((other) => {
      const n = counts[other]!;
      counts[other] = 0;
      return { other, s: n / (ownSize + (itemPtr[other + 1]! - itemPtr[other]!) - n) };
    });
    // Equal Jaccard is common with few tags; the better-known title is the more useful suggestion.
    scored.sort((a, b) => b.s - a.s || popularity[b.other]! - popularity[a.other]! || a.other - b.other);
    const top = scored.slice(0, Math.max(0, k));
    return { items: Int32Array.from(top, (x) => x.other), scores: Float32Array.from(top, (x) => x.s) };
  }
}

export function similaritySources(bundle: ModelBundle, tagSimilarity: TagSimilarity): SimilaritySources {
  const components = componentsOf(bundle);
  let collaborative: SimilaritySources['collaborative'] = null;
  for (const name of ['itemknn', 'als']) {
    const model = components.get(name);
    if (model && hasSimilarItems(model)) {
      collaborative = { name, model };
      break;
    }
  }
  const content = components.get('content');
  return {
    collaborative,
    content: content && hasSimilarItems(content) ? { name: 'content', model: content } : { name: 'tags', model: tagSimilarity },
  };
}

export interface SimilarScores {
  /** Candidate item → blended similarity in [0, 1]. */
  scores: Map<number, number>;
  /** Candidate item → which sources found it (for reasons). */
  foundBy: Map<number, Set<'collaborative' | 'content'>>;
  /** The mode actually used (hybrid falls back to content when no collaborative source exists or knows the item). */
  modeUsed: SimilarityMode;
}

/**
 * Items similar to `item`, pooled from `pool` neighbours per source. Each source's scores are
 * divided by its best score so a collaborative 0.3 and a content 0.8 are comparable; hybrid
 * averages the two (an item only one source found gets half), which favours titles that are
 * both watched by the same people and alike in content.
 */
export function similarScores(sources: SimilaritySources, item: number, mode: SimilarityMode, pool: number): SimilarScores {
  const scores = new Map<number, number>();
  const foundBy = new Map<number, Set<'collaborative' | 'content'>>();
  const add = (kind: 'collaborative' | 'content', model: ItemSimilarity, weight: number): number => {
    const { items, scores: sims } = model.similarItems(item, pool);
    const max = sims.length > 0 && sims[0]! > 0 ? sims[0]! : 1;
    for (let i = 0; i < items.length; i++) {
      if (!(sims[i]! > 0)) continue;
      const it = items[i]!;
      scores.set(it, (scores.get(it) ?? 0) + (weight * sims[i]!) / max);
      let set = foundBy.get(it);
      if (set === undefined) foundBy.set(it, (set = new Set()));
      set.add(kind);
    }
    return items.length;
  };
  let modeUsed = mode;
  if (mode === 'collaborative' || mode === 'hybrid') {
    const found = sources.collaborative ? add('collaborative', sources.collaborative.model, mode === 'hybrid' ? 0.5 : 1) : 0;
    if (found === 0 && mode === 'hybrid') {
      // Nobody co-listed it (a new or rare title): content is all there is, at full weight.
      add('content', sources.content.model, 1);
      modeUsed = 'content';
      return { scores, foundBy, modeUsed };
    }
  }
  if (mode === 'content' || mode === 'hybrid') add('content', sources.content.model, mode === 'hybrid' ? 0.5 : 1);
  return { scores, foundBy, modeUsed };
}

/**
 * A filtered "more like this" whose pooled neighbours hold fewer than `need` eligible titles (a
 * new season, one era): the eligible titles sharing catalogue tags with `item`, ordered by tag
 * similarity, are added below every pooled neighbour (scores in [-1, 0) against the pool's
 * (0, 1]), so the page fills with titles alike in content instead of running dry.
 */
export function widenWithTags(found: SimilarScores, tags: TagSimilarity, item: number, eligible: Uint8Array, need: number): SimilarScores {
  let have = 0;
  for (const candidate of found.scores.keys()) if (eligible[candidate] === 1) have++;
  if (have >= need) return found;
  const { items, scores } = tags.allSimilar(item);
  for (let i = 0; i < items.length && have < need; i++) {
    const candidate = items[i]!;
    if (eligible[candidate] === 0 || found.scores.has(candidate) || !(scores[i]! > 0)) continue;
    found.scores.set(candidate, scores[i]! - 1);
    found.foundBy.set(candidate, new Set(['content']));
    have++;
  }
  return found;
}
