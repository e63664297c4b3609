import type { Command } from 'commander';
import { listFormats } from '../../data/index.js';
import { describeStore } from '../../store/index.js';
import type { CliContext } from '../context.js';
import { addStoreLocationOptions, storeUrlOf, type StoreLocationFlags } from '../options.js';

export function registerInfo(program: Command, ctx: CliContext): void {
  program
    .command('formats')
    .description('List the data formats anirec can import and the headers that identify them')
    .action(() => {
      for (const format of listFormats()) {
        ctx.out(`${format.id.padEnd(22)} ${format.description}`);
        if (format.header) ctx.out(`${''.padEnd(22)} header: ${format.header}`);
      }
    });

  const stats = program.command('stats').description('Show what the store holds: titles, users, interactions');
  addStoreLocationOptions(stats).action(async (flags: StoreLocationFlags) => {
    const url = storeUrlOf(flags, ctx.paths);
    const store = await ctx.openStore(url);
    try {
      ctx.out(`store: ${describeStore(url)}`);
      ctx.out(`anime: ${(await store.countAnime()).toLocaleString('en')}`);
      ctx.out(`users: ${(await store.countUsers()).toLocaleString('en')}`);
      ctx.out(`interactions: ${(await store.countInteractions()).toLocaleString('en')}`);
    } finally {
      await store.close();
    }
  });
}
