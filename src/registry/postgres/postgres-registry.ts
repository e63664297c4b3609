import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { redactStoreUrl } from '../../store/index.js';
import type { PruneOptions, RegistryWatch, Registry } from '../registry-api.js';
import type { RegisterOptions } from '../registry.js';
import {
  alreadyProduction,
  cleanMetrics,
  newManifest,
  noProductionToRollBack,
  pickProduction,
  pruneSelection,
  refuseArchiveProduction,
  resolveRef,
  rollbackTarget,
  stamper,
  transitioned,
} from '../rules.js';
import { RegistryError, RegistryLockedError, type ModelVersion, type VersionManifest, type VersionMetrics } from '../types.js';
import { readBundleManifest, VERSION_FILE, VERSION_ID_PATTERN } from '../version-file.js';
import { bundleFiles, DEFAULT_CHUNK_BYTES, downloadBundle, uploadFile } from './artifacts.js';
import { listenForChanges } from './listen.js';
import { migrateRegistry, PRODUCTION_CHANNEL, REGISTRY_LOCK_SPACE, WRITER_LOCK } from './schema.js';

export interface PostgresRegistryOptions {
  /** Where this process keeps the versions it downloads to serve (its own, never shared). */
  cacheDir: string;
  /** Bytes per artifact chunk row (default DEFAULT_CHUNK_BYTES; tests use tiny ones). */
  chunkBytes?: number;
  /** How long a writer waits for another one holding the registry's writer lock (default 30 s). */
  lockTimeoutMs?: number;
  /** Clock, replaceable in tests. */
  now?: () => Date;
}

/** A partial download older than this was left by a process that died; younger ones may still be written. */
const STALE_PARTIAL_MS = 60 * 60_000;

interface VersionRow {
  manifest: VersionManifest;
  bundle_id: string;
}

/**
 * The shared registry: version manifests (with their history), every artifact of each bundle in
 * chunks, and the production pointer, in PostgreSQL. A registration is one transaction (a crash
 * leaves no half version); promote and rollback move the pointer in one transaction and NOTIFY
 * PRODUCTION_CHANNEL, on which serving replicas LISTEN. Writers serialize on a transaction-level
 * advisory lock (it works through a connection pool, unlike a session lock); readers never lock.
 */
export class PostgresRegistry implements Registry {
  readonly kind = 'postgres' as const;
  readonly location: string;
  readonly stagingRoot: string;
  private readonly chunkBytes: number;
  private readonly lockTimeoutMs: number;
  private readonly clock: () => Date;

  private constructor(
    private readonly url: string,
    private readonly pool: pg.Pool,
    private readonly options: PostgresRegistryOptions,
  ) {
    this.location = `the registry in ${redactStoreUrl(url)}`;
    this.stagingRoot = join(resolve(options.cacheDir), 'staging');
    this.chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    if (!Number.isInteger(this.chunkBytes) || this.chunkBytes < 1)
      throw new RegistryError(`chunkBytes must be a whole number ≥ 1 (got ${this.chunkBytes}).`);
    this.lockTimeoutMs = options.lockTimeoutMs ?? 30_000;
    this.clock = options.now ?? (() => new Date());
  }

  /** Connects and brings the registry's tables up to date. */
  static async open(url: string, options: PostgresRegistryOptions): Promise<PostgresRegistry> {
    const pool = new pg.Pool({ connectionString: url, max: 4, keepAlive: true });
    // An idle connection the server dropped (a restart) must not crash the process; the next query reconnects.
    pool.on('error', () => {});
    try {
      const client = await pool.connect();
      try {
        await migrateRegistry(client);
      } finally {
        client.release();
      }
    } catch (error) {
      await pool.end().catch(() => {});
      throw new RegistryError(
        `Cannot open the model registry in ${redactStoreUrl(url)}: ${(error as Error).message}. Check that the database is up and the URL (user, password, database) is right.`,
      );
    }
    return new PostgresRegistry(url, pool, options);
  }

  private versionOf(row: VersionRow): ModelVersion {
    return { ...row.manifest, dir: `${redactStoreUrl(this.url)}#${row.manifest.id}` };
  }

  private async readAll(client: pg.ClientBase | pg.Pool): Promise<ModelVersion[]> {
    const rows = (await client.query<VersionRow>('SELECT manifest, bundle_id FROM registry_versions ORDER BY seq')).rows;
    return rows.map((r) => this.versionOf(r));
  }

  async list(): Promise<ModelVersion[]> {
    return this.readAll(this.pool);
  }

  async show(ref: string): Promise<ModelVersion> {
    return resolveRef(ref, await this.list(), this.location);
  }

  async production(): Promise<ModelVersion | null> {
    const rows = (
      await this.pool.query<VersionRow>(
        'SELECT v.manifest, v.bundle_id FROM registry_production p JOIN registry_versions v ON v.id = p.version_id',
      )
    ).rows;
    return rows[0] ? this.versionOf(rows[0]) : null;
  }

