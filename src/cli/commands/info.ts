import type { Command } from 'commander';
import { listFormats } from '../../data/index.js';
import type { CliContext } from '../context.js';

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

  program
    .command('stats')
    .description('Show what the store holds: titles, users, interactions')
    .option('--db <path>', 'store file (default: $ANIREC_HOME/anirec.db)')
    .action(async (flags: { db?: string }) => {
      const store = await ctx.openStore(flags.db);
      try {
        ctx.out(`store: ${flags.db ?? ctx.paths.database}`);
        ctx.out(`anime: ${(await store.countAnime()).toLocaleString('en')}`);
        ctx.out(`users: ${(await store.countUsers()).toLocaleString('en')}`);
        ctx.out(`interactions: ${(await store.countInteractions()).toLocaleString('en')}`);
      } finally {
        await store.close();
      }
    });
}
