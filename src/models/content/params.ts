/** The content model's hyper-parameters and defaults (each documented where it is declared). */
import type { ItemFeatureParams } from './item-features.js';

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
