import type { Anime } from '../../data/types.js';
import { DEFAULT_MODEL_PARAMS, trainModel, type ModelName, type ModelParams } from '../../models/train-model.js';
import { dataHash, subsetUsers } from '../../models/training-data.js';
import type { TrainingData } from '../../models/types.js';
import type { SplitEvalUser } from '../split.js';
import { BlendRecommender, logMembersByItem, MembersPopularityRecommender, TagProfileRecommender, tagFeatures } from './baselines.js';
import { tuneBlendWeight } from './blend-tuning.js';
import { selectRandomColdTitles, selectRecentColdTitles, type ColdSelection } from './cold-selection.js';
import { coldProtocolData, heldOutRows, shortHistoryUsers, type HeldOutRows } from './protocol-users.js';
import { buildTable, type ProtocolTable, type TableContext, type TableModel } from './protocol-table.js';
import { likedTargets } from './ranking.js';
import { servingCatalogue, type ServingNumbers } from './serving-catalogue.js';

export const PROTOCOL_NAMES = ['cold-items', 'mixed', 'short-history'] as const;
export type ProtocolName = (typeof PROTOCOL_NAMES)[number];

export function isProtocolName(name: string): name is ProtocolName {
  return (PROTOCOL_NAMES as readonly string[]).includes(name);
}

export interface ProtocolOptions {
  protocols: readonly ProtocolName[];
  /** Trained on each protocol's training data, after the baselines. Content and EASE always run (the bar includes them); duplicates are dropped. */
  models: readonly ModelName[];
  seed: number;
  testUsers: number;
  validationUsers: number;
  /** Random cold variant: share of the rated titles. Default 0.1. */
  coldShare?: number;
  /** Recent cold variant: how many of the latest seasons go cold. Default 4. */
  recentSeasons?: number;
  /** Short history: fold-in lengths. Default 3, 5, 10. */
  historyLengths?: readonly number[];
  k?: number;
  likedThreshold?: number;
  params?: ModelParams;
  onProgress?: (message: string) => void;
}

export interface ProtocolRun {
  protocol: ProtocolName;
  tables: ProtocolTable[];
  /** Seconds per trained model, per table id (tables sharing a training set repeat the same numbers). */
  trainSeconds: Record<string, Record<string, number>>;
  selections: ColdSelection[];
}

interface Shared {
  data: TrainingData;
  catalogue: Map<number, Anime>;
  numbers: ServingNumbers;
  rows: HeldOutRows;
  options: ProtocolOptions;
  k: number;
  liked: number;
  log: (message: string) => void;
  members: MembersPopularityRecommender;
  tagProfile: TagProfileRecommender;
}

async function trainAll(
  shared: Shared,
  trainData: TrainingData,
  label: string,
): Promise<{ models: TableModel[]; seconds: Record<string, number> }> {
  const seconds: Record<string, number> = {};
  const models: TableModel[] = [];
  for (const name of [...new Set<ModelName>(['content', 'ease', ...shared.options.models])]) {
    shared.log(`training ${name} on ${label}`);
    const started = performance.now();
    const trained = await trainModel(name, trainData, shared.catalogue, shared.options.params ?? DEFAULT_MODEL_PARAMS, {
      seed: shared.options.seed,
    });
    seconds[name] = (performance.now() - started) / 1000;
    shared.log(`trained ${name} in ${seconds[name]!.toFixed(1)} s`);
    models.push({ name, recommender: trained.recommender });
  }
  return { models, seconds };
}

function context(
  shared: Shared,
  protocol: string,
  trainData: TrainingData,
  shown: string,
  candidates: string,
  cold?: ColdSelection,
): TableContext {
  const d = shared.rows.split;
  return {
    protocol,
    seed: shared.options.seed,
    split:
      `strong generalisation, seed ${d.seed}, data ${d.dataHash}: ${d.testUsers} test and ${d.validationUsers} validation users of ${d.nUsers} ` +
      `(${d.nItems} items), drawn from the users with ≥ ${d.minItemsPerEvalUser} entries as \`anirec eval\` and \`anirec tune\` draw them`,
    shown,
    dataHash: shared.rows.split.dataHash,
    trainDataHash: dataHash(trainData),
    trainUsers: trainData.nUsers,
    trainInteractions: trainData.indices.length,
    ...(cold ? { coldTitles: cold.text } : {}),
    candidates,
    servingNumbers: `members and MAL scores from ${shared.numbers.source} (titles it lacks have none)`,
  };
}

