import type { Command } from 'commander';
import { BUNDLED_CATALOGUES, BUNDLED_DATA, BUNDLED_USER_SOURCE } from '../../data/bundled.js';
import type { FormatId } from '../../data/index.js';
import {
  describePending,
  describeProblem,
  importFiles,
  ImportAbortedError,
  type ImportFileSpec,
  type ImportSummary,
} from '../../store/index.js';
import type { CliContext } from '../context.js';
import { addStoreLocationOptions, storeUrlOf, type StoreLocationFlags } from '../options.js';
import { createProgress } from '../progress.js';

interface ImportFlags extends StoreLocationFlags {
  format?: string;
  userSource?: string;
  strict?: boolean;
}

/** The bundled sample: both catalogues (merged by MAL id) and the 5k-user ratings. */
export function bundledImportSpecs(): ImportFileSpec[] {
  return [...BUNDLED_CATALOGUES.map((path) => ({ path })), { path: BUNDLED_DATA.ratings2016, userSource: BUNDLED_USER_SOURCE }];
}

export function printImportSummary(ctx: CliContext, summary: ImportSummary): void {
  const c = summary.counts;
  ctx.out(
    `Imported in ${summary.seconds.toFixed(1)} s (${Math.round(summary.rowsRead / Math.max(summary.seconds, 1e-3)).toLocaleString('en')} rows/s):`,
  );
  for (const file of summary.files) {
    ctx.out(
      `  ${file.path} [${file.format}]: ${file.rowsRead.toLocaleString('en')} rows read, ${file.skipped.toLocaleString('en')} skipped`,
    );
  }
  ctx.out(`  anime records merged: ${c.animeUpserted.toLocaleString('en')}`);
  ctx.out(
    `  interactions: ${c.interactionsInserted.toLocaleString('en')} new, ${c.interactionsUpdated.toLocaleString('en')} updated, ` +
      `${c.interactionsUnchanged.toLocaleString('en')} unchanged; users created: ${c.usersCreated.toLocaleString('en')}`,
  );
  if (summary.placeholderAnime > 0) {
    ctx.out(
      `  ${summary.placeholderAnime.toLocaleString('en')} titles were missing from the catalogues and were added as placeholders (id only)`,
    );
  }
  const pending = describePending(summary.pending);
  if (pending !== null) ctx.out(`  ${pending}`);
  if (c.pendingResolved > 0)
    ctx.out(`  ${c.pendingResolved.toLocaleString('en')} pending list entries now count: this run added their titles`);
  if (summary.skippedTotal > 0) {
    const reasons = Object.entries(summary.skippedByReason)
      .filter(([, n]) => n > 0)
      .map(([reason, n]) => `${reason} ${n.toLocaleString('en')}`)
      .join(', ');
    ctx.out(`  skipped ${summary.skippedTotal.toLocaleString('en')} rows: ${reasons}`);
    for (const problem of summary.problems.slice(0, 10)) ctx.out(`    ${describeProblem(problem)}`);
    if (summary.skippedTotal > 10) ctx.out(`    … (${summary.skippedTotal - 10} more; --strict stops at the first)`);
  }
}

export async function runImport(ctx: CliContext, specs: ImportFileSpec[], flags: ImportFlags): Promise<ImportSummary> {
  const store = await ctx.openStore(storeUrlOf(flags, ctx.paths));
  const controller = new AbortController();
  const onSigint = (): void => {
    if (controller.signal.aborted) process.exit(130);
    ctx.err('\nInterrupted: rolling back, the store stays as it was (Ctrl-C again to force quit).');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const progress = createProgress('rows');
  try {
    return await importFiles(store, specs, {
      strict: flags.strict ?? false,
      signal: controller.signal,
      onProgress: (p) => progress.update(p.rowsRead, p.fraction, `[${p.fileIndex + 1}/${p.fileCount}] ${p.file.split('/').pop()}`),
    });
  } catch (error) {
    if (error instanceof ImportAbortedError && error.problem === null) process.exitCode = 130;
    throw error;
  } finally {
    progress.stop();
    process.off('SIGINT', onSigint);
    await store.close();
  }
}

export function registerImport(program: Command, ctx: CliContext): void {
  const command = program
    .command('import')
    .description('Import anime catalogues, ratings and user lists into the store (no files: the bundled sample)')
    .argument('[files...]', 'data files (.csv, .csv.gz, .xml, .xml.gz); the format is detected from the header')
    .option('--format <id>', 'force the format instead of detecting it (see `anirec formats`)')
    .option('--user-source <name>', 'namespace for the users in these files (e.g. kaggle2016, mal)')
    .option('--strict', 'abort the whole import (writing nothing) at the first bad row');
  addStoreLocationOptions(command).action(async (files: string[], flags: ImportFlags) => {
    const specs: ImportFileSpec[] =
      files.length === 0
        ? bundledImportSpecs()
        : files.map((path) => ({ path, format: flags.format as FormatId | undefined, userSource: flags.userSource }));
    const summary = await runImport(ctx, specs, flags);
    printImportSummary(ctx, summary);
  });
}
