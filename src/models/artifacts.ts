import { AsyncLocalStorage } from 'node:async_hooks';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Recommender } from './types.js';

/**
 * On-disk model format: a directory with `manifest.json` ({ kind, formatVersion, params, ... })
 * and raw little-endian typed arrays in `.bin` files. Loading only reads, so model directories
 * can be mounted read-only; and arrays load without parsing, which keeps server start fast.
 */

type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array | Int8Array | Uint32Array;
type TypedArrayConstructor<T extends TypedArray> = { new (buffer: ArrayBuffer): T; BYTES_PER_ELEMENT: number };

export interface ModelManifest {
  kind: string;
  formatVersion: number;
  params?: unknown;
  [extra: string]: unknown;
}

export function writeArray(path: string, array: TypedArray): void {
  writeFileSync(path, new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
}

/**
 * While a model loads (`loadingModel`): its array files, already read (asynchronously, or by a
 * worker thread), and how to give way to the event loop between components.
 */
interface LoadingContext {
  files: Map<string, Uint8Array>;
  pause: () => Promise<void>;
}
const loading = new AsyncLocalStorage<LoadingContext>();

function binFiles(entries: import('node:fs').Dirent[]): string[] {
  // `parentPath` is Node 20.12+; `path` is its older name.
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.bin'))
    .map((e) => resolve((e as { parentPath?: string }).parentPath ?? e.path, e.name));
}

/** Every `.bin` file under a model directory, read synchronously (for a worker thread), by absolute path. */
export function readModelFiles(dir: string): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  for (const path of binFiles(readdirSync(dir, { withFileTypes: true, recursive: true }))) {
    const bytes = readFileSync(path);
    // Small files come from Buffer's shared pool: copied, so each file's buffer can be transferred alone.
    files.set(path, bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.byteLength ? bytes : new Uint8Array(bytes));
  }
  return files;
}

/**
 * Runs `load` (which reads a model from `dir` with readArray and loadRecommender) with every
 * `.bin` file under `dir` already in memory: `files` when a worker thread read them, else read
 * here asynchronously (on libuv's thread pool, not the event loop). `pause` is called between
 * files and before each model component is built: a server loading a new model passes a time
 * slicer there so requests run in between.
 */
export async function loadingModel<T>(
  dir: string,
  pause: () => Promise<void>,
  load: () => Promise<T>,
  files?: Map<string, Uint8Array>,
): Promise<T> {
  let ahead = files;
  if (ahead === undefined) {
    ahead = new Map();
    for (const path of binFiles(await readdir(dir, { withFileTypes: true, recursive: true }))) {
      ahead.set(path, await readFile(path));
      await pause();
    }
  }
  return loading.run({ files: ahead, pause }, load);
}

/** Gives way to the event loop if a model is being loaded with a pause (see loadingModel). */
export async function loadingPause(): Promise<void> {
  await loading.getStore()?.pause();
}

export function readArray<T extends TypedArray>(path: string, type: TypedArrayConstructor<T>): T {
  const context = loading.getStore();
  const key = resolve(path);
  const ahead = context?.files.get(key);
  // Each file is read once per load; dropping it here lets the array below own the memory alone.
  if (ahead !== undefined) context!.files.delete(key);
  const bytes = ahead ?? readFileSync(path);
  if (bytes.byteLength % type.BYTES_PER_ELEMENT !== 0) {
    throw new Error(
      `${path}: ${bytes.byteLength} bytes is not a whole number of ${type.BYTES_PER_ELEMENT}-byte values; the model file is damaged`,
    );
  }
  // A file's Buffer usually owns its whole ArrayBuffer (files above a few KB): view it as is.
  // Small files come from Buffer's shared pool at any offset: copy those into an aligned buffer.
  if (bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.byteLength && bytes.buffer instanceof ArrayBuffer)
    return new type(bytes.buffer);
  const buffer = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(buffer).set(bytes);
  return new type(buffer);
}

export function writeManifest(dir: string, manifest: ModelManifest): void {
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

export function readManifest(dir: string): ModelManifest {
  let manifest: ModelManifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as ModelManifest;
  } catch (error) {
    throw new Error(`${dir}: no readable model manifest.json (${(error as Error).message})`);
  }
  if (typeof manifest.kind !== 'string') throw new Error(`${dir}/manifest.json has no model kind`);
  return manifest;
}

type Loader = (dir: string, manifest: ModelManifest) => Promise<Recommender> | Recommender;
const loaders = new Map<string, Loader>();

/** Each model file registers how to load its kind, so this module never imports the models. */
export function registerModelKind(kind: string, loader: Loader): void {
  loaders.set(kind, loader);
}

export async function loadRecommender(dir: string): Promise<Recommender> {
  await loadingPause();
  const manifest = readManifest(dir);
  const loader = loaders.get(manifest.kind);
  if (loader === undefined) {
    throw new Error(
      `${dir}: model kind "${manifest.kind}" is unknown to this anirec (known: ${[...loaders.keys()].join(', ') || 'none registered'})`,
    );
  }
  return loader(dir, manifest);
}
