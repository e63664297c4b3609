import type { AnimeRelation } from '../data/types.js';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { Anime } from '../data/types.js';
import { SqliteStore, type Store } from '../store/index.js';
import type { TagIndexData } from './similar-items.js';
import type { UserIndexData } from './similar-users.js';
import type { Baseline } from './taste-profile.js';
import type { TimeSlicer } from './time-slicer.js';
import type { TitleIndexData } from './title-search.js';

/**
 * What an engine needs from the store, read in a worker thread: the catalogue, the neighbour
 * index over every user's list and the title-search index (both built there as typed arrays and
 * transferred, not copied) and the average-list baseline. Reading every list entry and title out
 * of SQLite and indexing them is a long stretch of CPU, which on the event loop would stall every
 * request for as long (docs/benchmarks.md, the model swap);
 * the worker opens its own read-only connection to the store's file, so none of it runs there.
 *
 * The catalogue comes as serialised chunks of CHUNK titles (v8.serialize, transferred): a port
 * delivers every message already queued in one turn of the event loop, so posting the titles as
 * objects would deserialise all of them in one go; chunks are turned into objects one at a time
 * by `animeOf`, with a time slicer giving way to requests in between. It is left out entirely
 * when the caller already holds the same catalogue (its fingerprint matches): turning the
 * catalogue's titles into objects is most of what a swap costs the event loop, and only imports
 * change it.
 */
export interface StoreSnapshot {
  /** Fingerprint of the catalogue's content: every title's stored record and the relations, serialised. */
  catalogHash: string;
  /**
   * The catalogue (serialised chunks) and its title index; null when the caller said it already
   * has a catalogue with this fingerprint (a model swap with no import since), which it reuses.
   */
  catalogue: { animeChunks: Uint8Array[]; titles: TitleIndexData; relations: AnimeRelation[] } | null;
  users: UserIndexData;
  /** The catalogue tags of the model's items (for diversity and tag similarity). */
  tags: TagIndexData;
  baseline: Baseline;
}

/** Titles per chunk: deserialising one is a few milliseconds of the event loop. */
export const CHUNK = 250;

export type SnapshotMessage =
  | { type: 'file'; path: string; content: Uint8Array }
  | { type: 'files-end' }
  | ({ type: 'done' } & StoreSnapshot)
  | { type: 'error'; message: string };

export interface WorkerData {
  storeFile: string;
  /** The fingerprint of the catalogue the caller has: an unchanged catalogue is not sent again. */
  knownCatalogHash: string | null;
  /** A model directory whose array files the worker reads first (null: the model is already in memory). */
  modelDir: string | null;
  /** The model's item ids when it is already in memory (else read from modelDir). */
  itemIds: Int32Array | null;
}

/** What a worker reads: the model's array files (when asked for), then the store snapshot. */
export interface WorkerReads {
  modelFiles: Promise<Map<string, Uint8Array>>;
  snapshot: Promise<StoreSnapshot>;
}

/** Serialised titles as objects, chunk by chunk (yielding between chunks when sliced). */
export async function animeOf(chunks: readonly Uint8Array[], slicer: TimeSlicer | null): Promise<Anime[]> {
  const anime: Anime[] = [];
  for (const chunk of chunks) {
    for (const a of deserialize(chunk) as Anime[]) anime.push(a);
    await slicer?.maybeYield();
  }
  return anime;
}

/**
 * The file a store can be reopened from by another thread, or null (an in-memory store, or a
 * backend without a file, which the caller reads on this thread instead).
 */
export function storeFileOf(store: Store): string | null {
  return store instanceof SqliteStore ? store.file : null;
}

/** Starts the worker module next to this one: .js once compiled, .ts when running the sources under tsx. */
function startWorker(workerData: WorkerData): Worker {
  const ext = extname(fileURLToPath(import.meta.url));
  const entry = new URL(`./store-snapshot-worker${ext}`, import.meta.url);
  if (ext !== '.ts') return new Worker(entry, { workerData });
  // Loader hooks registered with `--import tsx` do not reach worker threads on Node 20, so the
  // worker registers tsx itself before it imports its TypeScript entry, after lowering its
  // priority as the entry does (tsx's loader thread then inherits it).
  const tsx = import.meta.resolve('tsx/esm/api');
  const lower = `try { require('node:os').setPriority(Number(require('node:path').basename(require('node:fs').readlinkSync('/proc/thread-self'))), 19); } catch {}`;
  const bootstrap = `${lower} import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/**
 * Reads in a worker thread, at low priority: the array files of the model directory (when the
 * model is not in memory yet; the thread pool reading a large model's files competed with the
 * event loop for the CPU), then the store snapshot from `storeFile`, with the tag index for the
 * model's items. Both promises reject if the worker fails.
 */
export function readInWorker(
  storeFile: string,
  model: { dir: string } | { itemIds: Int32Array },
  knownCatalogHash: string | null = null,
): WorkerReads {
  const modelDir = 'dir' in model ? model.dir : null;
  const worker = startWorker({ storeFile, modelDir, itemIds: 'itemIds' in model ? model.itemIds : null, knownCatalogHash });
  let files!: { resolve: (files: Map<string, Uint8Array>) => void; reject: (error: Error) => void };
  let snapshot!: { resolve: (snapshot: StoreSnapshot) => void; reject: (error: Error) => void };
  const reads: WorkerReads = {
    modelFiles: new Promise((resolve, reject) => (files = { resolve, reject })),
    snapshot: new Promise((resolve, reject) => (snapshot = { resolve, reject })),
  };
  if (modelDir === null) files.resolve(new Map());
  const fail = (error: Error): void => {
    // Settling a settled promise does nothing, so whichever is still open learns of the failure.
    files.reject(error);
    snapshot.reject(error);
  };
  const received = new Map<string, Uint8Array>();
  worker.on('message', (message: SnapshotMessage) => {
    if (message.type === 'file') {
      received.set(message.path, message.content);
      // One file per turn of the event loop, asked for one at a time: a large model's arrays
      // arriving in one go made V8 run a full, non-incremental collection for the sudden
      // growth of external memory, which stalled the event loop.
      setImmediate(() => worker.postMessage('next'));
    } else if (message.type === 'files-end') {
      files.resolve(received);
    } else if (message.type === 'done')
      snapshot.resolve({
        catalogHash: message.catalogHash,
        catalogue: message.catalogue,
        users: message.users,
        tags: message.tags,
        baseline: message.baseline,
      });
    else fail(new Error(message.message));
  });
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the store snapshot worker exited (code ${code}) before it finished`)));
  return reads;
}
