import { readFile } from 'node:fs/promises';
import { basename, isAbsolute, join } from 'node:path';
import { loadBundle, type ModelBundle } from '../models/bundle.js';
import { RecommendationEngine } from '../recommend/engine.js';
import type { Store } from '../store/index.js';

/** Where the model comes from: a fixed directory, a models home with a CURRENT pointer, or a bundle in memory. */
export type ModelSource = { kind: 'dir'; dir: string } | { kind: 'current'; modelsDir: string } | { kind: 'bundle'; bundle: ModelBundle; version: string };

export interface LoadedModel {
  engine: RecommendationEngine;
  /** Model directory (or the version given for an in-memory bundle). */
  dir: string;
  version: string;
  loadedAt: Date;
}

/**
 * Holds the model in use and swaps it atomically. A new model is loaded completely (bundle,
 * catalogue, indexes) off to the side; only then is the single `current` reference replaced.
 * Requests read `current` once at their start, so each request runs entirely on one model and no
 * request ever sees a half-loaded one. A model that fails to load is reported and the old one
 * keeps serving.
 *
 * With a models home, `models/CURRENT` (kept atomically updated by `anirec train` and the model
 * registry on promote/rollback) is polled; polling survives the rename-over-file that atomic
 * updates use, which fs.watch on some platforms does not.
 */
export class ModelHolder {
  private currentModel: LoadedModel | null = null;
  private timer: NodeJS.Timeout | null = null;
  private loading: Promise<void> | null = null;
  lastError: string | null = null;

  constructor(
    private readonly store: Store,
    private readonly source: ModelSource,
    private readonly onSwap: (model: LoadedModel) => void = () => {},
    private readonly onFailure: (message: string) => void = () => {},
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
          throw new Error(`no model yet: ${pointer} does not exist. Run \`anirec train\` (it writes CURRENT), or start the server with --model DIR.`);
        }
        const dir = text.trim();
        if (dir === '') throw new Error(`${pointer} is empty; it should hold the path of the model directory to serve.`);
        // A relative path is relative to the models directory (the registry may write just a name).
        return isAbsolute(dir) ? dir : join(this.source.modelsDir, dir);
      }
    }
  }

  /** Builds an engine for `dir`; never touches `current`. */
  private async build(dir: string): Promise<LoadedModel> {
    const bundle = this.source.kind === 'bundle' ? this.source.bundle : await loadBundle(dir);
    const version = this.source.kind === 'bundle' ? this.source.version : basename(dir);
    const engine = await RecommendationEngine.create(bundle, this.store, version);
    return { engine, dir, version, loadedAt: new Date() };
  }

  /**
   * Loads the target model if it differs from the one in use (or `force`, e.g. after an import
   * added titles and users the engine's snapshot lacks). Concurrent calls share one load.
   */
  async refresh(force = false): Promise<void> {
    if (this.loading) return this.loading;
    this.loading = (async () => {
      try {
        const dir = await this.targetDir();
        if (!force && this.currentModel?.dir === dir) return;
        const next = await this.build(dir);
        this.currentModel = next; // the swap: one reference assignment
        this.lastError = null;
        this.onSwap(next);
      } catch (error) {
        const message = (error as Error).message;
        // Polling retries every few seconds: report a failure once, not on every poll.
        if (message !== this.lastError) this.onFailure(message);
        this.lastError = message;
        if (this.currentModel === null || force) throw error;
      } finally {
        this.loading = null;
      }
    })();
    return this.loading;
  }

  /** Loads the first model (a failure leaves the server up but not ready) and starts watching. */
  async start(pollMs: number): Promise<void> {
    await this.refresh().catch(() => {});
    if (this.source.kind === 'current' && pollMs > 0) {
      this.timer = setInterval(() => void this.refresh().catch(() => {}), pollMs);
      this.timer.unref();
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
