import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { BUNDLED_DATA } from '../../data/bundled.js';
import { compareModels } from '../../eval/compare-models.js';
import { renderFranchiseTable } from '../../eval/franchise-discoveries.js';
import { renderProtocolJson, renderProtocolRun, renderProtocolSvg } from '../../eval/protocols/protocol-report.js';
import { isProtocolName, PROTOCOL_NAMES, runProtocols, type ProtocolName } from '../../eval/protocols/run-protocols.js';
import { loadCatalogueNumbers } from '../../eval/protocols/serving-catalogue.js';
import { renderJson, renderSvgChart, renderTable } from '../../eval/report.js';
import { isModelName, MODEL_NAMES, type ModelName } from '../../models/train-model.js';
import { loadTrainingSet } from '../../models/training-set.js';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { addStoreLocationOptions } from '../options.js';
import { openTrainingStore, type TrainFlags } from './train.js';

interface EvalFlags extends Omit<TrainFlags, 'model' | 'out'> {
  models?: string;
  testUsers: number;
  k: string;
  report?: string;
  protocol: string;
  coldShare: number;
  recentSeasons: number;
  historyLengths: string;
  validationUsers: number;
  membersCatalogue: string;
}

const DEFAULT_PROTOCOL = 'strong-generalisation';

function parseModels(list: string): ModelName[] {
  const names = list
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of names)
    if (!isModelName(name)) throw new CliError(`--models: unknown model "${name}"; choose from ${MODEL_NAMES.join(', ')}`);
  if (names.length === 0) throw new CliError('--models: name at least one model');
  return names as ModelName[];
}

/** `strong-generalisation` alone, or a comma-separated list of the cold-title protocols. */
function parseProtocols(list: string): ProtocolName[] | null {
  const names = list
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (names.length === 1 && names[0] === DEFAULT_PROTOCOL) return null;
  if (names.length === 0)
    throw new CliError(`--protocol: name a protocol: ${DEFAULT_PROTOCOL} (the default), or any of ${PROTOCOL_NAMES.join(', ')}`);
  for (const name of names) {
    if (!isProtocolName(name))
      throw new CliError(
        `--protocol: unknown protocol "${name}"; choose ${DEFAULT_PROTOCOL} (the default), or any of ${PROTOCOL_NAMES.join(', ')} (comma-separated)`,
      );
  }
  return [...new Set(names)] as ProtocolName[];
}

function parseLengths(list: string): number[] {
  const lengths = list.split(',').map((n) => Number(n.trim()));
  if (lengths.length === 0 || lengths.some((n) => !Number.isInteger(n) || n < 1 || n > 1000)) {
    throw new CliError(`--history-lengths ${list}: expected fold-in lengths like 3,5,10 (integers 1–1000)`);
  }
  return [...new Set(lengths)];
}

function parseKs(list: string): number[] {
  const ks = list.split(',').map((k) => Number(k.trim()));
  if (ks.some((k) => !Number.isInteger(k) || k < 1 || k > 1000))
    throw new CliError(`--k ${list}: expected cut-offs like 10,20 (integers 1–1000)`);
  return ks;
}

