import { join } from 'node:path';
import { BUNDLED_DATA } from '../../data/bundled.js';
import type { Anime } from '../../data/types.js';
import { readArray, registerModelKind, writeArray, writeManifest } from '../artifacts.js';
import type { History, Recommender, TrainingData, TrainOptions } from '../types.js';
import { cosineGram } from './gram.js';
import { buildItemFeatures, type ItemFeatureParams } from './item-features.js';
import { combineRow, metaRows, postings, TopHeap } from './neighbours.js';
import { cleanSynopsis, tfidfVectors, tryLoadEmbeddingCache, type EmbeddingCache, type SparseVector } from './text-embeddings.js';

/**
 * Content-based recommender: item-item similarity from what titles are (metadata) and what they
 * are about (synopsis), with no interactions needed, so titles nobody has rated yet can still be
 * recommended. Like item-kNN, but the neighbour lists come from content: training precomputes the
 * top-`neighbours` most similar titles of every item, and fold-in sums the neighbour rows of the
 * user's history weighted by how much they liked each title.
 *
 * Synopsis vectors: the cached Universal Sentence Encoder Lite vector when the cache holds one
 * for this exact synopsis (hash match), otherwise TF-IDF. Training never runs the encoder: the
 * encoder takes a noticeable fraction of a second per synopsis, so a catalogue with thousands of
 * new synopses would make training take minutes; TF-IDF is instant and `scripts/embed-synopses.mts` refreshes the
 * cache offline. USE and TF-IDF vectors live in different spaces, so a pair of titles only gets a
 * text similarity when both have the same kind of vector; otherwise their similarity is
 * metadata-only.
 *
 * Training cost is about half the synopsis cosine matrix over the cached vectors (int8, worker
 * threads, see gram.ts) and half the neighbour scan (docs/benchmarks.md has the times). Fold-in
 * is a sum over ≤ `neighbours` entries per history title.
 */

export interface ContentParams {
  /** Weight of metadata cosine in the item-item similarity. */
  metadataWeight: number;
  /** Weight of synopsis cosine (USE or TF-IDF) in the item-item similarity. */
  textWeight: number;
  /** Neighbours kept per item (the precomputed similarity CSR). */
  neighbours: number;
  /** Use cached USE-lite synopsis vectors (hash-checked); false → TF-IDF for every synopsis. */
  useEmbeddings: boolean;
  /** Weight history titles by score relative to the user's mean (else by score / 10). */
  scoreCentering: boolean;
  /** Weight of a title listed without a score (mildly positive). */
  listedWeight: number;
  /** Scores at or below this count as dislikes and push similar titles down. */
  dislikeThreshold: number;
  /** Weight magnitude of the strongest dislike (score 1). */
  dislikeWeight: number;
  /** Neighbour pairs less similar than this are not stored. */
  minSimilarity: number;
  /** Subtract the catalogue mean from USE vectors before the cosine (USE cosines are all ~0.3+). */
  centerEmbeddings: boolean;
  /** Embedding cache file; undefined → the bundled cache (data/embeddings/use-lite-synopsis.bin). */
  embeddingCachePath?: string;
  /** Per-field metadata weights. */
  features: Partial<ItemFeatureParams>;
}

export const DEFAULT_CONTENT_PARAMS: ContentParams = {
  metadataWeight: 1,
  textWeight: 1,
  neighbours: 50,
  useEmbeddings: true,
  scoreCentering: true,
  listedWeight: 0.5,
  dislikeThreshold: 4,
  dislikeWeight: 1,
  minSimilarity: 0.05,
  centerEmbeddings: true,
  features: {},
};

/** How much one history title pulls (positive) or pushes (negative) its content neighbours. */
export function contentHistoryWeight(score: number, userMean: number, p: ContentParams): number {
  if (!(score > 0)) return p.listedWeight;
  if (score <= p.dislikeThreshold) {
    return -p.dislikeWeight * ((p.dislikeThreshold + 1 - score) / p.dislikeThreshold);
  }
  if (!p.scoreCentering) return score / 10;
  return Math.max(0.1, 1 + (score - userMean) / 2);
}