function baselineModels(shared: Shared, weight: number): TableModel[] {
  return [
    { name: 'members-popularity', recommender: shared.members },
    { name: 'tag-profile', recommender: shared.tagProfile },
    { name: 'blend', recommender: new BlendRecommender(shared.members, shared.tagProfile, weight) },
  ];
}

/** Titles with at least one interaction in the whole data: the "all titles" the mixed protocol ranks. */
function ratedMask(data: TrainingData): Uint8Array {
  const mask = new Uint8Array(data.nItems);
  for (let e = 0; e < data.indices.length; e++) mask[data.indices[e]!] = 1;
  return mask;
}

async function runCold(
  shared: Shared,
  cold: ColdSelection,
  wanted: readonly ProtocolName[],
): Promise<{ tables: Map<ProtocolName, ProtocolTable>; seconds: Record<string, number> }> {
  const { data, rows, options, k, liked } = shared;
  shared.log(`cold titles (${cold.variant}): ${cold.text}`);
  const { trainData, validation, test } = coldProtocolData(data, rows, cold.mask, options.seed);
  const trained = await trainAll(shared, trainData, `the training users without the ${cold.variant} cold titles' interactions`);
  const coldTargets = (users: SplitEvalUser[]) => users.map((u) => likedTargets(u, liked, cold.mask));
  const testRelevant = coldTargets(test.users);
  const withoutLikedCold = testRelevant.filter((r) => r.length === 0).length;
  const skippedBecause = `${withoutLikedCold} had no liked (score ≥ ${liked}) cold title, ${test.withoutWarmHistory} listed only cold titles (nothing to fold in)`;
  const tables = new Map<ProtocolName, ProtocolTable>();
  const blend = new BlendRecommender(shared.members, shared.tagProfile, 0);
  for (const protocol of wanted) {
    const mixed = protocol === 'mixed';
    const candidates = mixed ? ratedMask(data) : cold.mask;
    const tuning = tuneBlendWeight(blend, validation.users, { relevant: coldTargets(validation.users), candidates, k });
    shared.log(`${protocol} (${cold.variant}): blend weight ${tuning.weight} on ${tuning.validationUsers} validation users`);
    const candidateText = mixed
      ? `every title with an interaction in the data, warm and cold (${candidates.reduce((s, x) => s + x, 0)}), minus the user's fold-in titles`
      : `the ${cold.items.length} cold titles only (fold-in titles are never cold)`;
    tables.set(
      protocol,
      buildTable([...baselineModels(shared, tuning.weight), ...trained.models], {
        id: `${protocol}-${cold.variant}`,
        title: mixed
          ? `Mixed, ${cold.variant} cold titles: cold targets ranked among all rated titles`
          : `Cold items, ${cold.variant} cold titles: liked cold titles ranked among the cold titles`,
        context: context(
          shared,
          protocol,
          trainData,
          "a seeded 80% of each held-out user's warm titles; targets: their other warm titles and every cold title they listed",
          candidateText,
          cold,
        ),
        k,
        likedThreshold: liked,
        users: test.users,
        testUsers: rows.test.length,
        relevant: testRelevant,
        skippedBecause,
        candidates,
        ...(mixed ? { mixed: { coldMask: cold.mask, allRelevant: test.users.map((u) => likedTargets(u, liked)) } } : {}),
        references: ['blend'],
        blend: tuning,
        seed: options.seed,
      }),
    );
  }
  return { tables, seconds: trained.seconds };
}

