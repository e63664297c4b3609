/**
 * Worker thread of readInWorker (store-snapshot.ts): reads a model directory's array files and
 * posts them, then reads the store file given in workerData through its own read-only connection
 * and posts the catalogue (serialised chunks, unless the caller has it already), the title and
 * neighbour indexes and the baseline, every array transferred (moved, not copied), then exits.
 *
 * The thread first lowers its own priority (see lowerThreadPriority) and only then loads the
 * modules it needs, so even loading them competes with nothing the event loop needs.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { basename, resolve } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type { SnapshotMessage, WorkerData } from './store-snapshot.js';

/**
 * This thread, and threads it starts, yield the CPU to every thread of normal priority: the
 * snapshot takes longer, while the event loop serving requests does not wait for a core (on a
 * 2-core machine a busy worker at normal priority made it wait tens of milliseconds at a time).
 * Linux applies a nice value to the one thread whose id is given, and new threads inherit it;
 * elsewhere the thread keeps its priority. (The same code runs inline in store-snapshot.ts's
 * bootstrap for TypeScript sources, before tsx loads.)
 */
function lowerThreadPriority(): void {
  try {
    const tid = Number(basename(readlinkSync('/proc/thread-self')));
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, 19);
  } catch {
    // Not Linux, or not allowed: run at normal priority.
  }
}

async function main(): Promise<void> {
  lowerThreadPriority();
  const [
    { createHash },
    { serialize },
    { readModelFiles },
    { SqliteStore },
    { Catalog },
    { buildTagIndexData, tagIndexBuffers },
    { buildUserIndexData, userIndexBuffers },
    { CHUNK },
    { computeBaseline },
    { buildTitleIndexData, titleIndexBuffers },
  ] = await Promise.all([
    import('node:crypto'),
    import('node:v8'),
    import('../models/artifacts.js'),
    import('../store/index.js'),
    import('./catalog.js'),
    import('./similar-items.js'),
    import('./similar-users.js'),
    import('./store-snapshot.js'),
    import('./taste-profile.js'),
    import('./title-search.js'),
  ]);
  const port = parentPort!;
  const post = (message: SnapshotMessage, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);
  try {
    const { storeFile, modelDir, knownCatalogHash } = workerData as WorkerData;
    let itemIds = (workerData as WorkerData).itemIds;
    if (modelDir !== null) {
      const files = readModelFiles(modelDir);
      const ids = files.get(resolve(modelDir, 'item-ids.bin'));
      if (ids === undefined) throw new Error(`${modelDir} has no item-ids.bin; it is not a complete model`);
      // A copy: the file's own buffer is moved to the main thread below.
      itemIds = new Int32Array(ids.buffer.slice(ids.byteOffset, ids.byteOffset + ids.byteLength));
      // One file per message, each after the main thread asked for the next (see readInWorker).
      for (const [path, content] of files) {
        post({ type: 'file', path, content }, [content.buffer as ArrayBuffer]);
        await new Promise((resolve) => port.once('message', resolve));
      }
      post({ type: 'files-end' });
    }
    const store = SqliteStore.open(storeFile, { readonly: true });
    try {
      const anime = await store.listAnime();
      const animeChunks: Uint8Array[] = [];
      const hash = createHash('sha1');
      for (let i = 0; i < anime.length; i += CHUNK) {
        // Copied into its own buffer: a transferred buffer must not be shared with anything else.
        const chunk = new Uint8Array(serialize(anime.slice(i, i + CHUNK)));
        hash.update(chunk);
        animeChunks.push(chunk);
      }
      const relations = await store.animeRelations();
      hash.update(new Uint8Array(serialize(relations)));
      const catalogHash = hash.digest('base64url');
      const titles = catalogHash === knownCatalogHash ? null : buildTitleIndexData(anime);
      const columns = await store.allInteractions();
      const users = buildUserIndexData(columns);
      const catalog = new Catalog(anime, relations);
      const baseline = computeBaseline(columns, catalog);
      const tags = buildTagIndexData(itemIds!, catalog);
      const catalogue = titles === null ? null : { animeChunks, titles, relations };
      const transfer = [
        ...userIndexBuffers(users),
        ...tagIndexBuffers(tags),
        ...(catalogue ? [...animeChunks.map((c) => c.buffer as ArrayBuffer), ...titleIndexBuffers(catalogue.titles)] : []),
      ];
      post({ type: 'done', catalogHash, catalogue, users, tags, baseline }, transfer);
    } finally {
      await store.close();
    }
  } catch (error) {
    post({ type: 'error', message: (error as Error).message ?? String(error) });
  }
}

await main();
