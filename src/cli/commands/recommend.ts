import type { Command } from 'commander';
import type { ModelBundle } from '../../models/bundle.js';
import type { RecommendationEngine, RecommendOptions } from '../../recommend/engine.js';
import { FilterError } from '../../recommend/filters.js';
import { isSeasonal, seasonalRecommend } from '../../recommend/seasonal.js';
import type { HistoryEntry } from '../../recommend/taste-profile.js';
import type { Store, StoredUser, UserRanking } from '../../store/index.js';
import type { CliContext } from '../context.js';
import { addFilterOptions, explainFilterError, filtersFromFlags, type ParsedFilters } from '../filter-flags.js';
import { addListSourceOptions, checkOneSource, readListInput, type ListInput, type ListSourceFlags } from '../list-source.js';
import { addJsonOption, addPagingOptions, addStoreOptions, type JsonFlag, type PagingFlags, type StoreFlags } from '../options.js';
import { printJson, printList, printResolved } from '../render.js';
import { openEngine, openModelDir, withStore } from '../session.js';

export { resolveUser } from '../list-source.js';

/** The model `train` made current, or the one named by --model (precompute and quickstart use it). */
export async function openModel(ctx: CliContext, dir?: string): Promise<ModelBundle> {
  return (await openModelDir(ctx, dir)).bundle;
}

type RecommendFlags = StoreFlags & PagingFlags & JsonFlag & ListSourceFlags & Record<string, unknown>;

/** The request options the API builds from the same parameters (routes/recommend.ts). */
export function optionsOf(flags: PagingFlags, parsed: ParsedFilters): RecommendOptions {
  return {
    k: flags.k,
    offset: flags.offset,
    filters: parsed.filters,
    ...(flags.diversity !== undefined ? { diversity: flags.diversity } : {}),
    ...(flags.franchise !== undefined ? { franchise: flags.franchise } : {}),
  };
}

/** Runs an engine call, turning a filter value the catalogue does not know into a message naming the flag. */
export async function withFilterErrors<T>(engine: RecommendationEngine, parsed: ParsedFilters, run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof FilterError) throw explainFilterError(error, parsed.fromFlags, engine.catalog);
    throw error;
  }
}

/**
 * A list from a user's titles, as the API answers it: with seasonal filters (a season, or only
 * airing / upcoming titles) new seasons of listed series lead (seasonal.ts); `season` says which
 * season the filter selected.
 */
function recommendList(
  engine: RecommendationEngine,
  entries: readonly HistoryEntry[],
  options: RecommendOptions,
  precomputed: UserRanking | null,
): object {
  const list = isSeasonal(options.filters ?? {})
    ? seasonalRecommend(engine, entries, options, 0, precomputed)
    : engine.recommend(entries, options, 0, precomputed);
  return { ...(options.filters?.season !== undefined ? { season: options.filters.season } : {}), ...list };
}

/**
 * The API's response for this list: `known-user` for a stored user (GET /v1/users/{user}/recommendations),
 * `from-titles` otherwise (POST /v1/recommendations/from-titles; a file or AniList list is that
 * request with the list's MAL ids, so `resolved` is empty). Notes about reading the list come first.
 */
export async function recommendFor(
  engine: RecommendationEngine,
  store: Store,
  input: ListInput,
  options: RecommendOptions,
): Promise<Record<string, unknown>> {
  const precomputed = input.kind === 'user' ? await store.getUserRanking(engine.rankingKey, input.user.userId) : null;
  const list = recommendList(engine, input.entries, options, precomputed) as { notes: string[] };
  const answer = { ...list, notes: [...input.notes, ...list.notes] };
  if (input.kind === 'user') return { mode: 'known-user', user: input.userJson, ...answer };
  return { mode: 'from-titles', resolved: input.kind === 'titles' ? input.resolved : [], ...answer };
}

function heading(input: ListInput): string {
  const listed = `${input.entries.length} title${input.entries.length === 1 ? '' : 's'} listed`;
  return input.kind === 'titles' ? 'Recommendations from your titles' : `Recommendations for ${input.label} (${listed})`;
}

/** A stored user's recommendations as the `recommend` table; the quickstart shows sample users with it. */
export async function printUserRecommendations(
  ctx: CliContext,
  store: Store,
  engine: RecommendationEngine,
  user: StoredUser,
  k: number,
): Promise<void> {
  const input = await readListInput({ user: `${user.source}:${user.externalId}` }, store, engine.catalog, engine.titles);
  const answer = await recommendFor(engine, store, input, { k, offset: 0, filters: {} });
  ctx.out('');
  printList(ctx.out, heading(input), answer as never);
}

export function registerRecommend(program: Command, ctx: CliContext): void {
  const command = program
    .command('recommend')
    .description(
      'Recommend titles for a stored user, for titles you name, for a list file or for an AniList user — the same engine, filters and reasons as the HTTP API',
    );
  addListSourceOptions(command);
  addPagingOptions(command);
  addFilterOptions(command);
  addStoreOptions(command);
  addJsonOption(command);
  command.addHelpText(
    'after',
    `
Examples:
  anirec recommend --user 1 --k 5
  anirec recommend --titles "Steins;Gate=10, Monster, Mushishi" --formats TV --year-min 2010
  anirec recommend --list animelist.xml --season current --json
  anirec recommend --anilist yuki --filters '{"genres": ["Comedy"], "minScore": 7.5}'`,
  );
  command.action(async (flags: RecommendFlags) => {
    // Everything the person typed is checked before the model and store are loaded (seconds).
    checkOneSource(flags);
    const parsed = filtersFromFlags(flags, new Date());
    const options = optionsOf(flags, parsed);
    await withStore(ctx, flags, async (store, db) => {
      const engine = await openEngine(ctx, store, db, flags.model);
      // Genre and theme names are checked against the catalogue before a list is fetched.
      await withFilterErrors(engine, parsed, () => engine.filter(parsed.filters));
      const input = await readListInput(flags, store, engine.catalog, engine.titles);
      const answer = await withFilterErrors(engine, parsed, () => recommendFor(engine, store, input, options));
      if (flags.json) return printJson(ctx.out, answer);
      if (input.kind === 'titles') printResolved(ctx.out, input.resolved);
      printList(ctx.out, heading(input), answer as never);
    });
  });
}
