/**
 * Shapes shared by every model. Models see items by dense index (0..nItems-1), never by MAL id:
 * `TrainingData.itemIds` maps an index back to the MAL id.
 */

/** User×item interactions in CSR form (rows = users), plus the item vocabulary. */
export interface TrainingData {
  nUsers: number;
  nItems: number;
  /** Item index → MAL anime id. Includes catalogue titles nobody interacted with (cold items). */
  itemIds: Int32Array;
  /** Row pointers, length nUsers + 1. */
  indptr: Int32Array;
  /** Item index of each entry; sorted ascending within a user's row. */
  indices: Int32Array;
  /** The user's score 1–10, or 0 when the title is listed without a score. */
  scores: Float32Array;
}

/** What a model knows about a user it is asked to score: their list, in the model's item space. */
export interface History {
  items: Int32Array;
  /** Parallel to `items`: score 1–10, or 0 for listed without a score. */
  scores: Float32Array;
}

/**
 * A trained model that can score items for a user it never saw in training (fold-in), which is
 * how anirec serves new users and how evaluation works (strong generalisation).
 */
export interface Recommender {
  /** Model family, e.g. "ease", "als", "itemknn", "popularity", "content", "anirec". */
  readonly kind: string;
  readonly nItems: number;
  /**
   * Writes a preference score for every item into `out` (length nItems); higher is better.
   * Items the model cannot judge get -Infinity. Items in the history are NOT masked here: the
   * caller decides what to exclude.
   *
   * `eligible` (optional, one byte per item, 1 = may be recommended) is what a filtered request
   * allows. Models that score every item on its own ignore it; a model that first picks a short
   * list of candidates (the hybrid) picks them among eligible items, so a narrow filter still gets
   * model-ranked titles instead of whatever of an unfiltered short list survives the filter.
   * Scores of ineligible items are then unspecified.
   */
  scoreFoldIn(history: History, out: Float32Array, eligible?: Uint8Array): void;
  /** Persists the model into `dir` (which exists and is empty). */
  save(dir: string): Promise<void>;
  /**
   * Optional: the k items most similar to `item` (item-kNN, iALS, content). Callers check for it
   * ("more like this", reasons, the score predictor) instead of testing the kind.
   */
  similarItems?: ItemSimilarity['similarItems'];
  /** Optional: the named models this one is built from (the hybrid's components), by name. */
  components?(): ReadonlyMap<string, Recommender>;
}

/** A model of which items resemble which. */
export interface ItemSimilarity {
  /**
   * The k most similar items, best first. The arrays may be views into the model's own storage
   * (no copy per call, which matters at one call per liked title per request): read, never write.
   */
  similarItems(item: number, k: number): { items: Int32Array; scores: Float32Array };
}

/** Training knobs every trainer accepts. */
export interface TrainOptions {
  seed?: number;
  /** Called now and then so long trainings can report progress (0..1) and a short message. */
  onProgress?: (fraction: number, message: string) => void;
}
