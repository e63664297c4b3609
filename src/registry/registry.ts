import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { withLock, writeFileAtomic } from './fs-atomic.js';
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
} from './rules.js';
import { RegistryError, type HistoryAction, type ModelVersion, type VersionMetrics, type VersionStatus } from './types.js';
import { readBundleManifest, readVersionFile, VERSION_FILE, VERSION_ID_PATTERN } from './version-file.js';

export interface RegistryOptions {
  /** How long a writer waits for another one holding the lock (default 5 s; 0 = fail at once). */
  lockTimeoutMs?: number;
  /** Clock, replaceable in tests. */
  now?: () => Date;
}

export interface RegisterOptions {
  /**
   * true: make it production now. Otherwise it becomes production only if the registry has no
   * production version yet (the first model must serve something), else it stays a candidate.
   */
  promote?: boolean;
  /** Move the directory into the registry instead of copying it (for freshly trained staging dirs). */
  move?: boolean;
  reason?: string;
  /** Provenance to record instead of the directory path (a moved staging dir is meaningless later). */
  source?: string;
}

/** The name of the file the HTTP server follows: the absolute path of the production model dir. */
export const CURRENT_FILE = 'CURRENT';

/**
 * The model directory a CURRENT file's text names: the registry writes a name relative to the
 * models directory; older registries and hand-written files may hold an absolute path.
 */
export function resolveCurrentPointer(modelsDir: string, text: string): string {
  const dir = text.trim();
  if (dir === '') return '';
  return isAbsolute(dir) ? dir : join(modelsDir, dir);
}
const LOCK_FILE = '.registry.lock';
/** Versions being deleted by prune (never matches a version id, so list() never sees them). */
const PRUNED_PREFIX = '.pruned-';

/**
 * Model versions in the models directory, each `<id>/` = a model bundle + version.json. The
 * production version is also named by `CURRENT`, which the HTTP server follows; every change
 * to production rewrites it atomically. Writers serialize on a lock file; readers never lock
 * because every file is replaced by rename and so is always whole.
 */
export class ModelRegistry {
  readonly root: string;
  readonly currentPath: string;
  readonly lockPath: string;
  private readonly lockTimeoutMs: number;
  private readonly clock: () => Date;

  constructor(root: string, options: RegistryOptions = {}) {
    this.root = resolve(root);
    this.currentPath = join(this.root, CURRENT_FILE);
    this.lockPath = join(this.root, LOCK_FILE);
    this.lockTimeoutMs = options.lockTimeoutMs ?? 5000;
    this.clock = options.now ?? (() => new Date());
  }

  /** Every registered version, oldest first. Throws a RegistryError naming any corrupt version.json. */
  list(): ModelVersion[] {
    if (!existsSync(this.root)) return [];
    const versions: ModelVersion[] = [];
    for (const name of readdirSync(this.root)) {
      if (!VERSION_ID_PATTERN.test(name)) continue;
      const dir = join(this.root, name);
      if (!statSync(dir).isDirectory()) continue;
      versions.push({ ...readVersionFile(dir, name), dir });
    }
    return versions.sort((a, b) => a.seq - b.seq);
  }

  /** One version by id (`v0007-anirec-20261125T1612`) or sequence number (`v0007`, `7`). */
  show(ref: string): ModelVersion {
    return this.resolveRef(ref, this.list());
  }

  production(): ModelVersion | null {
    return pickProduction(this.list());
  }

  /** The model directory CURRENT names right now (absolute), or null if there is no CURRENT. */
  currentPointer(): string | null {
    try {
      return resolveCurrentPointer(this.root, readFileSync(this.currentPath, 'utf8')) || null;
    } catch {
      return null;
    }
  }

