import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadBundle, type ModelBundle } from '../../models/bundle.js';
import { resolveCurrentPointer } from '../../registry/index.js';
import { recommendForHistory } from '../../recommend/fold-in.js';
import type { Store, StoredUser } from '../../store/index.js';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { parsePositiveInt } from '../options.js';

/** The model `train` made current, or the one named by --model. */
export async function openModel(ctx: CliContext, dir?: string): Promise<ModelBundle> {
  if (dir) return loadBundle(dir);
  const pointer = join(ctx.paths.models, 'CURRENT');
  if (!existsSync(pointer)) throw new CliError('No trained model yet. Run `anirec train` (or pass --model DIR).');
  return loadBundle(resolveCurrentPointer(ctx.paths.models, readFileSync(pointer, 'utf8')));
}

export async function resolveUser(store: Store, spec: string): Promise<StoredUser> {
  const [source, externalId] = spec.includes(':') ? [spec.slice(0, spec.indexOf(':')), spec.slice(spec.indexOf(':') + 1)] : [null, spec];
  const users = await store.findUser(source, externalId);
  if (users.length === 0) throw new CliError(`No user "${spec}" in the store. Users are named by their id in their dataset, e.g. 1 or kaggle2016:1.`);
  if (users.length > 1) {
    throw new CliError(`"${spec}" names ${users.length} users; say which: ${users.map((u) => `${u.source}:${u.externalId}`).join(', ')}`);
  }
  return users[0]!;
}

/** Prints a user's recommendations with titles, for the CLI and the quickstart. */
export async function printUserRecommendations(ctx: CliContext, store: Store, bundle: ModelBundle, user: StoredUser, k: number): Promise<void> {
  const list = await store.userInteractions(user.userId);
  const result = recommendForHistory(
    bundle,
    list.map((row) => ({ animeId: row.animeId, score: row.score })),
    k,
  );
  const favourites = list.filter((row) => row.score !== null).sort((a, b) => b.score! - a.score!).slice(0, 3);
  const titles = new Map((await store.listAnime({ ids: [...result.animeIds, ...favourites.map((f) => f.animeId)] })).map((a) => [a.animeId, a]));
  ctx.out(`\nUser ${user.source}:${user.externalId} (${list.length} titles listed; loves ${favourites.map((f) => `${titles.get(f.animeId)?.title ?? f.animeId} (${f.score})`).join(', ') || '—'})`);
  result.animeIds.forEach((animeId, rank) => {
    const anime = titles.get(animeId);
    const meta = anime ? [anime.format, anime.year, anime.genres.slice(0, 3).join(', ')].filter(Boolean).join(' · ') : '';
    ctx.out(`  ${String(rank + 1).padStart(2)}. ${anime?.title ?? `anime ${animeId}`}${meta ? `  [${meta}]` : ''}`);
  });
}

export function registerRecommend(program: Command, ctx: CliContext): void {
  program
    .command('recommend')
    .description("Recommend titles for a user in the store (by fold-in of the user's current list)")
    .requiredOption('--user <id>', 'user id in their dataset (e.g. 1), or source:id (e.g. kaggle2016:1)')
    .option('--k <n>', 'how many titles', parsePositiveInt('--k'), 10)
    .option('--model <dir>', 'model directory (default: the current one)')
    .option('--db <path>', 'store file (default: $ANIREC_HOME/anirec.db)')
    .action(async (flags: { user: string; k: number; model?: string; db?: string }) => {
      const bundle = await openModel(ctx, flags.model);
      const store = await ctx.openStore(flags.db);
      try {
        await printUserRecommendations(ctx, store, bundle, await resolveUser(store, flags.user), flags.k);
      } finally {
        await store.close();
      }
    });
}
