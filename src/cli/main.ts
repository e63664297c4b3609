import { env } from '../env/env.js';
import { CliError } from './errors.js';
import { AnirecError, exitCodeOf } from '../errors/errors.js';
import { Command, CommanderError } from 'commander';
import { createContext } from './context.js';
import { registerEval } from './commands/eval.js';
import { registerImport } from './commands/import.js';
import { registerInfo } from './commands/info.js';
import { registerModels } from './commands/models.js';
import { registerOps } from './commands/ops.js';
import { registerPrecompute } from './commands/precompute.js';
import { registerContinue } from './commands/continue.js';
import { registerProfile } from './commands/profile.js';
import { registerQuickstart } from './commands/quickstart.js';
import { registerRecommend } from './commands/recommend.js';
import { registerRecommendBatch } from './commands/recommend-batch.js';
import { registerSearch } from './commands/search.js';
import { registerSimilar } from './commands/similar.js';
import { registerTrain } from './commands/train.js';
import { registerServe } from './commands/serve.js';
import { registerTune } from './commands/tune.js';
import { registerWorker } from './commands/worker.js';

function parseThreads(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1024) throw new CliError(`--threads ${value}: expected a whole number of threads ≥ 1`);
  return n;
}

/** Builds the `anirec` command line; each command lives in its own file under commands/. */
export function buildProgram(ctx = createContext()): Command {
  const program = new Command('anirec')
    .description('Anime recommendations: import MyAnimeList/AniList data, train models, recommend, serve.')
    .showHelpAfterError('(run `anirec --help` for the list of commands)')
    .option('--threads <n>', 'worker threads for training numerics (default: $ANIREC_THREADS, else every core)', parseThreads)
    .exitOverride();
  // Before any command runs: the flag wins over ANIREC_THREADS, which createContext applied.
  program.hook('preAction', () => {
    const threads = program.opts<{ threads?: number }>().threads;
    if (threads !== undefined) env.threads = threads;
  });
  registerQuickstart(program, ctx);
  registerImport(program, ctx);
  registerTrain(program, ctx);
  registerRecommend(program, ctx);
  registerSimilar(program, ctx);
  registerSearch(program, ctx);
  registerProfile(program, ctx);
  registerContinue(program, ctx);
  registerRecommendBatch(program, ctx);
  registerPrecompute(program, ctx);
  registerEval(program, ctx);
  registerTune(program, ctx);
  registerInfo(program, ctx);
  registerServe(program, ctx);
  registerModels(program, ctx);
  registerOps(program, ctx);
  registerWorker(program, ctx);
  return program;
}

/** Runs the CLI and returns the process exit code; never throws. */
export async function main(argv: string[]): Promise<number> {
  const ctx = createContext();
  const debug = ctx.config.debug;
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit through here too, with code 0.
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`anirec: ${message}\n`);
    if (debug && error instanceof Error && !(error instanceof AnirecError)) {
      process.stderr.write(`${error.stack ?? ''}\n`);
    }
    if (error instanceof AnirecError) return exitCodeOf(error.code);
    return typeof process.exitCode === 'number' && process.exitCode !== 0 ? process.exitCode : 1;
  }
}
