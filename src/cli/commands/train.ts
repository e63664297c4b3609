import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { BUNDLED_CATALOGUES } from '../../data/bundled.js';
import { saveBundle, type ModelBundle } from '../../models/bundle.js';
import { DEFAULT_MODEL_PARAMS, isModelName, MODEL_NAMES, trainBundle, type ModelName } from '../../models/train-model.js';
import { loadTrainingSet } from '../../models/training-set.js';
import { openRegistry, type ModelVersion, type Registry } from '../../registry/index.js';
import { describeStore, importFiles, openStore, type ImportFileSpec, type Store } from '../../store/index.js';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { addStoreLocationOptions, storeUrlOf, type StoreLocationFlags } from '../options.js';
import { printImportSummary } from './import.js';
import { createProgress, PERCENT } from '../progress.js';

export interface TrainFlags extends StoreLocationFlags {
  model: string;
  ratings?: string;
  anime?: string[];
  out?: string;
  seed: number;
  bundledCatalogue: boolean;
  /** Make the new version production now (otherwise only the first model becomes production). */
  promote?: boolean;
  /** With --out: also register a copy of the model in the registry. */
  register?: boolean;
}

/**
 * Training data comes from the store, or straight from files (`--ratings`, `--anime`), which
 * are imported into a private in-memory store with the same validation as `anirec import`.
 * With files, the bundled catalogues are loaded first so titles get synopses, studios and
 * themes; the files given override them field by field.
 */
export async function openTrainingStore(ctx: CliContext, flags: TrainFlags): Promise<Store> {
  if (!flags.ratings) return ctx.openStore(storeUrlOf(flags, ctx.paths));
  const store = await openStore('sqlite::memory:');
  const specs: ImportFileSpec[] = [];
  if (flags.bundledCatalogue) specs.push(...BUNDLED_CATALOGUES.map((path) => ({ path })));
  for (const path of flags.anime ?? []) specs.push({ path });
  specs.push({ path: flags.ratings, userSource: 'train' });
  for (const spec of specs) if (!existsSync(spec.path)) throw new CliError(`${spec.path}: no such file`);
  // A ratings file may name titles its catalogue lacks (newer data, older anime.csv): keep those rows
  // as placeholder titles rather than lose their signal; the summary says how many.
  const summary = await importFiles(store, specs, { unknownAnime: 'placeholder' });
  printImportSummary({ ...ctx, out: ctx.err }, summary);
  return store;
}

export async function trainToDirectory(ctx: CliContext, name: ModelName, flags: TrainFlags, outDir: string): Promise<ModelBundle> {
  const store = await openTrainingStore(ctx, flags);
  let bundle: ModelBundle;
  try {
    const set = await loadTrainingSet(store);
    if (set.data.indices.length === 0) {
      throw new CliError('There are no interactions to train on. Run `anirec import` first (or pass --ratings FILE).');
    }
    ctx.err(
      `training ${name} on ${set.data.nUsers.toLocaleString('en')} users × ${set.data.nItems.toLocaleString('en')} titles (${set.data.indices.length.toLocaleString('en')} list entries)`,
    );
    // Trainers report a share done and what they are doing: one step, "training NAME", whose detail changes.
    const progress = createProgress(PERCENT);
    bundle = await trainBundle(name, set.data, set.catalogue, DEFAULT_MODEL_PARAMS, {
      seed: flags.seed,
      onProgress: (fraction, message) => progress.update(Math.round(fraction * 100), fraction, `training ${name}`, message.slice(0, 60)),
    });
    progress.stop();
  } finally {
    await store.close();
  }
  // Write beside the target and rename at the end: a failed or interrupted save never leaves a
  // half-written model where a complete one is expected.
  const staging = `${outDir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  await saveBundle(bundle, staging);
  if (existsSync(outDir)) {
    if (readdirSync(outDir).length > 0 && !existsSync(join(outDir, 'bundle.json'))) {
      rmSync(staging, { recursive: true, force: true });
      throw new CliError(`${outDir} exists and is not an anirec model directory; refusing to overwrite it. Choose another --out.`);
    }
    rmSync(outDir, { recursive: true, force: true });
  }
  renameSync(staging, outDir);
  return bundle;
}

/** The registry that goes with the store `flags` name (the database's own with a PostgreSQL store), closed after `use`. */
export async function withRegistryOf<T>(ctx: CliContext, flags: StoreLocationFlags, use: (registry: Registry) => Promise<T>): Promise<T> {
  const registry = await openRegistry(storeUrlOf(flags, ctx.paths), ctx.paths);
  try {
    return await use(registry);
  } finally {
    await registry.close();
  }
}

/**
 * Trains into a hidden staging directory (inside the models dir, or the registry's local cache
 * with a PostgreSQL store) and registers it (moved, not copied) as a new version. It becomes
 * production if `promote` is set or if the registry has no production version yet; otherwise it
 * waits as a candidate. A failed training leaves only its staging directory behind (removed
 * here), so production keeps serving untouched.
 */
export async function trainIntoRegistry(
  ctx: CliContext,
  name: ModelName,
  flags: TrainFlags,
  options: { promote?: boolean; reason?: string } = {},
): Promise<{ bundle: ModelBundle; version: ModelVersion; servedVia: string }> {
  return withRegistryOf(ctx, flags, async (registry) => {
    mkdirSync(registry.stagingRoot, { recursive: true });
    const staging = join(registry.stagingRoot, `.train-${name}-${process.pid}-${Date.now()}`);
    try {
      const bundle = await trainToDirectory(ctx, name, flags, staging);
      const version = await registry.register(staging, {
        move: true,
        promote: options.promote,
        reason: options.reason ?? 'trained',
        source: `anirec train --model ${name}${flags.ratings ? ` --ratings ${flags.ratings}` : ` on the store ${describeStore(storeUrlOf(flags, ctx.paths))}`}`,
      });
      return { bundle, version, servedVia: await describeRegistration(registry, version) };
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  });
}

async function describeRegistration(registry: Registry, version: ModelVersion): Promise<string> {
  if (version.status === 'production') {
    const via =
      registry.kind === 'file'
        ? `the server follows it via ${join(registry.location, 'CURRENT')}`
        : `every replica on ${registry.location.replace(/^the registry in /, '')} switches to it`;
    return `registered ${version.id} as production (${via})`;
  }
  const production = await registry.production();
  return `registered ${version.id} as a candidate; production stays ${production?.id ?? 'unset'}. Promote it with \`anirec models promote ${version.id}\`${registry.kind === 'file' ? '' : ' (with the same --store)'}.`;
}