export class ContentRecommender implements Recommender {
  readonly kind = 'content';

  constructor(
    readonly nItems: number,
    readonly params: ContentParams,
    /** Neighbour CSR: row i lists item i's most similar items, best first. */
    readonly indptr: Int32Array,
    readonly indices: Int32Array,
    readonly sims: Float32Array,
    /** 1 when the item has any content feature (metadata or synopsis), else 0. */
    readonly hasFeatures: Uint8Array,
    readonly stats: Record<string, number> = {},
  ) {}

  scoreFoldIn(history: History, out: Float32Array): void {
    const p = this.params;
    let sum = 0;
    let scored = 0;
    for (let h = 0; h < history.items.length; h++) {
      const s = history.scores[h]!;
      if (s > 0) {
        sum += s;
        scored++;
      }
    }
    const mean = scored > 0 ? sum / scored : 0;
    for (let i = 0; i < this.nItems; i++) out[i] = this.hasFeatures[i] === 1 ? 0 : -Infinity;
    let totalWeight = 0;
    const contributions: [number, number][] = [];
    for (let h = 0; h < history.items.length; h++) {
      const item = history.items[h]!;
      if (item < 0 || item >= this.nItems || this.hasFeatures[item] !== 1) continue;
      const w = contentHistoryWeight(history.scores[h]!, mean, p);
      if (w === 0) continue;
      totalWeight += Math.abs(w);
      contributions.push([item, w]);
    }
    if (totalWeight === 0) return;
    // Dividing by Σ|w| keeps scores a weighted mean similarity, comparable across history lengths.
    for (const [item, w] of contributions) {
      const scaled = w / totalWeight;
      for (let e = this.indptr[item]!; e < this.indptr[item + 1]!; e++) {
        out[this.indices[e]!]! += scaled * this.sims[e]!;
      }
    }
  }

  /** "More like this": up to k most content-similar items to `item`, best first. */
  similarItems(item: number, k: number): { items: Int32Array; scores: Float32Array } {
    if (item < 0 || item >= this.nItems) return { items: new Int32Array(0), scores: new Float32Array(0) };
    const start = this.indptr[item]!;
    const end = Math.min(this.indptr[item + 1]!, start + Math.max(0, k));
    return { items: this.indices.subarray(start, end), scores: this.sims.subarray(start, end) };
  }

  async save(dir: string): Promise<void> {
    writeArray(join(dir, 'neighbour-indptr.bin'), this.indptr);
    writeArray(join(dir, 'neighbour-indices.bin'), this.indices);
    writeArray(join(dir, 'neighbour-sims.bin'), this.sims);
    writeArray(join(dir, 'has-features.bin'), this.hasFeatures);
    writeManifest(dir, { kind: this.kind, formatVersion: 1, params: this.params, nItems: this.nItems, stats: this.stats });
  }
}

