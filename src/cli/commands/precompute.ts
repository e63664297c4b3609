import type { Command } from 'commander';
import { RecommendationEngine } from '../../recommend/engine.js';
import { precomputeRankings, type PrecomputeResult } from '../../recommend/precompute.js';
import type { ModelBundle } from '../../models/bundle.js';
import type { Store } from '../../store/index.js';
import type { CliContext } from '../context.js';
import { addStoreLocationOptions, storeUrlOf, type StoreLocationFlags } from '../options.js';
import { createProgress } from '../progress.js';
import { openModelDir } from '../session.js';

interface PrecomputeFlags extends StoreLocationFlags {
  model?: string;
}

export function registerPrecompute(program: Command, ctx: CliContext): void {
  const command = program
    .command('precompute')
    .description("Store every known user's ranking under the current model, so the API answers known users without running the model")
    .option(
      '--model <dir>',
      "model directory (default: the production model: the one models/CURRENT names, or the shared registry's with a PostgreSQL store)",
    );
  addStoreLocationOptions(command).action(async (flags: PrecomputeFlags) => {
    // With a PostgreSQL store, the shared registry's production model: the one the replicas serve.
    const { bundle } = await openModelDir(ctx, flags.model, storeUrlOf(flags, ctx.paths));
    const store = await ctx.openStore(storeUrlOf(flags, ctx.paths));
    try {
      const result = await precomputeWithProgress(bundle, store);
      ctx.out(
        `precompute: ${result.users} users ranked under ${result.modelKey} in ${result.seconds.toFixed(1)} s ` +
          `(${(result.users / Math.max(result.seconds, 1e-3)).toFixed(0)} users/s); ${result.pruned} rankings of older models removed.`,
      );
    } finally {
      await store.close();
    }
  });
}

/** Runs the job with a progress bar; also used by `anirec quickstart` after training. */
export async function precomputeWithProgress(bundle: ModelBundle, store: Store): Promise<PrecomputeResult> {
  const engine = await RecommendationEngine.create(bundle, store, 'precompute');
  const progress = createProgress('users');
  try {
    return await precomputeRankings(engine, store, {
      onProgress: (done, total) => progress.update(done, total > 0 ? done / total : null, 'ranking known users'),
    });
  } finally {
    progress.stop();
  }
}
