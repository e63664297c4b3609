import type { Command } from 'commander';
import { TitleIndex } from '../../recommend/title-search.js';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { addJsonOption, addStoreOptions, parseNumberIn, type JsonFlag, type StoreLocationFlags } from '../options.js';
import { printJson, printTable } from '../render.js';
import { loadCatalog, withStore } from '../session.js';

type SearchFlags = StoreLocationFlags & JsonFlag & { limit: number; includeAdult?: boolean };

/**
 * Title search, as GET /v1/search: the same typo-tolerant index over the catalogue. It needs no
 * model (the API's needs one only because it searches the loaded engine's catalogue), so it works
 * right after `anirec import`.
 */
export function registerSearch(program: Command, ctx: CliContext): void {
  const command = program
    .command('search')
    .description('Find titles by name (typo-tolerant, main / English / Japanese titles and synonyms), as GET /v1/search')
    .argument('<query>', 'what to look for, e.g. "shingeki kyo"')
    .option('--limit <n>', 'how many results (1–50)', parseNumberIn('--limit', 1, 50, true), 10)
    .option('--include-adult', 'include adult (Rx) titles');
  addStoreOptions(command, { model: false });
  addJsonOption(command);
  command.action(async (query: string, flags: SearchFlags) => {
    if (query.trim() === '') throw new CliError('The search is empty; give some of the title, e.g. anirec search "cowboy beb".');
    await withStore(ctx, flags, async (store, db) => {
      const catalog = await loadCatalog(store, db);
      const matches = new TitleIndex(catalog).search(query, { limit: flags.limit, includeAdult: flags.includeAdult === true });
      const results = matches.map((m) => ({
        anime: catalog.summary(m.animeId),
        score: Number(m.score.toFixed(3)),
        matchedName: m.matchedName,
        matchedField: m.matchedField,
      }));
      if (flags.json) return printJson(ctx.out, { query, results });
      if (results.length === 0) {
        ctx.out(`No title matches "${query}". Try fewer words, or another language's title.`);
        return;
      }
      printTable(
        ctx.out,
        results.map((r, i) => ({
          rank: i + 1,
          anime: r.anime,
          text: `${r.score.toFixed(2)}  id ${r.anime.id}${r.matchedName !== r.anime.title ? `  (as "${r.matchedName}")` : ''}`,
        })),
        'match',
      );
    });
  });
}
