import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ModelRegistry, type RegisterOptions } from './registry.js';
import { RegistryError, type ModelVersion, type VersionMetrics } from './types.js';

export interface PruneOptions {
  /** How many of the newest versions to keep whatever their status (≥ 1). */
  keep: number;
  dryRun?: boolean;
}

/** Stops a watch started by `Registry.watch`. */
export interface RegistryWatch {
  stop(): Promise<void>;
}

/**
 * The model registry as every caller uses it, whichever implementation holds it: the files in
 * `$ANIREC_HOME/models` (the SQLite default), or PostgreSQL tables shared by every replica.
 * Async because the shared one talks to a database.
 */
export interface Registry {
  readonly kind: 'file' | 'postgres';
  /** Where the registry is, for messages: the models directory, or the database URL without its password. */
  readonly location: string;
  /** Every registered version, oldest first. */
  list(): Promise<ModelVersion[]>;
  /** One version by id (`v0007-anirec-20261125T1612`) or sequence number (`v0007`, `7`). */
  show(ref: string): Promise<ModelVersion>;
  production(): Promise<ModelVersion | null>;
  /** Registers a trained model directory as a new version (all of it or nothing). */
  register(dir: string, options?: RegisterOptions): Promise<ModelVersion>;
  /** Makes `ref` production; the old production version becomes archived. */
  promote(ref: string, reason?: string): Promise<ModelVersion>;
  /** Back to the version that was production before this one (rules.ts, rollbackTarget). */
  rollback(reason?: string): Promise<{ from: ModelVersion; to: ModelVersion }>;
  /** Retires a candidate (e.g. one the retraining gate rejected). */
  archive(ref: string, reason: string): Promise<ModelVersion>;
  /** Merges evaluation numbers into a version's metrics (later keys replace earlier ones). */
  recordMetrics(ref: string, metrics: VersionMetrics): Promise<ModelVersion>;
  /**
   * Deletes archived versions (record and artifacts) outside the newest `keep` versions, keeping
   * production and its rollback target (rules.ts, pruneSelection); with `dryRun`, only says which.
   * Returns the versions deleted (or that would be), oldest first.
   */
  prune(options: PruneOptions): Promise<ModelVersion[]>;
  /** Repairs a registry left inconsistent (an interrupted change, a hand edit); returns what it fixed. */
  reconcile(): Promise<string[]>;
  /**
   * A local directory holding the version's complete bundle, ready for loadBundle: the version's
   * own directory (files), or a copy downloaded into this process's cache (PostgreSQL).
   */
  materialize(version: ModelVersion): Promise<string>;
  /** A directory where a caller may write a freshly trained bundle before registering it with `move: true`. */
  readonly stagingRoot: string;
  /**
   * Calls `onChange` whenever production may have changed: after a promotion or rollback anywhere,
   * and after a lost connection is back (a change may have been missed meanwhile). Null when the
   * registry cannot push changes (files: the server polls CURRENT instead).
   */
  watch(onChange: () => void, onError?: (message: string) => void): RegistryWatch | null;
  close(): Promise<void>;
}

/** Today's file registry (models/<id>/ with version.json, and CURRENT) behind the async interface. */
export class FileRegistry implements Registry {
  readonly kind = 'file' as const;
  readonly files: ModelRegistry;

  constructor(models: string | ModelRegistry) {
    this.files = typeof models === 'string' ? new ModelRegistry(models) : models;
  }

  get location(): string {
    return this.files.root;
  }

  get stagingRoot(): string {
    return this.files.root;
  }

  async list(): Promise<ModelVersion[]> {
    return this.files.list();
  }

  async show(ref: string): Promise<ModelVersion> {
    return this.files.show(ref);
  }

  async production(): Promise<ModelVersion | null> {
    return this.files.production();
  }

  async register(dir: string, options?: RegisterOptions): Promise<ModelVersion> {
    return this.files.register(dir, options);
  }

  async promote(ref: string, reason?: string): Promise<ModelVersion> {
    return this.files.promote(ref, reason);
  }

  async rollback(reason?: string): Promise<{ from: ModelVersion; to: ModelVersion }> {
    return this.files.rollback(reason);
  }

  async archive(ref: string, reason: string): Promise<ModelVersion> {
    return this.files.archive(ref, reason);
  }

  async prune(options: PruneOptions): Promise<ModelVersion[]> {
    return this.files.prune(options.keep, options.dryRun ?? false);
  }

  async recordMetrics(ref: string, metrics: VersionMetrics): Promise<ModelVersion> {
    return this.files.recordMetrics(ref, metrics);
  }

  async reconcile(): Promise<string[]> {
    return this.files.reconcile();
  }

  async materialize(version: ModelVersion): Promise<string> {
    if (!existsSync(join(version.dir, 'bundle.json'))) {
      throw new RegistryError(
        `The model version ${version.id} has no bundle in ${version.dir} (moved or deleted?). Promote another version with \`anirec models promote <id>\`, or retrain.`,
      );
    }
    return version.dir;
  }

  watch(): RegistryWatch | null {
    return null;
  }

  async close(): Promise<void> {}
}

/** Callers written for the synchronous file registry (and its tests) may still pass one. */
export function asRegistry(registry: Registry | ModelRegistry): Registry {
  return registry instanceof ModelRegistry ? new FileRegistry(registry) : registry;
}