async function runShortHistory(shared: Shared): Promise<{ tables: ProtocolTable[]; seconds: Record<string, number> }> {
  const { data, rows, options, k, liked } = shared;
  const lengths = [...(options.historyLengths ?? [3, 5, 10])].sort((a, b) => a - b);
  // The same users at every length (those with a target left at the longest), so the lengths differ only in what is shown.
  const minEntries = lengths[lengths.length - 1]! + 1;
  const trainData = subsetUsers(data, Array.from(rows.nonTest));
  const trained = await trainAll(shared, trainData, 'the training users');
  const blend = new BlendRecommender(shared.members, shared.tagProfile, 0);
  const tables: ProtocolTable[] = [];
  // Targets shrink as the history grows (the shown titles are nested), so users with a liked
  // target at the longest length have one at every length: keeping only them makes every table
  // score the same users.
  const longest = lengths[lengths.length - 1]!;
  const keep = (users: SplitEvalUser[]): Set<number> => new Set(users.filter((u) => likedTargets(u, liked).length > 0).map((u) => u.user));
  const keptValidation = keep(shortHistoryUsers(data, rows.validation, longest, minEntries, options.seed));
  const keptTest = keep(shortHistoryUsers(data, rows.test, longest, minEntries, options.seed));
  for (const length of lengths) {
    const validation = shortHistoryUsers(data, rows.validation, length, minEntries, options.seed).filter((u) => keptValidation.has(u.user));
    const eligible = shortHistoryUsers(data, rows.test, length, minEntries, options.seed);
    const test = eligible.filter((u) => keptTest.has(u.user));
    const tuning = tuneBlendWeight(blend, validation, { relevant: validation.map((u) => likedTargets(u, liked)), candidates: null, k });
    shared.log(`short-history ${length}: blend weight ${tuning.weight} on ${tuning.validationUsers} validation users`);
    tables.push(
      buildTable([...baselineModels(shared, tuning.weight), ...trained.models], {
        id: `short-history-${length}`,
        title: `Short history: ${length} titles folded in per test user, the rest of the list to find`,
        context: context(
          shared,
          'short-history',
          trainData,
          `exactly ${length} seeded titles of each held-out user's list; targets: the rest`,
          `every title (${data.nItems}) minus the ${length} fold-in titles`,
        ),
        k,
        likedThreshold: liked,
        users: test,
        relevant: test.map((u) => likedTargets(u, liked)),
        testUsers: rows.test.length,
        skippedBecause:
          `${rows.test.length - eligible.length} have fewer than ${minEntries} entries, ${eligible.length - test.length} no liked (score ≥ ${liked}) title ` +
          `outside the first ${longest} shown`,
        candidates: null,
        references: ['ease', 'blend'],
        blend: tuning,
        seed: options.seed,
      }),
    );
  }
  return { tables, seconds: trained.seconds };
}

/**
 * Runs the requested protocols on one split. The cold variants train every model once and serve
 * both cold-items and mixed from it; short history trains once on the plain training users.
 * Models see the serving-time catalogue numbers (serving-catalogue.ts), never the merged ones.
 */
export async function runProtocols(
  data: TrainingData,
  mergedCatalogue: ReadonlyMap<number, Anime>,
  numbers: ServingNumbers,
  options: ProtocolOptions,
): Promise<ProtocolRun[]> {
  if (options.protocols.length === 0) throw new Error('runProtocols: name at least one protocol');
  const log = options.onProgress ?? (() => {});
  const catalogue = servingCatalogue(mergedCatalogue, numbers);
  const rows = heldOutRows(data, { seed: options.seed, testUsers: options.testUsers, validationUsers: options.validationUsers });
  log(rows.split.text);
  const shared: Shared = {
    data,
    catalogue,
    numbers,
    rows,
    options,
    k: options.k ?? 20,
    liked: options.likedThreshold ?? 7,
    log,
    members: new MembersPopularityRecommender(logMembersByItem(data.itemIds, catalogue)),
    tagProfile: new TagProfileRecommender(tagFeatures(data.itemIds, catalogue)),
  };
  const runs: ProtocolRun[] = [];
  const coldProtocols = options.protocols.filter((p): p is 'cold-items' | 'mixed' => p === 'cold-items' || p === 'mixed');
  if (coldProtocols.length > 0) {
    const selections = [
      selectRandomColdTitles(data, options.coldShare ?? 0.1, options.seed),
      selectRecentColdTitles(data, catalogue, options.recentSeasons ?? 4),
    ];
    const byProtocol = new Map<ProtocolName, ProtocolRun>(
      coldProtocols.map((p) => [p, { protocol: p, tables: [], trainSeconds: {}, selections }]),
    );
    for (const cold of selections) {
      const { tables, seconds } = await runCold(shared, cold, coldProtocols);
      for (const [protocol, table] of tables) {
        const run = byProtocol.get(protocol)!;
        run.tables.push(table);
        run.trainSeconds[table.id] = seconds;
      }
    }
    runs.push(...byProtocol.values());
  }
  if (options.protocols.includes('short-history')) {
    const { tables, seconds } = await runShortHistory(shared);
    runs.push({ protocol: 'short-history', tables, trainSeconds: Object.fromEntries(tables.map((t) => [t.id, seconds])), selections: [] });
  }
  return runs;
}
