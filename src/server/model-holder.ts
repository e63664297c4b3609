import { readFile } from 'node:fs/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { basename, isAbsolute, join } from 'node:path';
import { loadBundle, readBundleManifest, type ModelBundle } from '../models/bundle.js';
import { RecommendationEngine } from '../recommend/engine.js';
import { readInWorker, storeFileOf } from '../recommend/store-snapshot.js';
import { TimeSlicer } from '../recommend/time-slicer.js';
import type { Registry, RegistryWatch } from '../registry/index.js';
import type { Store } from '../store/index.js';

/**
 * Where the model comes from: a fixed directory, a models home with a CURRENT pointer, a bundle
 * in memory, or a registry's production version (the shared one in PostgreSQL), downloaded into
 * this process's cache. `pollMs` there is the fallback poll behind the registry's notifications.
 */
export type ModelSource =
  | { kind: 'dir'; dir: string }
  | { kind: 'current'; modelsDir: string }
  | { kind: 'bundle'; bundle: ModelBundle; version: string }
  | { kind: 'registry'; registry: Registry; pollMs?: number };

/**
 * How often a registry-backed holder checks production even without a notification: only a
 * fallback (a notification lost between a dropped connection and its replacement is covered by
 * the re-check on reconnect), so slow enough to cost the database nothing.
 */
export const REGISTRY_FALLBACK_POLL_MS = 15_000;

/** How building the model in use went: its cost to the event loop, which is what requests feel. */
export interface BuildStats {
  /** Wall time from the start of the load to the swap. */
  ms: number;
  /** True when the store was read in a worker thread (a SQLite file); false: on the event loop. */
  storeReadInWorker: boolean;
  /** Times the build gave way to the event loop. */
  yields: number;
  /**
   * The longest the event loop went without turning while the build ran (the build's slices,
   * and whatever requests ran between them), ms: about what a request waited at worst.
   */
  eventLoopDelayMaxMs: number;
}

export interface LoadedModel {
  engine: RecommendationEngine;
  /** Model directory (or the version given for an in-memory bundle). */
  dir: string;
  version: string;
  loadedAt: Date;
  build: BuildStats;
}

/**
 * Event-loop time a model build may take before it lets requests run. Requests wait at most
 * about this long behind a build, far below the API's latency targets, and the build still
 * finishes in a few seconds under load.
 */
const SLICE_MS = 5;
/** Timer interval of the event-loop delay measured during a build (BuildStats). */
const DELAY_RESOLUTION_MS = 2;

/**
 * What a load is for. 'if-changed': the poller (only when CURRENT names another directory).
 * 'model': reload the model files and the store snapshot (admin reload, a forced refresh).
 * 'store': the store changed but the model did not (an import): a fresh snapshot of the
 * catalogue and users with the bundle already in memory, when the target is still the same.
 */
type LoadKind = 'if-changed' | 'model' | 'store';

/**
 * Holds the model in use and swaps it atomically. A new model is loaded completely (bundle,
 * catalogue, indexes) off to the side; only then is the single `current` reference replaced.
 * Requests read `current` once at their start, so each request runs entirely on one model and no
 * request ever sees a half-loaded one. A model that fails to load is reported and the old one
 * keeps serving.
 *
 * The build does not hold up requests: model files and the store are read, and the neighbour
 * index built, in a low-priority worker thread (when the store is a SQLite file), and
 * what has to be built on the event loop (catalogue, title and tag indexes, model components)
 * runs in slices of SLICE_MS with requests in between.
 *
 * With a models home, `models/CURRENT` (kept atomically updated by `anirec train` and the model
 * registry on promote/rollback) is polled; polling survives the rename-over-file that atomic
 * updates use, which fs.watch on some platforms does not. With a registry source, the registry's
 * change notifications (PostgreSQL LISTEN) trigger the check, with a slow poll behind them.
 */
export class ModelHolder {
  private currentModel: LoadedModel | null = null;
  private timer: NodeJS.Timeout | null = null;
  private watch: RegistryWatch | null = null;
  private loading: Promise<void> | null = null;
  /** A forced load asked for while another was under way, and what it is for. */
  private queued: { kind: 'model' | 'store'; done: Promise<void> } | null = null;
  lastError: string | null = null;

  constructor(
    private readonly store: Store,
    private readonly source: ModelSource,
    private readonly onSwap: (model: LoadedModel) => void = () => {},
    private readonly onFailure: (message: string) => void = () => {},
    /** Trouble that does not stop serving: the registry's notifications lost and being reconnected. */
    private readonly onWarning: (message: string) => void = () => {},
  ) {}

  get current(): LoadedModel | null {
    return this.currentModel;
  }

  /** The directory the source points at now. */
  private async targetDir(): Promise<string> {
    switch (this.source.kind) {
      case 'dir':
        return this.source.dir;
      case 'bundle':
        return this.source.version;
      case 'current': {
        const pointer = join(this.source.modelsDir, 'CURRENT');
        let text: string;
        try {
          text = await readFile(pointer, 'utf8');
        } catch {
          throw new Error(
            `no model yet: ${pointer} does not exist. Run \`anirec train\` (it writes CURRENT), or start the server with --model DIR.`,
          );
        }
        const dir = text.trim();
        if (dir === '') throw new Error(`${pointer} is empty; it should hold the path of the model directory to serve.`);
        // A relative path is relative to the models directory (the registry may write just a name).
        return isAbsolute(dir) ? dir : join(this.source.modelsDir, dir);
      }
      case 'registry': {
        const { registry } = this.source;
        const production = await registry.production();
        if (production === null)
          throw new Error(
            `no model yet: ${registry.location} has no production version. Run \`anirec train\` with the same --store (it registers and promotes the first model).`,
          );
        // Already downloaded (the usual case on a poll): just its cache directory.
        return registry.materialize(production);
      }
    }
  }

