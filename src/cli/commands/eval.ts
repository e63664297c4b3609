import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { compareModels } from '../../eval/compare-models.js';
import { renderJson, renderSvgChart, renderTable } from '../../eval/report.js';
import { isModelName, MODEL_NAMES, type ModelName } from '../../models/train-model.js';
import { loadTrainingSet } from '../../models/training-set.js';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { openTrainingStore, type TrainFlags } from './train.js';

interface EvalFlags extends Omit<TrainFlags, 'model' | 'out'> {
  models: string;
  testUsers: number;
  k: string;
  report?: string;
}

function parseModels(list: string): ModelName[] {
  const names = list.split(',').map((name) => name.trim()).filter(Boolean);
  for (const name of names) if (!isModelName(name)) throw new CliError(`--models: unknown model "${name}"; choose from ${MODEL_NAMES.join(', ')}`);
  if (names.length === 0) throw new CliError('--models: name at least one model');
  return names as ModelName[];
}

function parseKs(list: string): number[] {
  const ks = list.split(',').map((k) => Number(k.trim()));
  if (ks.some((k) => !Number.isInteger(k) || k < 1 || k > 1000)) throw new CliError(`--k ${list}: expected cut-offs like 10,20 (integers 1–1000)`);
  return ks;
}

export function registerEval(program: Command, ctx: CliContext): void {
  program
    .command('eval')
    .description('Compare models offline on held-out users (strong generalisation): NDCG, recall, precision, MAP, coverage, novelty')
    .option('--models <list>', 'comma-separated models to compare', MODEL_NAMES.join(','))
    .option('--test-users <n>', 'held-out users: a count, or a fraction below 1', Number, 1000)
    .option('--k <list>', 'cut-offs', '10,20')
    .option('--ratings <file>', 'evaluate on this ratings file instead of the store')
    .option('--anime <file...>', 'catalogue file(s) for --ratings')
    .option('--no-bundled-catalogue', 'with --ratings: do not add the bundled catalogues')
    .option('--db <path>', 'store file (default: $ANIREC_HOME/anirec.db)')
    .option('--seed <n>', 'seed of the split, the models and the bootstrap', (v) => Number.parseInt(v, 10), 42)
    .option('--report <dir>', 'also write evaluation.json, evaluation.svg and evaluation.txt into this directory')
    .action(async (flags: EvalFlags) => {
      const models = parseModels(flags.models);
      const ks = parseKs(flags.k);
      if (!(flags.testUsers > 0)) throw new CliError(`--test-users ${flags.testUsers}: expected a count ≥ 1 or a fraction in (0, 1)`);
      const store = await openTrainingStore(ctx, { ...flags, model: 'anirec' });
      let set;
      try {
        set = await loadTrainingSet(store);
      } finally {
        await store.close();
      }
      if (set.data.indices.length === 0) throw new CliError('There are no interactions to evaluate on. Run `anirec import` first (or pass --ratings FILE).');
      const comparison = await compareModels(set.data, set.catalogue, {
        models,
        seed: flags.seed,
        testUsers: flags.testUsers,
        ks,
        reference: models.includes('anirec') ? 'anirec' : models[0]!,
        onProgress: (message) => ctx.err(message),
      });
      const { split, result, significance } = comparison;
      const table = renderTable(result);
      const tests = significance
        .map(({ against, metric, test }) =>
          `${models.includes('anirec') ? 'anirec' : models[0]} vs ${against}: Δ${metric} = ${test.meanDifference >= 0 ? '+' : ''}${test.meanDifference.toFixed(4)} ` +
          `(${Math.round(test.confidence * 100)}% CI ${test.low.toFixed(4)} … ${test.high.toFixed(4)}, paired bootstrap p = ${test.pValue.toPrecision(2)}, n = ${test.n})`,
        )
        .join('\n');
      const header = `Split: ${split.text}\nTraining seconds: ${Object.entries(comparison.trainSeconds).map(([m, s]) => `${m} ${s.toFixed(1)}`).join(', ')}\n`;
      const text = `${header}\n${table}\n${tests}\n`;
      ctx.out(text);
      if (flags.report) {
        mkdirSync(flags.report, { recursive: true });
        writeFileSync(join(flags.report, 'evaluation.txt'), text);
        const json = JSON.parse(renderJson(result, { split, userSet: 'test' })) as Record<string, unknown>;
        json.significance = significance;
        json.trainSeconds = comparison.trainSeconds;
        json.command = `anirec eval ${process.argv.slice(3).join(' ')}`.trim();
        writeFileSync(join(flags.report, 'evaluation.json'), `${JSON.stringify(json, null, 2)}\n`);
        writeFileSync(
          join(flags.report, 'evaluation.svg'),
          renderSvgChart(result, { title: 'anirec eval: held-out users, relevance = scored ≥ 7', subtitle: `seed ${split.seed}, data ${split.dataHash}, ${result.nUsers} test users` }),
        );
        ctx.err(`wrote ${flags.report}/evaluation.{txt,json,svg}`);
      }
    });
}
