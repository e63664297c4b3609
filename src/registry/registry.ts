import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { withLock, writeFileAtomic } from './fs-atomic.js';
import { RegistryError, type HistoryAction, type ModelVersion, type StatusChange, type VersionManifest, type VersionMetrics, type VersionStatus } from './types.js';
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

function slug(kind: string): string {
  return kind.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'model';
}

function idTime(date: Date): string {
  // 2026-11-25T16:12:34.567Z → 20261125T1612
  return date.toISOString().slice(0, 16).replace(/[-:]/g, '');
}

function lastEntry(v: VersionManifest, test: (c: StatusChange) => boolean): StatusChange | undefined {
  for (let i = v.history.length - 1; i >= 0; i--) if (test(v.history[i]!)) return v.history[i];
  return undefined;
}

/**
 * Of several versions marked production (only possible after a promotion was interrupted
 * between its file writes), the one promoted last is the real one.
 */
function pickProduction(versions: ModelVersion[]): ModelVersion | null {
  let best: ModelVersion | null = null;
  let bestAt = '';
  for (const v of versions) {
    if (v.status !== 'production') continue;
    const at = lastEntry(v, (c) => c.to === 'production')?.at ?? '';
    if (!best || at > bestAt || (at === bestAt && v.seq > best.seq)) [best, bestAt] = [v, at];
  }
  return best;
}

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
      const registeredAt = stamp();
      const seq = versions.reduce((max, v) => Math.max(max, v.seq), 0) + 1;
      const id = `v${String(seq).padStart(4, '0')}-${slug(bundle.kind)}-${idTime(new Date(registeredAt))}`;
      const finalDir = join(this.root, id);
      const staging = join(this.root, `.${id}.partial-${process.pid}`);
      const previous = pickProduction(versions);
      const becomesProduction = options.promote === true || previous === null;
      const reason = options.reason ?? 'registered after training';
      const history: StatusChange[] = [{ at: registeredAt, from: null, to: 'candidate', action: 'register', reason }];
      if (becomesProduction) {
        const why = options.promote ? 'promoted at registration' : 'first model in the registry';
        history.push({ at: stamp(), from: 'candidate', to: 'production', action: 'promote', reason: why });
      }
      const manifest: VersionManifest = {
        format: 'anirec-model-version',
        formatVersion: 1,
        id,
        seq,
        kind: bundle.kind,
        params: bundle.params,
        dataHash: bundle.dataHash,
        nUsers: bundle.nUsers,
        nItems: bundle.nItems,
        nInteractions: bundle.nInteractions,
        trainingSeconds: bundle.trainingSeconds,
        createdAt: bundle.createdAt,
        registeredAt,
        source: options.source ?? source,
        metrics: null,
        metricsUpdatedAt: null,
        status: becomesProduction ? 'production' : 'candidate',
        history,
      };
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
      if (target.status === 'production') throw new RegistryError(`${target.id} is already the production version; nothing to promote.`);
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
      if (!current) {
        throw new RegistryError(`There is no production model in ${this.root}, so there is nothing to roll back. Promote one with \`anirec models promote <id>\`.`);
      }
      let target: ModelVersion | null = null;
      let targetExit = '';
      for (const v of versions) {
        if (v.id === current.id || v.status !== 'archived') continue;
        const exit = lastEntry(v, (c) => c.from === 'production');
        if (!exit || exit.action === 'rollback') continue;
        if (!target || exit.at > targetExit) [target, targetExit] = [v, exit.at];
      }
      if (!target) {
        throw new RegistryError(
          `Cannot roll back: ${current.id} has no earlier production version to return to (it is the first one, or the earlier ones were rolled back already). ` +
            'To serve a specific version, run `anirec models promote <id>` (see `anirec models list`).',
        );
      }
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
      if (target.status === 'production') {
        throw new RegistryError(`${target.id} is the production version; promote another version or roll back before archiving it.`);
      }
      if (target.status === 'archived') return target;
      return this.transition(target, 'archived', 'archive', reason, this.stamper(versions));
    });
  }

  /** Merges evaluation numbers into a version's metrics (later keys replace earlier ones). */
  recordMetrics(ref: string, metrics: VersionMetrics): ModelVersion {
    if (typeof metrics !== 'object' || metrics === null || Array.isArray(metrics)) {
      throw new RegistryError('recordMetrics: metrics must be a plain object of named values, e.g. {"ndcg@20": 0.31}.');
    }
    // Round-trip now so a non-JSON value (NaN, a function, a cycle) fails here, not on the next read.
    const clean = JSON.parse(JSON.stringify(metrics)) as VersionMetrics;
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
    const exact = versions.find((v) => v.id === ref);
    if (exact) return exact;
    const seq = /^v?(\d+)$/.exec(ref.trim());
    const bySeq = seq ? versions.find((v) => v.seq === Number(seq[1])) : undefined;
    if (bySeq) return bySeq;
    const known = versions.length > 0 ? `Known versions: ${versions.map((v) => v.id).join(', ')}.` : 'The registry is empty; train a model with `anirec train`.';
    throw new RegistryError(`No model version "${ref}" in ${this.root}. ${known}`);
  }

  private transition(v: ModelVersion, to: VersionStatus, action: HistoryAction, reason: string, stamp: () => string): ModelVersion {
    const updated: ModelVersion = { ...v, status: to, history: [...v.history, { at: stamp(), from: v.status, to, action, reason }] };
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

  /**
   * Timestamps for history entries that strictly increase across the whole registry, even for
   * several changes in one millisecond: rollback and recovery order events by these times.
   */
  private stamper(versions: ModelVersion[]): () => string {
    let last = 0;
    for (const v of versions) for (const c of v.history) last = Math.max(last, Date.parse(c.at) || 0);
    return () => {
      last = Math.max(this.clock().getTime(), last + 1);
      return new Date(last).toISOString();
    };
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
