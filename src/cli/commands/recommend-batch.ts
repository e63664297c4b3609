import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { once } from 'node:events';
import type { Command } from 'commander';
import { loadBundle } from '../../models/bundle.js';
import { recommendBatch } from '../../recommend/batch.js';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { parsePositiveInt } from '../options.js';

interface BatchFlags {
  model: string;
  input: string;
  output?: string;
  k: number;
}

export function registerRecommendBatch(program: Command, ctx: CliContext): void {
  program
    .command('recommend-batch')
    .description('Recommend top-k titles for many new users at once (JSONL in, JSONL out), by fold-in without retraining')
    .requiredOption('--model <dir>', 'a trained model directory (from `anirec train --out DIR`)')
    .requiredOption('--input <file>', 'JSONL, one {"user": "u1", "history": [{"anime_id": 1, "rating": 9}]} per line; - for stdin')
    .option('--output <file>', 'where to write {"user": "u1", "items": [...]} lines (default: stdout)')
    .option('--k <n>', 'titles per user', parsePositiveInt('--k'), 20)
    .action(async (flags: BatchFlags) => {
      if (flags.input !== '-' && !existsSync(flags.input)) throw new CliError(`--input ${flags.input}: no such file`);
      const bundle = await loadBundle(flags.model);
      const input = flags.input === '-' ? process.stdin : createReadStream(flags.input);
      const output = flags.output ? createWriteStream(flags.output) : process.stdout;
      let reported = 0;
      const stats = await recommendBatch(bundle, input, output, {
        k: flags.k,
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