export function registerTrain(program: Command, ctx: CliContext): void {
  const command = program
    .command('train')
    .description('Train a model (default: the anirec hybrid) on the store, or on --ratings/--anime files, and register it')
    .option('--model <name>', `one of ${MODEL_NAMES.join(', ')}`, 'anirec')
    .option('--ratings <file>', 'train on this ratings file (user_id,anime_id,rating; .csv or .csv.gz) instead of the store')
    .option('--anime <file...>', 'catalogue file(s) for --ratings (Kaggle 2016/2020 anime.csv, Jikan CSV)')
    .option('--no-bundled-catalogue', 'with --ratings: do not add the bundled catalogues (synopses, studios) to the given ones')
    .option('--out <dir>', 'write the model to this directory instead of registering it in $ANIREC_HOME/models')
    .option('--register', 'with --out: also register a copy as a new registry version')
    .option('--promote', 'make the new version production now (default: only the first model becomes production)')
    .option('--seed <n>', 'random seed', (v) => Number.parseInt(v, 10), 42);
  addStoreLocationOptions(command).action(async (flags: TrainFlags) => {
    if (!isModelName(flags.model)) throw new CliError(`--model ${flags.model}: unknown model; choose one of ${MODEL_NAMES.join(', ')}`);
    if (flags.anime && !flags.ratings)
      throw new CliError('--anime goes with --ratings; to train on the store, import the catalogue with `anirec import` first');
    if (flags.register && !flags.out)
      throw new CliError('--register goes with --out; without --out every trained model is registered already');
    if (flags.promote && flags.out && !flags.register)
      throw new CliError('--promote with --out needs --register too (only registry versions can be production)');
    if (!flags.out) {
      const { bundle, version, servedVia } = await trainIntoRegistry(ctx, flags.model, flags, { promote: flags.promote });
      ctx.out(`trained ${bundle.manifest.kind} in ${bundle.manifest.trainingSeconds.toFixed(1)} s → ${version.dir}`);
      ctx.out(servedVia);
      return;
    }
    const bundle = await trainToDirectory(ctx, flags.model, flags, flags.out);
    ctx.out(`trained ${bundle.manifest.kind} in ${bundle.manifest.trainingSeconds.toFixed(1)} s → ${flags.out}`);
    if (flags.register) {
      const out = flags.out;
      ctx.out(
        await withRegistryOf(ctx, flags, async (registry) =>
          describeRegistration(
            registry,
            await registry.register(out, { promote: flags.promote, reason: `trained with \`anirec train --out ${out} --register\`` }),
          ),
        ),
      );
    }
  });
}
