import { existsSync } from 'node:fs';
import type { Store } from './store.js';
import { StoreNotFoundError, StoreUrlError } from './errors.js';
import { PostgresStore } from './postgres/postgres-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';

/**
 * Stores are opened by URL, so every command, the API and the library choose a backend the same
 * way and a new backend is one registration, not a new flag in every command. A location with no
 * scheme is a SQLite file path, which keeps `--db PATH` and plain paths meaning what they did.
 */

export interface OpenStoreOptions {
  /** Refuse to create a new store: the caller only reads, so a missing one is an error (StoreNotFoundError). */
  mustExist?: boolean;
}

export interface StoreBackend {
  /** Schemes without the colon, lower case: "sqlite", "postgres". */
  schemes: readonly string[];
  /** How the URL looks, for the list an unknown scheme prints. */
  example: string;
  /** `rest` is the URL after "scheme:"; `url` the whole URL (a network backend's driver takes it as given). */
  open(rest: string, url: string, options: OpenStoreOptions): Promise<Store>;
  /** The location for messages (a file path, a URL without its password). */
  describe(rest: string, url: string): string;
}

const backends = new Map<string, StoreBackend>();

/** Adds a backend; a scheme registered twice is a programming error, not a silent override. */
export function registerStoreBackend(backend: StoreBackend): void {
  for (const scheme of backend.schemes) {
    if (backends.has(scheme)) throw new Error(`A store backend for "${scheme}:" is already registered.`);
  }
  for (const scheme of backend.schemes) backends.set(scheme, backend);
}

/** Schemes need two characters at least, so a Windows path like C:\anirec.db stays a bare path. */
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]+):/;

function resolve(url: string): { backend: StoreBackend; rest: string } {
  if (url.trim() === '') throw new StoreUrlError('The store URL is empty; give sqlite:PATH, a file path, or postgres://HOST/DB.');
  const match = SCHEME.exec(url);
  if (match === null) return { backend: backends.get('sqlite')!, rest: url };
  const scheme = match[1]!.toLowerCase();
  const backend = backends.get(scheme);
  if (backend === undefined) {
    const known = [...new Set(backends.values())].map((b) => b.example).join(', ');
    throw new StoreUrlError(
      `Unknown store scheme "${scheme}:" in ${redactStoreUrl(url)}; anirec knows ${known}, or a bare file path (SQLite).`,
    );
  }
  return { backend, rest: url.slice(match[0].length) };
}

/** Opens the store `url` names: `sqlite:PATH`, `sqlite::memory:`, a bare PATH (SQLite), `postgres://…`. */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  const { backend, rest } = resolve(url);
  return backend.open(rest, url, options);
}

/** The store's location as a person reads it in messages: the file path for SQLite, else the URL without its password. */
export function describeStore(url: string): string {
  const { backend, rest } = resolve(url);
  return backend.describe(rest, url);
}

/** `postgres://user:secret@host/db?password=x` → `postgres://user:***@host/db?password=***`: URLs end up in logs and errors. */
export function redactStoreUrl(url: string): string {
  return url.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^/:@]*):[^@/]*@/, '$1:***@').replace(/([?&]password=)[^&]*/gi, '$1***');
}

/** `sqlite://PATH` (gorse's spelling) and `sqlite:PATH` both name PATH; `sqlite::memory:` is an in-memory store. */
function sqlitePath(rest: string): string {
  const path = rest.startsWith('//') ? rest.slice(2) : rest;
  if (path === '') throw new StoreUrlError('sqlite: needs a file path (sqlite:PATH) or :memory: (sqlite::memory:).');
  return path;
}

registerStoreBackend({
  schemes: ['sqlite'],
  example: 'sqlite:PATH (sqlite::memory: for a throw-away store)',
  async open(rest, _url, options) {
    const path = sqlitePath(rest);
    if (options.mustExist && path !== ':memory:' && !existsSync(path)) throw new StoreNotFoundError(path);
    return SqliteStore.open(path);
  },
  describe: (rest) => sqlitePath(rest),
});

registerStoreBackend({
  schemes: ['postgres', 'postgresql'],
  example: 'postgres://USER:PASSWORD@HOST:PORT/DB (?pool_max=N connections, default 10)',
  async open(_rest, url, options) {
    return PostgresStore.open(url, { location: redactStoreUrl(url), mustExist: options.mustExist ?? false });
  },
  describe: (_rest, url) => redactStoreUrl(url),
});