  /** Builds an engine for `dir` (with `bundle` when it is already in memory); never touches `current`. */
  private async build(dir: string, bundle: ModelBundle | null): Promise<LoadedModel> {
    const started = performance.now();
    const slicer = new TimeSlicer(SLICE_MS);
    const delay = monitorEventLoopDelay({ resolution: DELAY_RESOLUTION_MS });
    delay.enable();
    try {
      const model = await this.buildWith(dir, bundle, slicer, started);
      // Its samples are intervals between timer ticks: the tick interval itself is not delay.
      model.build.eventLoopDelayMaxMs = Math.max(0, Math.round((delay.max / 1e6 - DELAY_RESOLUTION_MS) * 10) / 10);
      return model;
    } finally {
      delay.disable();
    }
  }

  private async buildWith(dir: string, bundle: ModelBundle | null, slicer: TimeSlicer, started: number): Promise<LoadedModel> {
    const file = storeFileOf(this.store);
    const preloaded = bundle ?? (this.source.kind === 'bundle' ? this.source.bundle : null);
    // Not a model directory: say so now, not after a worker has started.
    if (preloaded === null) readBundleManifest(dir);
    // Started first: the worker reads the model's files, then the store, while this thread builds.
    const previous = this.currentModel?.engine ?? null;
    const reads =
      file === null
        ? null
        : readInWorker(file, preloaded === null ? { dir } : { itemIds: preloaded.itemIds }, previous?.catalogHash ?? null);
    // If the bundle fails to load, the snapshot's outcome no longer matters (and must not be an unhandled rejection).
    reads?.snapshot.catch(() => {});
    const pause = (): Promise<void> => slicer.maybeYield();
    const loaded = preloaded ?? (await loadBundle(dir, { pause, ...(reads ? { files: await reads.modelFiles } : {}) }));
    const version = this.source.kind === 'bundle' ? this.source.version : basename(dir);
    const engine =
      reads === null
        ? // No file another thread can open (an in-memory store): read through the store here.
          await RecommendationEngine.create(loaded, this.store, version)
        : await RecommendationEngine.fromSnapshot(loaded, await reads.snapshot, version, slicer, previous);
    const build = {
      ms: Math.round(performance.now() - started),
      storeReadInWorker: reads !== null,
      yields: slicer.yields,
      eventLoopDelayMaxMs: 0,
    };
    return { engine, dir, version, loadedAt: new Date(), build };
  }

  private load(kind: LoadKind): Promise<void> {
    if (this.loading) {
      if (kind === 'if-changed') return this.loading;
      // The load under way may have read the store or CURRENT before whatever asks for this one
      // (an import that just committed): run one more after it. Requests made meanwhile share it,
      // and a model reload covers a store refresh.
      if (this.queued === null) {
        const queued: { kind: 'model' | 'store'; done: Promise<void> } = { kind, done: Promise.resolve() };
        queued.done = this.loading
          .catch(() => {})
          .then(() => {
            this.queued = null;
            return this.load(queued.kind);
          });
        this.queued = queued;
      } else if (kind === 'model') {
        this.queued.kind = 'model';
      }
      return this.queued.done;
    }
    this.loading = (async () => {
      try {
        const dir = await this.targetDir();
        const current = this.currentModel;
        if (kind === 'if-changed' && current?.dir === dir) return;
        const reuse = kind === 'store' && current?.dir === dir ? current.engine.ctx.bundle : null;
        const next = await this.build(dir, reuse);
        this.currentModel = next; // the swap: one reference assignment
        this.lastError = null;
        this.onSwap(next);
      } catch (error) {
        const message = (error as Error).message;
        // Polling retries every few seconds: report a failure once, not on every poll.
        if (message !== this.lastError) this.onFailure(message);
        this.lastError = message;
        if (this.currentModel === null || kind !== 'if-changed') throw error;
      } finally {
        this.loading = null;
      }
    })();
    return this.loading;
  }

  /**
   * Loads the target model if it differs from the one in use, or with `force` reloads it from
   * disk together with a fresh snapshot of the store (e.g. after an import added titles and
   * users the engine's snapshot lacks). A forced call made while a load is under way runs after
   * it, so it always reflects what was committed before the call.
   */
  async refresh(force = false): Promise<void> {
    return this.load(force ? 'model' : 'if-changed');
  }

  /**
   * After a change to the store (an import, new users or titles) when the model itself did not
   * change: a fresh snapshot of the catalogue and every user's list, built with the model
   * already in memory instead of reading its files again. Otherwise like `refresh(true)`.
   */
  async refreshStore(): Promise<void> {
    return this.load('store');
  }

  /** Loads the first model (a failure leaves the server up but not ready) and starts watching. */
  async start(pollMs: number): Promise<void> {
    await this.refresh().catch(() => {});
    const check = (): void => void this.refresh().catch(() => {});
    if (this.source.kind === 'registry') {
      this.watch = this.source.registry.watch(check, this.onWarning);
      pollMs = this.source.pollMs ?? REGISTRY_FALLBACK_POLL_MS;
    }
    if ((this.source.kind === 'current' || this.source.kind === 'registry') && pollMs > 0) {
      this.timer = setInterval(check, pollMs);
      this.timer.unref();
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const watch = this.watch;
    this.watch = null;
    await watch?.stop();
  }
}