  register(dir: string, options: RegisterOptions = {}): ModelVersion {
    const source = resolve(dir);
    // Validate before taking the lock: a bad directory should fail fast and change nothing.
    const bundle = readBundleManifest(source);
    return this.locked(`register ${source}`, () => {
      const versions = this.reconcileLocked();
      const already = versions.find((v) => v.dir === source);
      if (already) throw new RegistryError(`${source} is already registered as ${already.id}.`);
      const stamp = this.stamper(versions);
      const { manifest, previous } = newManifest(versions, bundle, { ...options, source: options.source ?? source }, stamp);
      const id = manifest.id;
      const becomesProduction = manifest.status === 'production';
      const finalDir = join(this.root, id);
      const staging = join(this.root, `.${id}.partial-${process.pid}`);
      this.stageBundle(source, staging, options.move === true);
      try {
        writeFileAtomic(join(staging, VERSION_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
        renameSync(staging, finalDir);
      } catch (error) {
        if (options.move) renameSync(staging, source);
        else rmSync(staging, { recursive: true, force: true });
        throw error;
      }
      const registered: ModelVersion = { ...manifest, dir: finalDir };
      if (becomesProduction) {
        this.writeCurrent(registered);
        if (previous) this.transition(previous, 'archived', 'promote', `replaced by ${id}`, stamp);
      }
      return registered;
    });
  }

  /** Makes `ref` production; the old production version becomes archived. */
  promote(ref: string, reason = 'promoted by hand'): ModelVersion {
    return this.locked(`promote ${ref}`, () => {
      const versions = this.reconcileLocked();
      const target = this.resolveRef(ref, versions);
      if (target.status === 'production') throw alreadyProduction(target);
      const previous = pickProduction(versions);
      const stamp = this.stamper(versions);
      // Order matters for crash safety: new production first, then CURRENT, then the old one's
      // archive. An interruption leaves two "production" marks, which reconcile() resolves in
      // favour of the newer promotion, so the intended change always wins.
      const promoted = this.transition(target, 'production', 'promote', reason, stamp);
      this.writeCurrent(promoted);
      if (previous) this.transition(previous, 'archived', 'promote', `replaced by ${target.id}: ${reason}`, stamp);
      return promoted;
    });
  }

  /**
   * Back to the version that was production before this one. Versions that were themselves
   * rolled back are skipped, so repeated rollbacks walk further back instead of flip-flopping.
   */
  rollback(reason = 'rolled back by hand'): { from: ModelVersion; to: ModelVersion } {
    return this.locked('rollback', () => {
      const versions = this.reconcileLocked();
      const current = pickProduction(versions);
      if (!current) throw noProductionToRollBack(this.root);
      const target = rollbackTarget(versions, current);
      const stamp = this.stamper(versions);
      const restored = this.transition(target, 'production', 'rollback', reason, stamp);
      this.writeCurrent(restored);
      const from = this.transition(current, 'archived', 'rollback', `rolled back to ${target.id}: ${reason}`, stamp);
      return { from, to: restored };
    });
  }

  /** Retires a candidate (e.g. one the retraining gate rejected). */
  archive(ref: string, reason: string): ModelVersion {
    return this.locked(`archive ${ref}`, () => {
      const versions = this.reconcileLocked();
      const target = this.resolveRef(ref, versions);
      if (target.status === 'production') throw refuseArchiveProduction(target);
      if (target.status === 'archived') return target;
      return this.transition(target, 'archived', 'archive', reason, this.stamper(versions));
    });
  }

  /**
   * Deletes the versions pruneSelection picks. Each directory is first renamed out of the
   * version-id namespace (one atomic step, so no reader ever lists a half-deleted version), then
   * removed; a crash in between leaves only a `.pruned-*` directory, which the next prune clears.
   */
  prune(keep: number, dryRun: boolean): ModelVersion[] {
    return this.locked('prune', () => {
      const doomed = pruneSelection(this.reconcileLocked(), keep);
      if (dryRun) return doomed;
      for (const v of doomed) {
        const trash = join(this.root, `${PRUNED_PREFIX}${v.id}`);
        rmSync(trash, { recursive: true, force: true });
        renameSync(v.dir, trash);
        rmSync(trash, { recursive: true, force: true });
      }
      for (const name of readdirSync(this.root)) {
        if (name.startsWith(PRUNED_PREFIX)) rmSync(join(this.root, name), { recursive: true, force: true });
      }
      return doomed;
    });
  }

  /** Merges evaluation numbers into a version's metrics (later keys replace earlier ones). */
  recordMetrics(ref: string, metrics: VersionMetrics): ModelVersion {
    const clean = cleanMetrics(metrics);
    return this.locked(`record metrics for ${ref}`, () => {
      const versions = this.list();
      const target = this.resolveRef(ref, versions);
      const updated: ModelVersion = {
        ...target,
        metrics: { ...(target.metrics ?? {}), ...clean },
        metricsUpdatedAt: this.stamper(versions)(),
      };
      this.save(updated);
      return updated;
    });
  }

  /**
   * Finishes an interrupted promotion (two versions marked production, or CURRENT not naming
   * production). Runs at the start of every write; callable on its own. Returns what it fixed.
   */
  reconcile(): string[] {
    const notes: string[] = [];
    this.locked('reconcile', () => void this.reconcileLocked(notes));
    return notes;
  }

  private reconcileLocked(notes: string[] = []): ModelVersion[] {
    let versions = this.list();
    const production = pickProduction(versions);
    if (!production) return versions;
    const stamp = this.stamper(versions);
    for (const v of versions) {
      if (v.status === 'production' && v.id !== production.id) {
        this.transition(v, 'archived', 'recover', `finishing an interrupted change: ${production.id} was promoted later`, stamp);
        notes.push(`archived ${v.id}: ${production.id} was promoted after it`);
      }
    }
    if (this.currentPointer() !== production.dir) {
      this.writeCurrent(production);
      notes.push(`CURRENT now names ${production.id}`);
    }
    if (notes.length > 0) versions = this.list();
    return versions;
  }

  private resolveRef(ref: string, versions: ModelVersion[]): ModelVersion {
    return resolveRef(ref, versions, this.root);
  }

  private transition(v: ModelVersion, to: VersionStatus, action: HistoryAction, reason: string, stamp: () => string): ModelVersion {
    const updated = transitioned(v, to, action, reason, stamp);
    this.save(updated);
    return updated;
  }

  private save(v: ModelVersion): void {
    const { dir, ...manifest } = v;
    writeFileAtomic(join(dir, VERSION_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  }

  private writeCurrent(v: ModelVersion): void {
    // Relative to the registry, so a copied or restored models directory serves its own models.
    writeFileAtomic(this.currentPath, `${relative(this.root, v.dir)}\n`);
  }

  private stamper(versions: ModelVersion[]): () => string {
    return stamper(versions, this.clock);
  }

  private stageBundle(source: string, staging: string, move: boolean): void {
    const inside = relative(source, this.root);
    if (inside === '' || !inside.startsWith('..')) {
      throw new RegistryError(`${source} is or contains the models directory ${this.root}; register a single model directory.`);
    }
    rmSync(staging, { recursive: true, force: true });
    if (move) {
      try {
        renameSync(source, staging);
        return;
      } catch (error) {
        // Different filesystem (e.g. a volume mount): fall through to copy, then remove.
        if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      }
      cpSync(source, staging, { recursive: true });
      rmSync(source, { recursive: true, force: true });
      return;
    }
    cpSync(source, staging, { recursive: true });
  }

  private locked<T>(purpose: string, fn: () => T): T {
    mkdirSync(this.root, { recursive: true });
    return withLock(this.lockPath, purpose, fn, { timeoutMs: this.lockTimeoutMs });
  }
}
