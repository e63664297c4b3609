/**
 * What the interactive commands (recommend, similar, search, profile) open: the store, the model
 * and the engine the HTTP API answers with, built the way the server builds it
 * (`RecommendationEngine.create(bundle, store, version)` with the model directory's name as the
 * version, model-holder.ts), so the CLI and the API give the same lists, reasons and notes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { loadBundle, type ModelBundle } from '../models/bundle.js';
import { Catalog } from '../recommend/catalog.js';
import { RecommendationEngine } from '../recommend/engine.js';
import { isPostgresUrl, openRegistry, resolveCurrentPointer } from '../registry/index.js';
import { describeStore, StoreNotFoundError, type Store } from '../store/index.js';
import type { CliContext } from './context.js';
import { CliError } from './errors.js';
import { storeUrlOf, type StoreLocationFlags } from './options.js';

export interface OpenedModel {
  bundle: ModelBundle;
  /** The directory's name: what the API reports as `model.version`. */
  version: string;
}

/** The URL each store this module opened came from: the shared registry is found through it. */
const storeUrls = new WeakMap<Store, string>();

/** The shared registry's production version, downloaded into this home's cache, or an error saying how to get one. */
async function productionFromDatabase(ctx: CliContext, storeUrl: string): Promise<string> {
  const registry = await openRegistry(storeUrl, ctx.paths);
  try {
    const production = await registry.production();
    if (production === null)
      throw new CliError(`No trained model yet in ${registry.location}. Run \`anirec train\` with the same --store (or pass --model DIR).`);
    return await registry.materialize(production);
  } finally {
    await registry.close();
  }
}

/**
 * The model `train` made current, or the one named by --model, with a message saying how to get
 * one. With a PostgreSQL store (`storeUrl`, else $ANIREC_STORE) that is the shared registry's
 * production version.
 */
export async function openModelDir(ctx: CliContext, dir?: string, storeUrl: string = ctx.paths.store): Promise<OpenedModel> {
  let resolved: string;
  if (dir === undefined && isPostgresUrl(storeUrl)) {
    resolved = await productionFromDatabase(ctx, storeUrl);
  } else if (dir !== undefined) {
    if (!existsSync(join(dir, 'bundle.json'))) {
      throw new CliError(
        `--model ${dir}: ${existsSync(dir) ? 'is not an anirec model directory (no bundle.json)' : 'no such directory'}. Pass a directory written by \`anirec train --out DIR\`, or leave --model out to use the current model.`,
      );
    }
    resolved = dir;
  } else {
    const pointer = join(ctx.paths.models, 'CURRENT');
    if (!existsSync(pointer))
      throw new CliError(`No trained model yet (nothing in ${ctx.paths.models}). Run \`anirec train\` (or pass --model DIR).`);
    resolved = resolveCurrentPointer(ctx.paths.models, readFileSync(pointer, 'utf8'));
    if (!existsSync(join(resolved, 'bundle.json'))) {
      throw new CliError(
        `The current model ${resolved} (from ${pointer}) is missing or incomplete. Run \`anirec train\`, or \`anirec models list\` and \`anirec models promote ID\`.`,
      );
    }
  }
  try {
    return { bundle: await loadBundle(resolved), version: basename(resolved) };
  } catch (error) {
    throw new CliError(`Could not load the model in ${resolved}: ${(error as Error).message}. Retrain it with \`anirec train\`.`);
  }
}

/**
 * Opens an existing store: these commands only read it, so a missing file is an error, not a new
 * empty store left behind.
 */
export async function openExistingStore(ctx: CliContext, where: StoreLocationFlags): Promise<Store> {
  const url = storeUrlOf(where, ctx.paths);
  try {
    const store = await ctx.openStore(url, { mustExist: true });
    storeUrls.set(store, url);
    return store;
  } catch (error) {
    if (error instanceof StoreNotFoundError) {
      throw new CliError(
        `No store at ${error.location}. Run \`anirec import\` first (the bundled sample loads with no arguments), or point --store (or --db) at a store.`,
      );
    }
    throw error;
  }
}

/** The catalogue, or an error saying how to get one. */
export async function loadCatalog(store: Store, db: string): Promise<Catalog> {
  const catalog = await Catalog.load(store);
  if (catalog.size === 0)
    throw new CliError(`The store ${db} has no catalogue. Run \`anirec import\` (the bundled catalogues load with no arguments).`);
  return catalog;
}

/** Runs `use` with the store open and closes it however `use` ends; `location` is the store as messages name it. */
export async function withStore<T>(
  ctx: CliContext,
  where: StoreLocationFlags,
  use: (store: Store, location: string) => Promise<T>,
): Promise<T> {
  const url = storeUrlOf(where, ctx.paths);
  const store = await openExistingStore(ctx, where);
  try {
    return await use(store, describeStore(url));
  } finally {
    await store.close();
  }
}

/** The engine the API would answer with, over this store and model. */
export async function openEngine(ctx: CliContext, store: Store, db: string, modelDir?: string): Promise<RecommendationEngine> {
  const { bundle, version } = await openModelDir(ctx, modelDir, storeUrls.get(store));
  const engine = await RecommendationEngine.create(bundle, store, version);
  if (engine.catalog.size === 0)
    throw new CliError(`The store ${db} has no catalogue. Run \`anirec import\` (the bundled catalogues load with no arguments).`);
  return engine;
}
