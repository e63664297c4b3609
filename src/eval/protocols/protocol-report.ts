import type { EvaluationResult, MetricResult } from '../evaluate.js';
import { alignTable, renderSvgChart } from '../report.js';
import type { ProtocolTable } from './protocol-table.js';
import type { ProtocolRun } from './run-protocols.js';

/** Text, JSON and SVG for the protocol tables; the CLI decides where they go. */

function fmt(value: number, digits = 4): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '–';
}

/** Columns where "best" means something: accuracy on the cold targets (not shares, which are descriptions). */
function ranked(metric: string): boolean {
  return !metric.startsWith('coldShare');
}

function cell(result: MetricResult | undefined, best: boolean): string {
  if (result === undefined) return '–';
  const ci = Number.isFinite(result.low) ? ` ±${fmt((result.high - result.low) / 2, 3)}` : '';
  return `${fmt(result.mean)}${ci}${best ? '*' : ' '}`;
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(4)}`;
}

export function renderProtocolTable(table: ProtocolTable, trainSeconds?: Record<string, number>): string {
  const c = table.context;
  const lines = [
    `${table.title}`,
    `Users: ${c.split}`,
    `Shown: ${c.shown}`,
    ...(c.coldTitles ? [`Cold titles: ${c.coldTitles}`] : []),
    `Training data: ${c.trainUsers} users, ${c.trainInteractions} interactions (hash ${c.trainDataHash}); catalogue: ${c.servingNumbers}`,
    `Candidates: ${c.candidates}`,
    `Blend weight ${table.blend.weight} (popularity share), chosen on ${table.blend.validationUsers} validation users by ${table.blend.metric}; the test users never reach the tuning`,
    ...(trainSeconds
      ? [
          `Training seconds: ${Object.entries(trainSeconds)
            .map(([m, s]) => `${m} ${s.toFixed(1)}`)
            .join(', ')}`,
        ]
      : []),
    `${table.usersEvaluated} of ${table.testUsers} test users evaluated, ${table.usersSkipped} skipped (${table.skippedBecause}).`,
  ];
  const bests = table.metricNames.map((metric) => {
    if (!ranked(metric)) return -Infinity;
    let best = -Infinity;
    for (const row of table.rows) {
      const v = row.metrics[metric]?.mean ?? NaN;
      if (Number.isFinite(v) && v > best) best = v;
    }
    return best;
  });
  const rows = table.rows.map((row) => [
    row.name,
    ...table.metricNames.map((metric, i) => {
      const r = row.metrics[metric];
      return cell(r, ranked(metric) && r !== undefined && r.mean === bests[i]);
    }),
  ]);
  const comparisons = table.comparisons.map(
    ({ model, against, metric, test }) =>
      `${model} vs ${against}: Δ${metric} = ${signed(test.meanDifference)} (95% CI ${fmt(test.low)} … ${fmt(test.high)}, paired bootstrap p = ${Number.isFinite(test.pValue) ? test.pValue.toPrecision(2) : '–'}, n = ${test.n})`,
  );
  return [
    ...lines,
    alignTable(['model', ...table.metricNames.map((m) => `${table.labels[m]} `)], rows),
    `* best in column. ± is half the 95% CI, bootstrap over users (${table.ci.samples} resamples, seed ${table.ci.seed}). Relevant = liked (score ≥ ${table.likedThreshold}).`,
    '',
    ...comparisons,
  ].join('\n');
}

/** Short history at a glance: NDCG@k per fold-in length and each model's gain over `reference` with its paired CI. */
export function renderLengthSummary(tables: readonly ProtocolTable[], reference = 'ease'): string {
  const metric = `ndcg@${tables[0]!.k}`;
  const lengthOf = (t: ProtocolTable): string => t.id.slice(t.id.lastIndexOf('-') + 1);
  const header = ['model', ...tables.flatMap((t) => [`${metric} n=${lengthOf(t)} `, `Δ vs ${reference} n=${lengthOf(t)} (95% CI) `])];
  const rows = tables[0]!.rows.map((row) => [
    row.name,
    ...tables.flatMap((t) => {
      const r = t.rows.find((x) => x.name === row.name);
      const c = t.comparisons.find((x) => x.model === row.name && x.against === reference);
      const gain = c === undefined ? '–' : `${signed(c.test.meanDifference)} (${signed(c.test.low)} … ${signed(c.test.high)})`;
      return [`${r === undefined ? '–' : fmt(r.metrics[metric]!.mean)} `, `${gain} `];
    }),
  ]);
  return `Summary: ${metric} per fold-in length, gain over ${reference} (paired bootstrap, same users at every length)\n${alignTable(header, rows)}`;
}

export function renderProtocolRun(run: ProtocolRun): string {
  const parts = run.tables.map((table) => renderProtocolTable(table, run.trainSeconds[table.id]));
  if (run.protocol === 'short-history' && run.tables.length > 0) parts.push(renderLengthSummary(run.tables));
  return `${parts.join('\n\n')}\n`;
}

function metricJson(result: MetricResult): Record<string, number | null> {
  const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);
  return { mean: finite(result.mean), ciLow: finite(result.low), ciHigh: finite(result.high), n: result.n };
}

/** Machine-readable run: every table with its context (split, seed, hashes, cold titles), CIs and tests. */
export function renderProtocolJson(run: ProtocolRun, command: string): string {
  const report = {
    protocol: run.protocol,
    command,
    generatedAt: new Date().toISOString(),
    trainSeconds: run.trainSeconds,
    coldSelections: run.selections.map((s) => ({
      variant: s.variant,
      text: s.text,
      share: s.share ?? null,
      seed: s.seed ?? null,
      seasons: s.seasons ?? null,
      undatedTitles: s.undatedTitles ?? null,
      titlesWithInteractions: s.titlesWithInteractions,
      coldInteractions: s.coldInteractions,
      animeIds: s.animeIds,
    })),
    tables: run.tables.map((t) => ({
      id: t.id,
      title: t.title,
      context: t.context,
      k: t.k,
      likedThreshold: t.likedThreshold,
      testUsers: t.testUsers,
      usersEvaluated: t.usersEvaluated,
      usersSkipped: t.usersSkipped,
      skippedBecause: t.skippedBecause,
      confidenceIntervals: { method: 'bootstrap', ...t.ci },
      blend: { weight: t.blend.weight, metric: t.blend.metric, validationUsers: t.blend.validationUsers, grid: t.blend.grid },
      models: t.rows.map((r) => ({
        name: r.name,
        kind: r.kind,
        metrics: Object.fromEntries(t.metricNames.map((m) => [t.labels[m], metricJson(r.metrics[m]!)])),
      })),
      comparisons: t.comparisons,
    })),
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** Bar chart of NDCG@k and recall@k per model with CI whiskers (the default protocol's chart). */
export function renderProtocolSvg(table: ProtocolTable): string {
  const now = new Date().toISOString();
  const result: EvaluationResult = {
    ks: [table.k],
    likedThreshold: table.likedThreshold,
    ci: { method: 'bootstrap', confidence: table.ci.confidence, samples: table.ci.samples, seed: table.ci.seed },
    nUsers: table.testUsers,
    nItems: 0,
    trainUsers: table.context.trainUsers,
    metricNames: table.metricNames,
    sections: [{ relevance: 'liked', users: new Int32Array(table.usersEvaluated), skippedUsers: table.usersSkipped, models: table.rows }],
    rating: [],
    models: [],
    startedAt: now,
    finishedAt: now,
  };
  return renderSvgChart(result, {
    metrics: [`ndcg@${table.k}`, `recall@${table.k}`],
    title: table.title,
    subtitle: `seed ${table.context.seed}, data ${table.context.dataHash}, ${table.usersEvaluated} of ${table.testUsers} test users`,
  });
}
