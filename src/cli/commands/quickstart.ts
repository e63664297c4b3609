import type { Command } from 'commander';
import { loadBundle, type ModelBundle } from '../../models/bundle.js';
import { rankingKeyOf } from '../../recommend/scored-list.js';
import type { CliContext } from '../context.js';
import { addStoreLocationOptions, storeUrlOf, type StoreLocationFlags } from '../options.js';
import { bundledImportSpecs, printImportSummary, runImport } from './import.js';
import { RecommendationEngine } from '../../recommend/engine.js';
import { printUserRecommendations, resolveUser } from './recommend.js';
import { trainIntoRegistry, withRegistryOf } from './train.js';

interface QuickstartFlags extends StoreLocationFlags {
  users: string;
  retrain?: boolean;
  serve: boolean;
  port: number;
  host: string;
}

/**
 * The main job on the bundled data, end to end: import (skipped when the store already holds
 * data), train the default model into the registry as production (skipped when a production
 * anirec model exists, unless --retrain), show recommendations for a few sample users, then
 * serve the API and web page until Ctrl-C.
 */
export function registerQuickstart(program: Command, ctx: CliContext): void {
  const command = program
    .command('quickstart')
    .description('Import the bundled sample, train the default model, show sample recommendations, then serve');
  addStoreLocationOptions(command)
    .option('--users <ids>', 'comma-separated sample users to show', '1,2,3')
    .option('--retrain', 'train a new model even if a production anirec model exists')
    .option('--no-serve', 'stop after the sample recommendations instead of starting the server')
    .option('--port <n>', 'port to serve on', Number, 8080)
    .option('--host <host>', 'interface to serve on', '127.0.0.1')
    .action(async (flags: QuickstartFlags) => {
      const storeUrl = storeUrlOf(flags, ctx.paths);
      // Resolved once: every step below (import, train, serve) then opens the same store.
      const where = { store: storeUrl };
      const store = await ctx.openStore(storeUrl);
      const hasData = (await store.countInteractions()) > 0;
      await store.close();
      if (hasData) {
        ctx.out('The store already holds data; skipping the import (run `anirec import` to re-import).');
      } else {
        ctx.out('Importing the bundled sample (16k titles, 5k users, 520k list entries)…');
        printImportSummary(ctx, await runImport(ctx, bundledImportSpecs(), where));
      }

      // What the server reports as model.version: the version's id (its directory's name, model-holder.ts).
      const existing = flags.retrain
        ? null
        : await withRegistryOf(ctx, where, async (registry) => {
            const production = await registry.production();
            if (production === null || production.kind !== 'anirec') return null;
            return { bundle: await loadBundle(await registry.materialize(production)), modelVersion: production.id };
          });
      let bundle: ModelBundle;
      let modelVersion: string;
      if (existing !== null) {
        ctx.out(`\nUsing the production model ${existing.modelVersion} (pass --retrain to train a new one).`);
        ({ bundle, modelVersion } = existing);
      } else {
        ctx.out('\nTraining the anirec hybrid model (a few minutes on 2 cores)…');
        const trained = await trainIntoRegistry(
          ctx,
          'anirec',
          { model: 'anirec', ...where, seed: 42, bundledCatalogue: false },
          {
            promote: true,
            reason: 'anirec quickstart',
          },
        );
        bundle = trained.bundle;
        modelVersion = trained.version.id;
        ctx.out(`Trained in ${bundle.manifest.trainingSeconds.toFixed(1)} s → ${trained.version.id} (production)`);
      }

      const reader = await ctx.openStore(storeUrl);
      try {
        if ((await reader.countUserRankings(rankingKeyOf(bundle))) === 0) {
          ctx.out('\nRanking every known user ahead of requests (`anirec precompute`)…');
          const { precomputeWithProgress } = await import('./precompute.js');
          const result = await precomputeWithProgress(bundle, reader);
          ctx.out(`Ranked ${result.users} users in ${result.seconds.toFixed(1)} s.`);
        }
        // The samples come from the engine the server is about to answer with, so they match the web page.
        const engine = await RecommendationEngine.create(bundle, reader, modelVersion);
        for (const id of flags.users
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)) {
          await printUserRecommendations(ctx, reader, engine, await resolveUser(reader, id), 10);
        }
      } finally {
        await reader.close();
      }
      if (!flags.serve) {
        ctx.out('\nNext: `npx anirec serve`, `npx anirec recommend --user 42`, or `npx anirec eval`.');
        return;
      }
      // Imported here so the CLI's other commands do not load the server stack.
      const { serveUntilStopped } = await import('./serve.js');
      await serveUntilStopped(ctx, { ...where, port: flags.port, host: flags.host });
    });
}
