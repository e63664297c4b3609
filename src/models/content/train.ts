import { BUNDLED_DATA } from '../../data/bundled.js';
import type { Anime } from '../../data/types.js';
import type { TrainingData, TrainOptions } from '../types.js';
import { cosineGram } from './gram.js';
import { buildItemFeatures } from './item-features.js';
import { ContentRecommender } from './model.js';
import { combineRow, metaRows, postings, TopHeap } from './neighbours.js';
import { DEFAULT_CONTENT_PARAMS, type ContentParams } from './params.js';
import { cleanSynopsis, tfidfVectors, tryLoadEmbeddingCache, type EmbeddingCache, type SparseVector } from './text-embeddings.js';

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
