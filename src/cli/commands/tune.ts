import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { searchHyperparams, type Params } from '../../eval/hyperparams.js';
import { modelParamsFor, SEARCH_SPACES } from '../../eval/search-spaces.js';
import { splitUsers } from '../../eval/split.js';
import { isModelName, trainModel, type ModelName } from '../../models/train-model.js';
import { loadTrainingSet } from '../../models/training-set.js';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { addStoreLocationOptions } from '../options.js';
import { openTrainingStore, type TrainFlags } from './train.js';

interface TuneFlags extends Omit<TrainFlags, 'model' | 'out'> {
  model: string;
  trials: number;
  validationUsers: number;
  testUsers: number;
  report?: string;
}

export function registerTune(program: Command, ctx: CliContext): void {
  const command = program
    .command('tune')
    .description("Search a model's hyper-parameters on validation users (the test users of `anirec eval` stay unseen)")
    .requiredOption('--model <name>', `one of ${Object.keys(SEARCH_SPACES).join(', ')}`)
    .option('--trials <n>', 'random-search trials (grid spaces use every point up to this many)', Number, 12)
    .option('--validation-users <n>', 'validation users drawn after the test users', Number, 500)
    .option('--test-users <n>', 'test users set aside exactly as `anirec eval --test-users` does', Number, 1000)
    .option('--ratings <file>', 'tune on this ratings file instead of the store')
    .option('--anime <file...>', 'catalogue file(s) for --ratings')
    .option('--no-bundled-catalogue', 'with --ratings: do not add the bundled catalogues')
    .option('--seed <n>', 'seed of the split (use the one `anirec eval` uses)', (v) => Number.parseInt(v, 10), 42)
    .option('--report <dir>', 'write tune-<model>.json with every trial into this directory');
  addStoreLocationOptions(command).action(async (flags: TuneFlags) => {
    if (!isModelName(flags.model) || SEARCH_SPACES[flags.model] === undefined) {
      throw new CliError(`--model ${flags.model}: no search space; choose one of ${Object.keys(SEARCH_SPACES).join(', ')}`);
    }
    const name: ModelName = flags.model;
    const space = SEARCH_SPACES[name]!;
    const store = await openTrainingStore(ctx, { ...flags, model: name });
    let set;
    try {
      set = await loadTrainingSet(store);
    } finally {
      await store.close();
    }
    const split = splitUsers(set.data, { seed: flags.seed, validationUsers: flags.validationUsers, testUsers: flags.testUsers });
    ctx.err(split.description.text);
    const isGrid = Object.values(space).every(Array.isArray);
    const result = await searchHyperparams<Params>(
      { trainData: split.trainData, validation: split.validation },
      {
        space,
        strategy: isGrid ? 'grid' : 'random',
        trials: flags.trials,
        seed: flags.seed,
        train: async (params, trainData) => {
          return (await trainModel(name, trainData, set.catalogue, modelParamsFor(name, params), { seed: flags.seed })).recommender;
        },
        onTrial: (trial, index, total) => {
          // Scoring the validation users is mostly fold-in, so this is each trial's serving cost too.
          const perUser = (trial.evalSeconds * 1000) / split.validation.length;
          ctx.err(
            `[${index + 1}/${total}] ${JSON.stringify(trial.params)} → ndcg@20 ${trial.value.toFixed(4)} (train ${trial.trainSeconds.toFixed(1)} s, ${perUser.toFixed(2)} ms per validation user)`,
          );
        },
      },
    );
    ctx.out(
      `best ${name}: ${JSON.stringify(result.best.params)} ndcg@20 ${result.best.value.toFixed(4)} on ${result.validationUsers} validation users`,
    );
    if (flags.report) {
      mkdirSync(flags.report, { recursive: true });
      const path = join(flags.report, `tune-${name}.json`);
      writeFileSync(path, `${JSON.stringify({ model: name, split: split.description, ...result }, null, 2)}\n`);
      ctx.err(`wrote ${path}`);
    }
  });
}
