import type { Command } from 'commander';
import { computeBaseline, tasteProfile } from '../../recommend/taste-profile.js';
import { TitleIndex } from '../../recommend/title-search.js';
import type { CliContext } from '../context.js';
import { addListSourceOptions, checkOneSource, readListInput, type ListSourceFlags } from '../list-source.js';
import { addJsonOption, addStoreOptions, type JsonFlag, type StoreLocationFlags } from '../options.js';
import { printJson, printProfile, printResolved } from '../render.js';
import { loadCatalog, withStore } from '../session.js';

type ProfileFlags = StoreLocationFlags & JsonFlag & ListSourceFlags;

/**
 * The taste profile, as GET /v1/users/{user}/profile: what engine.profile computes
 * (tasteProfile over the catalogue and the store's average user), for a stored user or for a
 * list given on the command line. It is computed from the list and the store alone, so it needs
 * no trained model.
 */
export function registerProfile(program: Command, ctx: CliContext): void {
  const command = program
    .command('profile')
    .description(
      'Taste profile (favourite genres, themes, studios, formats, eras; how it differs from the average user) for a user or a list',
    );
  addListSourceOptions(command);
  addStoreOptions(command, { model: false });
  addJsonOption(command);
  command.action(async (flags: ProfileFlags) => {
    checkOneSource(flags);
    await withStore(ctx, flags, async (store, db) => {
      const catalog = await loadCatalog(store, db);
      const input = await readListInput(flags, store, catalog, new TitleIndex(catalog));
      // The engine's baseline: every stored list (RecommendationEngine.create computes the same).
      const profile = tasteProfile(input.entries, catalog, computeBaseline(await store.allInteractions(), catalog));
      // The API answers a stored user's profile with `user` first; a list given here has no
      // stored user, so it says which titles were read instead (`resolved`, as from-titles).
      const answer =
        input.kind === 'user'
          ? { user: input.userJson, ...profile }
          : {
              ...(input.kind === 'titles' ? { resolved: input.resolved } : {}),
              ...profile,
              ...(input.notes.length > 0 ? { notes: input.notes } : {}),
            };
      if (flags.json) return printJson(ctx.out, answer);
      if (input.kind === 'titles') printResolved(ctx.out, input.resolved);
      printProfile(ctx.out, `Taste profile of ${input.label}`, profile);
      for (const note of input.notes) ctx.out(`note: ${note}`);
    });
  });
}
