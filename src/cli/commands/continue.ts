import type { Command } from 'commander';
import { continueList } from '../../recommend/continue-list.js';
import type { CliContext } from '../context.js';
import { addFilterOptions, filtersFromFlags } from '../filter-flags.js';
import { addListSourceOptions, checkOneSource, readListInput, type ListSourceFlags } from '../list-source.js';
import { addJsonOption, addStoreOptions, parseNumberIn, type JsonFlag, type StoreFlags } from '../options.js';
import { printJson, printList, printResolved } from '../render.js';
import { openEngine, withStore } from '../session.js';
import { withFilterErrors } from './recommend.js';

type ContinueFlags = StoreFlags & JsonFlag & ListSourceFlags & { k: number; offset: number } & Record<string, unknown>;

/**
 * "Continue what you started", as GET /v1/users/{user}/continue (a stored user) or POST
 * /v1/continue/from-titles (titles, a list file, an AniList list): next entries of franchises on
 * the list, new seasons, planned titles that have aired.
 */
export function registerContinue(program: Command, ctx: CliContext): void {
  const command = program
    .command('continue')
    .description('Continue what you started: the next entries of franchises on a list, new seasons, and planned titles that have aired');
  addListSourceOptions(command);
  command
    .option('--k <n>', 'how many titles (1–100)', parseNumberIn('--k', 1, 100, true), 10)
    .option('--offset <n>', 'titles to skip: the next page is offset + k (0–1000)', parseNumberIn('--offset', 0, 1000, true), 0);
  addFilterOptions(command);
  addStoreOptions(command);
  addJsonOption(command);
  command.action(async (flags: ContinueFlags) => {
    checkOneSource(flags);
    const parsed = filtersFromFlags(flags, new Date());
    await withStore(ctx, flags, async (store, db) => {
      const engine = await openEngine(ctx, store, db, flags.model);
      await withFilterErrors(engine, parsed, () => engine.filter(parsed.filters));
      const input = await readListInput(flags, store, engine.catalog, engine.titles);
      const list = continueList(engine, input.entries, { k: flags.k, offset: flags.offset, filters: parsed.filters });
      const answer =
        input.kind === 'user'
          ? { mode: 'continue', user: input.userJson, ...list }
          : { mode: 'continue', resolved: input.kind === 'titles' ? input.resolved : [], ...list, notes: [...input.notes, ...list.notes] };
      if (flags.json) return printJson(ctx.out, answer);
      if (input.kind === 'titles') printResolved(ctx.out, input.resolved);
      printList(ctx.out, `Continue what you started (${input.label})`, answer);
    });
  });
}
