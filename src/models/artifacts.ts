import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

export function readArray<T extends TypedArray>(path: string, type: TypedArrayConstructor<T>): T {
  const bytes = readFileSync(path);
  if (bytes.byteLength % type.BYTES_PER_ELEMENT !== 0) {
    throw new Error(`${path}: ${bytes.byteLength} bytes is not a whole number of ${type.BYTES_PER_ELEMENT}-byte values; the model file is damaged`);
  }
  // Copy into a fresh, aligned buffer: Buffers from readFileSync may share a pool at any offset.
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
  const manifest = readManifest(dir);
  const loader = loaders.get(manifest.kind);
  if (loader === undefined) {
    throw new Error(`${dir}: model kind "${manifest.kind}" is unknown to this anirec (known: ${[...loaders.keys()].join(', ') || 'none registered'})`);
  }
  return loader(dir, manifest);
}
