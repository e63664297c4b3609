import { InvalidArgumentError, type Command } from 'commander';
import type { RecommendationEngine } from '../../recommend/engine.js';
import type { SimilarityMode } from '../../recommend/similar-items.js';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { addFilterOptions, filtersFromFlags } from '../filter-flags.js';
import {
  addJsonOption,
  addPagingOptions,
  addStoreOptions,
  parsePositiveInt,
  type JsonFlag,
  type PagingFlags,
  type StoreFlags,
} from '../options.js';
import { printJson, printList } from '../render.js';
import { openEngine, withStore } from '../session.js';
import { suggestionsFor } from '../titles.js';
import { optionsOf, withFilterErrors } from './recommend.js';

type SimilarFlags = StoreFlags & PagingFlags & JsonFlag & { mode: SimilarityMode; id?: number } & Record<string, unknown>;

const MODES: readonly SimilarityMode[] = ['collaborative', 'content', 'hybrid'];

/** The API's modes; "both" is accepted for hybrid (collaborative and content), since that is what it means. */
function parseMode(value: string): SimilarityMode {
  const mode = value === 'both' ? 'hybrid' : value;
  if (!(MODES as readonly string[]).includes(mode))
    throw new InvalidArgumentError(`--mode must be collaborative, content or hybrid (= both), got "${value}"`);
  return mode as SimilarityMode;
}

function brief(engine: RecommendationEngine, id: number): { id: number; title: string; titleEnglish: string | null } {
  const a = engine.catalog.get(id);
  return { id, title: a?.title ?? `anime ${id}`, titleEnglish: a?.titleEnglish ?? null };
}

/** The title to start from, with `match` and `alternatives` as GET /v1/similar answers them. */
function pickTitle(
  engine: RecommendationEngine,
  title: string | undefined,
  id: number | undefined,
): { animeId: number; match: object; alternatives: object[] } {
  if (id !== undefined) {
    const anime = engine.catalog.get(id);
    if (anime === undefined)
      throw new CliError(`--id ${id}: no anime with that MAL id in the catalogue; find ids with \`anirec search "title"\`.`);
    return { animeId: id, match: { ...brief(engine, id), confidence: 1, matchedName: anime.title, matchedField: 'id' }, alternatives: [] };
  }
  if (title === undefined || title.trim() === '')
    throw new CliError('Say which title: anirec similar "Cowboy Bebop" (typos are fine), or --id MAL_ID.');
  // The route asks for 6 matches: the best one and 5 alternatives.
  const matches = engine.searchTitles(title, 6);
  if (matches.length === 0) {
    const loose = suggestionsFor(engine.titles, engine.catalog, title, 5);
    throw new CliError(
      `No title matches "${title}"${loose.length > 0 ? `; did you mean ${loose.map((t) => `"${t}"`).join(', ')}?` : '; check the spelling'} (\`anirec search "..."\` finds titles).`,
    );
  }
  const best = matches[0]!;
  return {
    animeId: best.animeId,
    match: {
      ...brief(engine, best.animeId),
      confidence: Number(best.score.toFixed(3)),
      matchedName: best.matchedName,
      matchedField: best.matchedField,
    },
    alternatives: matches
      .slice(1)
      .map((m) => ({ ...brief(engine, m.animeId), confidence: Number(m.score.toFixed(3)), matchedName: m.matchedName })),
  };
}

export function registerSimilar(program: Command, ctx: CliContext): void {
  const command = program
    .command('similar')
    .description('More like this: titles similar to one title (typo-tolerant), as GET /v1/similar')
    .argument('[title]', 'the title, in any language the catalogue has (main, English, Japanese, synonyms)')
    .option('--id <malId>', 'the title by MyAnimeList id instead of by name', parsePositiveInt('--id'))
    .option(
      '--mode <mode>',
      'collaborative (watched by the same people), content (alike in what it is) or hybrid = both',
      parseMode,
      'hybrid' as SimilarityMode,
    );
  addPagingOptions(command);
  addFilterOptions(command);
  addStoreOptions(command);
  addJsonOption(command);
  command.action(async (title: string | undefined, flags: SimilarFlags) => {
    if (title !== undefined && flags.id !== undefined) throw new CliError('Give the title or --id, not both.');
    const parsed = filtersFromFlags(flags, new Date());
    const options = optionsOf(flags, parsed);
    await withStore(ctx, flags, async (store, db) => {
      const engine = await openEngine(ctx, store, db, flags.model);
      await withFilterErrors(engine, parsed, () => engine.filter(parsed.filters));
      const { animeId, match, alternatives } = pickTitle(engine, title, flags.id);
      const name = brief(engine, animeId).title;
      if (!engine.knowsAnime(animeId)) {
        throw new CliError(
          `${name} is in the catalogue but not in the model (it was added after training); retrain with \`anirec train\`, or pick another title.`,
        );
      }
      const list = await withFilterErrors(engine, parsed, () => engine.similar(animeId, flags.mode, options));
      const answer = {
        mode: `similar:${flags.mode}`,
        match,
        alternatives,
        ...(options.filters?.season !== undefined ? { season: options.filters.season } : {}),
        ...list,
      };
      if (flags.json) return printJson(ctx.out, answer);
      const matched = match as { confidence: number; matchedName: string };
      const how = matched.confidence < 0.999 ? ` ("${title}" matched "${matched.matchedName}", ${matched.confidence.toFixed(2)})` : '';
      printList(ctx.out, `More like ${name}${how}, ${flags.mode === 'hybrid' ? 'by content and audience' : `by ${flags.mode}`}`, list);
    });
  });
}
