import type { Command } from 'commander';
import { join } from 'node:path';
import { writeFileSync, mkdirSync } from 'node:fs';
import type { CliContext } from '../context.js';
import { bundledImportSpecs, printImportSummary, runImport } from './import.js';
import { printUserRecommendations, resolveUser } from './recommend.js';
import { trainToDirectory } from './train.js';

/**
 * The main job on the bundled data, end to end: import (skipped when the store already holds
 * the sample), train the default model, show recommendations for a few sample users.
 */
export function registerQuickstart(program: Command, ctx: CliContext): void {
  program
    .command('quickstart')
    .description('Import the bundled sample, train the default model and show sample recommendations')
    .option('--db <path>', 'store file (default: $ANIREC_HOME/anirec.db)')
    .option('--users <ids>', 'comma-separated sample users to show', '1,2,3')
    .action(async (flags: { db?: string; users: string }) => {
      const store = await ctx.openStore(flags.db);
      const hasData = (await store.countInteractions()) > 0;
      await store.close();
      if (hasData) {
        ctx.out('The store already holds data; skipping the import (run `anirec import` to re-import).');
      } else {
        ctx.out('Importing the bundled sample (12k titles, 5k users, 520k list entries)…');
        printImportSummary(ctx, await runImport(ctx, bundledImportSpecs(), { db: flags.db }));
      }
      const outDir = join(ctx.paths.models, `anirec-${new Date().toISOString().replace(/[:.]/g, '-')}`);
      ctx.out('\nTraining the anirec hybrid model…');
      const bundle = await trainToDirectory(ctx, 'anirec', { model: 'anirec', db: flags.db, seed: 42, bundledCatalogue: false }, outDir);
      mkdirSync(ctx.paths.models, { recursive: true });
      writeFileSync(join(ctx.paths.models, 'CURRENT'), `${outDir}\n`);
      ctx.out(`Trained in ${bundle.manifest.trainingSeconds.toFixed(1)} s → ${outDir}`);
      const reader = await ctx.openStore(flags.db);
      try {
        for (const id of flags.users.split(',').map((s) => s.trim()).filter(Boolean)) {
          await printUserRecommendations(ctx, reader, bundle, await resolveUser(reader, id), 10);
        }
      } finally {
        await reader.close();
      }
      ctx.out('\nNext: `npx anirec recommend --user 42`, or `npx anirec recommend-batch --model DIR --input users.jsonl`.');
    });
}