export async function trainContentModel(
  data: TrainingData,
  catalogue: ReadonlyMap<number, Anime>,
  params: Partial<ContentParams> = {},
  options: TrainOptions = {},
): Promise<ContentRecommender> {
  const p: ContentParams = { ...DEFAULT_CONTENT_PARAMS, ...params, features: { ...DEFAULT_CONTENT_PARAMS.features, ...params.features } };
  const n = data.nItems;
  const progress = options.onProgress ?? (() => {});
  const items: (Anime | undefined)[] = Array.from(data.itemIds, (id) => catalogue.get(id));

  // --- metadata
  const meta = buildItemFeatures(items, p.features);
  const metaSparse = metaRows(meta);
  const metaPost = postings(metaSparse, meta.vocabulary.length);

  // --- synopsis: cached USE vectors where the hash matches, TF-IDF for the rest
  const cache: EmbeddingCache | null =
    p.useEmbeddings && p.textWeight > 0 ? tryLoadEmbeddingCache(p.embeddingCachePath ?? BUNDLED_DATA.embeddingCache) : null;
  /** 0 = no synopsis, 1 = USE vector, 2 = TF-IDF vector. */
  const textKind = new Uint8Array(n);
  const useSlot = new Int32Array(n).fill(-1);
  const useVectors: Float32Array[] = [];
  const synopses: string[] = items.map((a) => (p.textWeight > 0 ? cleanSynopsis(a?.synopsis) : ''));
  for (let i = 0; i < n; i++) {
    if (synopses[i]!.length === 0) continue;
    const v = cache?.lookup(data.itemIds[i]!, synopses[i]) ?? null;
    if (v !== null) {
      textKind[i] = 1;
      useSlot[i] = useVectors.length;
      useVectors.push(v);
    } else {
      textKind[i] = 2;
    }
  }
  const nUse = useVectors.length;
  const dims = cache?.dims ?? 0;
  let useGram: Float32Array = new Float32Array(0);
  if (nUse > 0) {
    const u = new Float32Array(nUse * dims);
    useVectors.forEach((v, k) => u.set(v, k * dims));
    if (p.centerEmbeddings && nUse > 1) {
      const mean = new Float64Array(dims);
      for (let k = 0; k < nUse; k++) for (let d = 0; d < dims; d++) mean[d]! += u[k * dims + d]!;
      for (let d = 0; d < dims; d++) mean[d]! /= nUse;
      for (let k = 0; k < nUse; k++) {
        let norm = 0;
        for (let d = 0; d < dims; d++) {
          const x = u[k * dims + d]! - mean[d]!;
          u[k * dims + d] = x;
          norm += x * x;
        }
        norm = Math.sqrt(norm);
        if (norm > 0) for (let d = 0; d < dims; d++) u[k * dims + d]! /= norm;
      }
    }
    progress(0.05, `content: synopsis similarities of ${nUse} embedded titles`);
    useGram = await cosineGram(u, nUse, dims);
  }
  // TF-IDF is fitted on every synopsis (better idf) but used only for titles without a USE vector.
  const withText = synopses.map((s, i) => (textKind[i] === 0 ? '' : s));
  const tfidf = withText.some((s, i) => s.length > 0 && textKind[i] === 2) ? tfidfVectors(withText) : null;
  const tfidfRows: (SparseVector | null)[] = Array.from({ length: n }, (_, i) =>
    tfidf !== null && textKind[i] === 2 && tfidf.vectors[i]!.indices.length > 0 ? tfidf.vectors[i]! : null,
  );
  const tfidfPost = tfidf !== null ? postings(tfidfRows, tfidf.vocabulary.length) : null;

  const hasFeatures = new Uint8Array(n);
  for (let i = 0; i < n; i++) hasFeatures[i] = metaSparse[i] !== null || textKind[i] !== 0 ? 1 : 0;

  // --- neighbour lists
  const k = Math.max(1, p.neighbours);
  const accMeta = new Float32Array(n);
  const accText = new Float32Array(n);
  const hasMeta = Uint8Array.from(metaSparse, (r) => (r !== null ? 1 : 0));
  const wm = p.metadataWeight;
  const wt = p.textWeight;
  const invBoth = wm + wt > 0 ? 1 / (wm + wt) : 0;
  const minSim = p.minSimilarity;
  const heap = new TopHeap(k);
  const mark = new Int32Array(n);
  const cand = new Int32Array(n);
  let nCand = 0;
  const candidateToken = Uint8Array.from(meta.vocabulary, (t) => (t.startsWith('tag:') || t.startsWith('studio:') ? 1 : 0));
  const rowIndices: Int32Array[] = new Array(n);
  const rowSims: Float32Array[] = new Array(n);
  let total = 0;
  const useIds = new Int32Array(nUse);
  for (let i = 0; i < n; i++) if (useSlot[i]! >= 0) useIds[useSlot[i]!] = i;
  for (let i = 0; i < n; i++) {
    if ((i & 511) === 0) progress(0.4 + (0.6 * i) / n, `content: neighbours ${i}/${n}`);
    if (hasFeatures[i] !== 1) {
      rowIndices[i] = new Int32Array(0);
      rowSims[i] = new Float32Array(0);
      continue;
    }
    accMeta.fill(0);
    accText.fill(0);
    const mi = metaSparse[i];
    // Candidates: titles sharing a tag or studio with i, or with a comparable synopsis vector.
    // Titles sharing only format/era/length/source are too weakly similar to make a top list, and
    // skipping them saves most of the n² scan on a 14k-title catalogue.
    nCand = 0;
    const stamp = i + 1;
    if (mi) {
      for (let t = 0; t < mi.indices.length; t++) {
        const f = mi.indices[t]!;
        const w = mi.values[t]!;
        const selective = candidateToken[f] === 1;
        for (let e = metaPost.ptr[f]!; e < metaPost.ptr[f + 1]!; e++) {
          const j = metaPost.row[e]!;
          accMeta[j]! += w * metaPost.val[e]!;
          if (selective && mark[j] !== stamp) {
            mark[j] = stamp;
            cand[nCand++] = j;
          }
        }
      }
    }
    if (textKind[i] === 1) {
      const row = useGram.subarray(useSlot[i]! * nUse, (useSlot[i]! + 1) * nUse);
      for (let s = 0; s < nUse; s++) {
        const j = useIds[s]!;
        accText[j] = row[s]!;
        if (mark[j] !== stamp) {
          mark[j] = stamp;
          cand[nCand++] = j;
        }
      }
    } else if (textKind[i] === 2 && tfidfRows[i] && tfidfPost) {
      const ti = tfidfRows[i]!;
      for (let t = 0; t < ti.indices.length; t++) {
        const f = ti.indices[t]!;
        const w = ti.values[t]!;
        for (let e = tfidfPost.ptr[f]!; e < tfidfPost.ptr[f + 1]!; e++) {
          const j = tfidfPost.row[e]!;
          accText[j]! += w * tfidfPost.val[e]!;
          if (mark[j] !== stamp) {
            mark[j] = stamp;
            cand[nCand++] = j;
          }
        }
      }
    }
    const metaI = mi !== null && wm > 0 ? 1 : 0;
    const kindI = textKind[i]!;
    // Normalise by the weights of the parts both titles have, so titles without a synopsis
    // (e.g. the 2016 catalogue) are compared on metadata alone at full scale.
    // No selective token and no text: fall back to scanning every title.
    if (nCand === 0) for (let j = 0; j < n; j++) cand[nCand++] = j;
    combineRow(i, cand, nCand, metaI, kindI, hasFeatures, hasMeta, textKind, accMeta, accText, wm, wt, invBoth, minSim, heap);
    const top = heap.sorted();
    rowIndices[i] = top.items;
    rowSims[i] = top.scores;
    total += top.items.length;
  }
  const indptr = new Int32Array(n + 1);
  const indices = new Int32Array(total);
  const sims = new Float32Array(total);
  for (let i = 0; i < n; i++) {
    indices.set(rowIndices[i]!, indptr[i]!);
    sims.set(rowSims[i]!, indptr[i]!);
    indptr[i + 1] = indptr[i]! + rowIndices[i]!.length;
  }
  let withTfidf = 0;
  for (let i = 0; i < n; i++) if (textKind[i] === 2) withTfidf++;
  const stats = {
    itemsWithFeatures: hasFeatures.reduce((s, x) => s + x, 0),
    itemsWithMetadata: metaSparse.filter((r) => r !== null).length,
    synopsesEmbedded: nUse,
    synopsesTfidf: withTfidf,
    neighbourPairs: total,
  };
  progress(1, `content: done (${stats.synopsesEmbedded} embedded synopses, ${stats.synopsesTfidf} TF-IDF)`);
  return new ContentRecommender(n, p, indptr, indices, sims, hasFeatures, stats);
}

registerModelKind('content', (dir, manifest) => {
  const params = { ...DEFAULT_CONTENT_PARAMS, ...(manifest.params as Partial<ContentParams>) };
  return new ContentRecommender(
    manifest.nItems as number,
    params,
    readArray(join(dir, 'neighbour-indptr.bin'), Int32Array),
    readArray(join(dir, 'neighbour-indices.bin'), Int32Array),
    readArray(join(dir, 'neighbour-sims.bin'), Float32Array),
    readArray(join(dir, 'has-features.bin'), Uint8Array),
    (manifest.stats as Record<string, number> | undefined) ?? {},
  );
});
