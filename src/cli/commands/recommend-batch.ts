import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { once } from 'node:events';
import { InvalidArgumentError, type Command } from 'commander';
import { loadBundle } from '../../models/bundle.js';
import { compileBatchFilter, MAX_BATCH_K, recommendBatch, type BatchFilter } from '../../recommend/batch.js';
import { Catalog } from '../../recommend/catalog.js';
import { FilterError, type RecommendationFilters } from '../../recommend/filters.js';
import { describeStore, StoreNotFoundError, type Store } from '../../store/index.js';
import { FILTER_FIELDS } from '../../wire/filters.js';
import type { ModelBundle } from '../../models/bundle.js';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { filtersFromFlags } from '../filter-flags.js';
import { addStoreLocationOptions, storeUrlOf, type StoreLocationFlags } from '../options.js';

interface BatchFlags extends StoreLocationFlags {
  model: string;
  input: string;
  output?: string;
  k: number;
  filters?: string;
}

function parseK(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`--k must be a whole number ≥ 1 (got "${value}")`);
  if (n > MAX_BATCH_K)
    throw new InvalidArgumentError(`--k can be at most ${MAX_BATCH_K} (got ${n}); a batch answers top lists, not whole catalogues.`);
  return n;
}

/** `--filters` JSON → filters, validated exactly as the API validates a `filters` object (filter-flags.ts). */
export function parseFiltersFlag(text: string, now: Date): RecommendationFilters {
  return filtersFromFlags({ filters: text }, now).filters;
}

/** Reads the catalogue from the store and compiles the filters over the model's titles. */
async function batchFilter(
  ctx: CliContext,
  bundle: ModelBundle,
  filters: RecommendationFilters,
  where: StoreLocationFlags,
): Promise<BatchFilter> {
  const url = storeUrlOf(where, ctx.paths);
  const path = describeStore(url);
  let store: Store;
  try {
    store = await ctx.openStore(url, { mustExist: true });
  } catch (error) {
    if (!(error instanceof StoreNotFoundError)) throw error;
    throw new CliError(
      `--filters needs the catalogue, read from the store ${path}, which does not exist. Run \`anirec import\` first, or point --store (or --db) at a store.`,
    );
  }
  try {
    const catalog = await Catalog.load(store);
    if (catalog.size === 0)
      throw new CliError(
        `The store ${path} has no catalogue; --filters needs one. Run \`anirec import\` (the bundled catalogues load with no arguments).`,
      );
    return compileBatchFilter(bundle, catalog, filters);
  } catch (error) {
    // The same message the API answers 400 with (unknown genre with suggestions, inverted range).
    if (error instanceof FilterError) throw new CliError(`--filters: ${error.field}: ${error.message}`);
    throw error;
  } finally {
    await store.close();
  }
}

export function registerRecommendBatch(program: Command, ctx: CliContext): void {
  const command = program
    .command('recommend-batch')
    .description('Recommend top-k titles for many new users at once (JSONL in, JSONL out), by fold-in without retraining')
    .requiredOption('--model <dir>', 'a trained model directory (from `anirec train --out DIR`)')
    .requiredOption('--input <file>', 'JSONL, one {"user": "u1", "history": [{"anime_id": 1, "rating": 9}]} per line; - for stdin')
    .option('--output <file>', 'where to write {"user": "u1", "items": [...]} lines (default: stdout)')
    .option('--k <n>', `titles per user (at most ${MAX_BATCH_K})`, parseK, 20)
    .option(
      '--filters <json>',
      `the API's filters as a JSON object, e.g. '{"yearMin": 2017, "genres": ["Comedy"]}' (fields: ${FILTER_FIELDS.join(', ')}); needs the catalogue from the store`,
    );
  addStoreLocationOptions(command, 'the store to read the catalogue from when --filters is given').action(async (flags: BatchFlags) => {
    if (flags.input !== '-' && !existsSync(flags.input)) throw new CliError(`--input ${flags.input}: no such file`);
    const filters = flags.filters === undefined ? null : parseFiltersFlag(flags.filters, new Date());
    const bundle = await loadBundle(flags.model);
    const filter = filters === null ? undefined : await batchFilter(ctx, bundle, filters, flags);
    const input = flags.input === '-' ? process.stdin : createReadStream(flags.input);
    const output = flags.output ? createWriteStream(flags.output) : process.stdout;
    let reported = 0;
    const stats = await recommendBatch(bundle, input, output, {
      k: flags.k,
      ...(filter ? { filter } : {}),
      onProblem: (problem) => {
        if (++reported <= 50) ctx.err(`${flags.input}:${problem.line}: ${problem.message}${problem.dropped ? ' (line skipped)' : ''}`);
      },
    });
    if (output !== process.stdout) {
      output.end();
      await once(output, 'finish');
    }
    if (reported > 50) ctx.err(`… ${reported - 50} more input problems`);
    ctx.err(
      `recommend-batch: ${stats.usersAnswered} users answered in ${stats.seconds.toFixed(1)} s ` +
        `(${stats.linesDropped} lines skipped, ${stats.unknownHistoryItems} history titles unknown to the model, ` +
        `${stats.coldUsers} users with no known title got popular titles)`,
    );
  });
}