  /** Runs `fn` in a transaction holding the writer lock; `fn` may first do work that needs no lock (an upload). */
  private async write<T>(fn: (client: pg.PoolClient, lock: () => Promise<ModelVersion[]>) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    // A checked-out client's connection errors are ours to catch (the pool only watches idle ones);
    // the query under way fails with it and the transaction is gone.
    const lost = (): void => {
      broken = true;
    };
    client.on('error', lost);
    try {
      await client.query('BEGIN');
      const lock = async (): Promise<ModelVersion[]> => {
        await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.round(this.lockTimeoutMs))}`);
        try {
          await client.query('SELECT pg_advisory_xact_lock($1, $2)', [REGISTRY_LOCK_SPACE, WRITER_LOCK]);
        } catch (error) {
          if ((error as { code?: string }).code === '55P03') {
            throw new RegistryLockedError(
              `The model registry in ${redactStoreUrl(this.url)} is being changed by another process (a registration or promotion) and stayed locked for ${Math.round(this.lockTimeoutMs / 1000)} s; nothing was changed. Retry when it has finished.`,
            );
          }
          throw error;
        }
        await client.query('SET LOCAL lock_timeout = 0');
        return this.reconcileIn(client, []);
      };
      const result = await fn(client, lock);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      client.off('error', lost);
      client.release(broken);
    }
  }

  private async save(client: pg.ClientBase, v: ModelVersion): Promise<void> {
    const { dir: _dir, ...manifest } = v;
    await client.query('UPDATE registry_versions SET manifest = $2, status = $3 WHERE id = $1', [v.id, JSON.stringify(manifest), v.status]);
  }

  private async setProduction(client: pg.ClientBase, v: ModelVersion): Promise<void> {
    await client.query(
      `INSERT INTO registry_production (singleton, version_id, changed_at) VALUES (true, $1, now())
       ON CONFLICT (singleton) DO UPDATE SET version_id = EXCLUDED.version_id, changed_at = EXCLUDED.changed_at`,
      [v.id],
    );
    // Delivered when the transaction commits, and only then.
    await client.query('SELECT pg_notify($1, $2)', [PRODUCTION_CHANNEL, v.id]);
  }

  async register(dir: string, options: RegisterOptions = {}): Promise<ModelVersion> {
    const source = resolve(dir);
    const bundle = readBundleManifest(source);
    const files = bundleFiles(source);
    const bundleId = randomUUID();
    const registered = await this.write(async (client, lock) => {
      // The upload needs no lock: its rows are invisible to everyone until the commit.
      for (const path of files) await uploadFile(client, bundleId, source, path, this.chunkBytes);
      const versions = await lock();
      const stamp = stamper(versions, this.clock);
      const { manifest, previous } = newManifest(versions, bundle, { ...options, source: options.source ?? source }, stamp);
      await client.query('INSERT INTO registry_versions (id, seq, status, bundle_id, manifest) VALUES ($1, $2, $3, $4, $5)', [
        manifest.id,
        manifest.seq,
        manifest.status,
        bundleId,
        JSON.stringify(manifest),
      ]);
      const version: ModelVersion = this.versionOf({ manifest, bundle_id: bundleId });
      if (manifest.status === 'production') {
        if (previous) await this.save(client, transitioned(previous, 'archived', 'promote', `replaced by ${manifest.id}`, stamp));
        await this.setProduction(client, version);
      }
      return version;
    });
    // The directory now lives in the database; a moved staging directory has no further use.
    if (options.move === true) rmSync(source, { recursive: true, force: true });
    return registered;
  }

  async promote(ref: string, reason = 'promoted by hand'): Promise<ModelVersion> {
    return this.write(async (client, lock) => {
      const versions = await lock();
      const target = resolveRef(ref, versions, this.location);
      if (target.status === 'production') throw alreadyProduction(target);
      const previous = pickProduction(versions);
      const stamp = stamper(versions, this.clock);
      const promoted = transitioned(target, 'production', 'promote', reason, stamp);
      await this.save(client, promoted);
      if (previous) await this.save(client, transitioned(previous, 'archived', 'promote', `replaced by ${target.id}: ${reason}`, stamp));
      await this.setProduction(client, promoted);
      return promoted;
    });
  }

  async rollback(reason = 'rolled back by hand'): Promise<{ from: ModelVersion; to: ModelVersion }> {
    return this.write(async (client, lock) => {
      const versions = await lock();
      const current = pickProduction(versions);
      if (!current) throw noProductionToRollBack(this.location);
      const target = rollbackTarget(versions, current);
      const stamp = stamper(versions, this.clock);
      const to = transitioned(target, 'production', 'rollback', reason, stamp);
      await this.save(client, to);
      const from = transitioned(current, 'archived', 'rollback', `rolled back to ${target.id}: ${reason}`, stamp);
      await this.save(client, from);
      await this.setProduction(client, to);
      return { from, to };
    });
  }

  async archive(ref: string, reason: string): Promise<ModelVersion> {
    return this.write(async (client, lock) => {
      const versions = await lock();
      const target = resolveRef(ref, versions, this.location);
      if (target.status === 'production') throw refuseArchiveProduction(target);
      if (target.status === 'archived') return target;
      const archived = transitioned(target, 'archived', 'archive', reason, stamper(versions, this.clock));
      await this.save(client, archived);
      return archived;
    });
  }

  /**
   * Deletes the versions pruneSelection picks in one transaction: their rows, and by the foreign
   * keys' cascade their artifacts and chunks. PostgreSQL reuses the space once autovacuum has run
   * over registry_chunks (VACUUM FULL returns it to the operating system).
   */
  async prune(options: PruneOptions): Promise<ModelVersion[]> {
    return this.write(async (client, lock) => {
      const doomed = pruneSelection(await lock(), options.keep);
      if (!options.dryRun && doomed.length > 0) {
        await client.query('DELETE FROM registry_versions WHERE id = ANY($1::text[])', [doomed.map((v) => v.id)]);
      }
      return doomed;
    });
  }

  async recordMetrics(ref: string, metrics: VersionMetrics): Promise<ModelVersion> {
    const clean = cleanMetrics(metrics);
    return this.write(async (client, lock) => {
      const versions = await lock();
      const target = resolveRef(ref, versions, this.location);
      const updated: ModelVersion = {
        ...target,
        metrics: { ...(target.metrics ?? {}), ...clean },
        metricsUpdatedAt: stamper(versions, this.clock)(),
      };
      await this.save(client, updated);
      return updated;
    });
  }

  async reconcile(): Promise<string[]> {
    const notes: string[] = [];
    await this.write(async (client, lock) => {
      await lock();
      await this.reconcileIn(client, notes);
    });
    return notes;
  }

  /**
   * The pointer and the statuses change in one transaction, so they disagree only after a hand
   * edit; then the same rule as the file registry applies (the later promotion wins), the pointer
   * is set from it, and a version marked production that is not is archived.
   */
  private async reconcileIn(client: pg.ClientBase, notes: string[]): Promise<ModelVersion[]> {
    let versions = await this.readAll(client);
    const pointer = (await client.query<{ version_id: string }>('SELECT version_id FROM registry_production')).rows[0]?.version_id ?? null;
    const pointed = versions.find((v) => v.id === pointer && v.status === 'production') ?? null;
    const production = pointed ?? pickProduction(versions);
    if (!production) return versions;
    const stamp = stamper(versions, this.clock);
    for (const v of versions) {
      if (v.status === 'production' && v.id !== production.id) {
        await this.save(
          client,
          transitioned(v, 'archived', 'recover', `finishing an interrupted change: ${production.id} is production`, stamp),
        );
        notes.push(`archived ${v.id}: ${production.id} is production`);
      }
    }
    if (pointer !== production.id) {
      await this.setProduction(client, production);
      notes.push(`the production pointer now names ${production.id}`);
    }
    if (notes.length > 0) versions = await this.readAll(client);
    return versions;
  }

  /**
   * Downloads the version into this process's cache as `<cacheDir>/<id>/`: written under a
   * temporary name and renamed when complete, so a half download is never loaded; versions
   * cached earlier are removed, except the one asked for and those in `keep`.
   */
  async materialize(version: ModelVersion, keep: readonly string[] = []): Promise<string> {
    const root = resolve(this.options.cacheDir);
    const target = join(root, version.id);
    if (!existsSync(join(target, 'bundle.json'))) {
      const row = (await this.pool.query<{ bundle_id: string }>('SELECT bundle_id FROM registry_versions WHERE id = $1', [version.id]))
        .rows[0];
      if (!row) throw new RegistryError(`No model version "${version.id}" in ${this.location}.`);
      mkdirSync(root, { recursive: true });
      const partial = join(root, `.${version.id}.partial-${process.pid}-${randomUUID().slice(0, 8)}`);
      try {
        await downloadBundle(this.pool, row.bundle_id, version.id, partial);
        const { dir: _dir, ...manifest } = version;
        writeFileSync(join(partial, VERSION_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
        // Another process sharing this home may have finished the same download first.
        if (existsSync(join(target, 'bundle.json'))) rmSync(partial, { recursive: true, force: true });
        else renameSync(partial, target);
      } catch (error) {
        rmSync(partial, { recursive: true, force: true });
        throw error;
      }
    }
    this.pruneCache(root, new Set([version.id, ...keep]));
    return target;
  }

  /** Keeps the versions asked for and the most recent other one (a rollback finds it here). */
  private pruneCache(root: string, keep: Set<string>): void {
    const others: { path: string; at: number }[] = [];
    for (const name of readdirSync(root)) {
      const path = join(root, name);
      if (VERSION_ID_PATTERN.test(name)) {
        if (!keep.has(name)) others.push({ path, at: statSync(path).mtimeMs });
      } else if (name.startsWith('.') && name.includes('.partial-') && Date.now() - statSync(path).mtimeMs > STALE_PARTIAL_MS) {
        rmSync(path, { recursive: true, force: true });
      }
    }
    others.sort((a, b) => b.at - a.at);
    for (const { path } of others.slice(1)) rmSync(path, { recursive: true, force: true });
  }

  watch(onChange: () => void, onError: (message: string) => void = () => {}): RegistryWatch {
    return listenForChanges(this.url, PRODUCTION_CHANNEL, onChange, onError);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