export function registerEval(program: Command, ctx: CliContext): void {
  const command = program.command('eval');
  addStoreLocationOptions(command, 'the store to evaluate on (unless --ratings)');
  command
    .description('Compare models offline on held-out users (strong generalisation): NDCG, recall, precision, MAP, coverage, novelty')
    .option(
      '--models <list>',
      `comma-separated models to compare (default: ${MODEL_NAMES.join(',')}; with a cold-title --protocol: als, after the baselines, content and ease, which always run)`,
    )
    .option('--test-users <n>', 'held-out users: a count, or a fraction below 1', Number, 1000)
    .option('--k <list>', 'cut-offs', '10,20')
    .option('--ratings <file>', 'evaluate on this ratings file instead of the store')
    .option('--anime <file...>', 'catalogue file(s) for --ratings')
    .option('--no-bundled-catalogue', 'with --ratings: do not add the bundled catalogues')
    .option('--seed <n>', 'seed of the split, the models and the bootstrap', (v) => Number.parseInt(v, 10), 42)
    .option(
      '--report <dir>',
      'also write evaluation.json, evaluation.svg and evaluation.txt into this directory (with --protocol: <protocol>.txt/.json and one SVG per table)',
    )
    .option(
      '--protocol <list>',
      `${DEFAULT_PROTOCOL} (the default), or cold-title protocols: ${PROTOCOL_NAMES.join(', ')} (comma-separated)`,
      DEFAULT_PROTOCOL,
    )
    .option('--cold-share <x>', 'cold-items/mixed: share of the rated titles that go cold in the random variant', Number, 0.1)
    .option('--recent-seasons <n>', 'cold-items/mixed: the latest n seasons with rated titles go cold in the recent variant', Number, 4)
    .option('--history-lengths <list>', 'short-history: titles folded in per test user', '3,5,10')
    .option(
      '--validation-users <n>',
      'cold-title protocols: validation users that tune the blend baseline, drawn after the test users',
      Number,
      500,
    )
    .option(
      '--members-catalogue <file>',
      'cold-title protocols: catalogue whose members and MAL scores were known when the ratings were made',
      BUNDLED_DATA.catalogue2016,
    )
    .action(async (flags: EvalFlags) => {
      const protocols = parseProtocols(flags.protocol);
      const models = parseModels(flags.models ?? (protocols === null ? MODEL_NAMES.join(',') : 'als'));
      const ks = parseKs(flags.k);
      if (!(flags.testUsers > 0)) throw new CliError(`--test-users ${flags.testUsers}: expected a count ≥ 1 or a fraction in (0, 1)`);
      if (protocols !== null) checkProtocolFlags(flags);
      const store = await openTrainingStore(ctx, { ...flags, model: 'anirec' });
      let set;
      let relations;
      try {
        set = await loadTrainingSet(store);
        relations = await store.animeRelations();
      } finally {
        await store.close();
      }
      if (set.data.indices.length === 0)
        throw new CliError('There are no interactions to evaluate on. Run `anirec import` first (or pass --ratings FILE).');
      if (protocols !== null) {
        await runProtocolCommand(ctx, flags, protocols, models, Math.max(...ks), set.data, set.catalogue);
        return;
      }
      const comparison = await compareModels(set.data, set.catalogue, {
        models,
        seed: flags.seed,
        testUsers: flags.testUsers,
        ks,
        reference: models.includes('anirec') ? 'anirec' : models[0]!,
        relations,
        onProgress: (message) => ctx.err(message),
      });
      const { split, result, significance } = comparison;
      const table = renderTable(result);
      const tests = significance
        .map(
          ({ against, metric, test }) =>
            `${models.includes('anirec') ? 'anirec' : models[0]} vs ${against}: Δ${metric} = ${test.meanDifference >= 0 ? '+' : ''}${test.meanDifference.toFixed(4)} ` +
            `(${Math.round(test.confidence * 100)}% CI ${test.low.toFixed(4)} … ${test.high.toFixed(4)}, paired bootstrap p = ${test.pValue.toPrecision(2)}, n = ${test.n})`,
        )
        .join('\n');
      const header = `Split: ${split.text}\nTraining seconds: ${Object.entries(comparison.trainSeconds)
        .map(([m, s]) => `${m} ${s.toFixed(1)}`)
        .join(', ')}\n`;
      const text = `${header}\n${table}\n${tests}\n\n${renderFranchiseTable(comparison.franchise)}`;
      ctx.out(text);
      if (flags.report) {
        mkdirSync(flags.report, { recursive: true });
        writeFileSync(join(flags.report, 'evaluation.txt'), text);
        const json = JSON.parse(renderJson(result, { split, userSet: 'test' })) as Record<string, unknown>;
        json.significance = significance;
        json.trainSeconds = comparison.trainSeconds;
        json.franchise = comparison.franchise;
        json.command = `anirec eval ${process.argv.slice(3).join(' ')}`.trim();
        writeFileSync(join(flags.report, 'evaluation.json'), `${JSON.stringify(json, null, 2)}\n`);
        writeFileSync(
          join(flags.report, 'evaluation.svg'),
          renderSvgChart(result, {
            title: 'anirec eval: held-out users, relevance = scored ≥ 7',
            subtitle: `seed ${split.seed}, data ${split.dataHash}, ${result.nUsers} test users`,
          }),
        );
        ctx.err(`wrote ${flags.report}/evaluation.{txt,json,svg}`);
      }
    });
}

function checkProtocolFlags(flags: EvalFlags): void {
  if (!(flags.coldShare > 0 && flags.coldShare < 1))
    throw new CliError(`--cold-share ${flags.coldShare}: expected a share in (0, 1), e.g. 0.1 for 10% of the rated titles`);
  if (!Number.isInteger(flags.recentSeasons) || flags.recentSeasons < 1)
    throw new CliError(`--recent-seasons ${flags.recentSeasons}: expected a whole number of seasons ≥ 1`);
  if (!(flags.validationUsers > 0))
    throw new CliError(
      `--validation-users ${flags.validationUsers}: the blend is tuned on validation users; expected a count ≥ 1 or a fraction in (0, 1)`,
    );
  if (!existsSync(flags.membersCatalogue))
    throw new CliError(
      `--members-catalogue ${flags.membersCatalogue}: no such file; pass the catalogue captured when the ratings were made (the bundled one is data/anime_2016.csv.gz)`,
    );
}

async function runProtocolCommand(
  ctx: CliContext,
  flags: EvalFlags,
  protocols: ProtocolName[],
  models: ModelName[],
  k: number,
  data: Parameters<typeof runProtocols>[0],
  catalogue: Parameters<typeof runProtocols>[1],
): Promise<void> {
  let numbers;
  try {
    const label = flags.membersCatalogue === BUNDLED_DATA.catalogue2016 ? 'the bundled data/anime_2016.csv.gz' : flags.membersCatalogue;
    numbers = await loadCatalogueNumbers(flags.membersCatalogue, label);
  } catch (error) {
    throw new CliError(`--members-catalogue: ${(error as Error).message}`);
  }
  const runs = await runProtocols(data, catalogue, numbers, {
    protocols,
    models,
    seed: flags.seed,
    testUsers: flags.testUsers,
    validationUsers: flags.validationUsers,
    coldShare: flags.coldShare,
    recentSeasons: flags.recentSeasons,
    historyLengths: parseLengths(flags.historyLengths),
    k,
    onProgress: (message) => ctx.err(message),
  });
  const command = `anirec eval ${process.argv.slice(3).join(' ')}`.trim();
  for (const run of runs) {
    const text = renderProtocolRun(run);
    ctx.out(text);
    if (!flags.report) continue;
    mkdirSync(flags.report, { recursive: true });
    writeFileSync(join(flags.report, `${run.protocol}.txt`), text);
    writeFileSync(join(flags.report, `${run.protocol}.json`), renderProtocolJson(run, command));
    for (const table of run.tables) writeFileSync(join(flags.report, `${table.id}.svg`), renderProtocolSvg(table));
    ctx.err(`wrote ${flags.report}/${run.protocol}.{txt,json} and ${run.tables.map((t) => `${t.id}.svg`).join(', ')}`);
  }
}
