import type { EvaluationResult, MetricResult, Relevance, RelevanceSection } from './evaluate.js';
import type { SplitDescription } from './split.js';

/** Renders evaluation results as strings (terminal table, JSON, SVG); the CLI decides where they go. */

/** Error metrics are better when lower; everything else anirec reports is better when higher. */
export function lowerIsBetter(metric: string): boolean {
  return metric === 'mae' || metric === 'rmse';
}

function fmt(value: number, digits = 4): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '–';
}

/** Indices of the best finite value(s) in `values`; ties all count as best. */
function bestIndices(values: readonly number[], lower: boolean): Set<number> {
  let best = lower ? Infinity : -Infinity;
  for (const v of values) if (Number.isFinite(v) && (lower ? v < best : v > best)) best = v;
  const out = new Set<number>();
  values.forEach((v, i) => {
    if (Number.isFinite(v) && v === best) out.add(i);
  });
  return out;
}

/** A plain-text table: the first column left-aligned, the others right-aligned. */
export function alignTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]): string =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function metricCell(result: MetricResult | undefined, best: boolean, showCi: boolean): string {
  if (result === undefined) return '–';
  let cell = fmt(result.mean);
  if (showCi && Number.isFinite(result.low)) cell += ` ±${fmt((result.high - result.low) / 2, 3)}`;
  return cell + (best ? '*' : ' ');
}

export interface TableOptions {
  /** Only this definition (default: every section in the result). */
  relevance?: Relevance;
  /** Columns, default result.metricNames. */
  metrics?: readonly string[];
  /** Append ± half-width of the CI to each cell. Default false. */
  showCi?: boolean;
}

function sectionTable(result: EvaluationResult, section: RelevanceSection, metrics: readonly string[], showCi: boolean): string {
  const definition =
    section.relevance === 'liked' ? `liked (held-out items scored ≥ ${result.likedThreshold})` : 'listed (every held-out item)';
  const title =
    `Relevance: ${definition}. ${section.users.length} of ${result.nUsers} users evaluated, ` +
    `${section.skippedUsers} skipped (no relevant item).`;
  const bests = metrics.map((metric) =>
    bestIndices(
      section.models.map((m) => m.metrics[metric]?.mean ?? NaN),
      lowerIsBetter(metric),
    ),
  );
  const rows = section.models.map((model, r) => [
    model.name,
    ...metrics.map((metric, c) => metricCell(model.metrics[metric], bests[c]!.has(r), showCi)),
  ]);
  return `${title}\n${alignTable(['model', ...metrics.map((m) => `${m} `)], rows)}`;
}

/** Model rows × metric columns per relevance definition (plus MAE/RMSE when present); '*' marks the best per column. */
export function renderTable(result: EvaluationResult, options: TableOptions = {}): string {
  const metrics = options.metrics ?? result.metricNames;
  const showCi = options.showCi ?? false;
  const sections = result.sections.filter((s) => options.relevance === undefined || s.relevance === options.relevance);
  const parts = sections.map((s) => sectionTable(result, s, metrics, showCi));
  if (result.rating.length > 0 && options.relevance === undefined) {
    const cols = ['mae', 'rmse'] as const;
    const bests = cols.map((c) =>
      bestIndices(
        result.rating.map((r) => r[c].mean),
        true,
      ),
    );
    const rows = result.rating.map((r, i) => [
      r.name,
      `${r.users.length}`,
      `${r.predictions}`,
      ...cols.map((c, j) => metricCell(r[c], bests[j]!.has(i), showCi)),
    ]);
    parts.push(
      `Score prediction on held-out scored items (per-user means).\n${alignTable(['model', 'users', 'predictions', 'mae ', 'rmse '], rows)}`,
    );
  }
  const ci = result.ci;
  const footer =
    `* best in column (lowest for mae/rmse, highest otherwise). ${Math.round(ci.confidence * 100)}% CIs by ` +
    (ci.method === 'bootstrap' ? `bootstrap over users (${ci.samples} resamples, seed ${ci.seed}).` : 'normal approximation over users.');
  return `${parts.join('\n\n')}\n${footer}\n`;
}

export interface JsonOptions {
  /** The split the users came from: its seed and data hash make the numbers traceable. */
  split?: SplitDescription;
  /** Which users were evaluated, e.g. 'validation' or 'test'. */
  userSet?: string;
  /** Include per-user metric arrays (large). Default false. */
  includePerUser?: boolean;
}

function metricJson(result: MetricResult, includePerUser: boolean): Record<string, unknown> {
  const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);
  const out: Record<string, unknown> = { mean: finite(result.mean), ciLow: finite(result.low), ciHigh: finite(result.high), n: result.n };
  if (includePerUser && result.perUser.length > 0) out.perUser = Array.from(result.perUser, finite);
  return out;
}

/** Machine-readable report; JSON has no NaN, so undefined values become null. */
export function renderJson(result: EvaluationResult, options: JsonOptions = {}): string {
  const perUser = options.includePerUser ?? false;
  const mapMetrics = (metrics: Record<string, MetricResult>): Record<string, unknown> =>
    Object.fromEntries(Object.entries(metrics).map(([name, m]) => [name, metricJson(m, perUser)]));
  const report = {
    protocol: options.split?.protocol ?? 'strong-generalisation',
    seed: options.split?.seed ?? null,
    dataHash: options.split?.dataHash ?? null,
    trainDataHash: options.split?.trainDataHash ?? null,
    split: options.split ?? null,
    userSet: options.userSet ?? null,
    ks: result.ks,
    likedThreshold: result.likedThreshold,
    confidenceIntervals: result.ci,
    nUsers: result.nUsers,
    nItems: result.nItems,
    trainUsers: result.trainUsers,
    startedAt: result.startedAt,
    finishedAt: result.finishedAt,
    generatedAt: new Date().toISOString(),
    models: result.models,
    relevance: result.sections.map((s) => ({
      definition: s.relevance,
      description: s.relevance === 'liked' ? `held-out items scored >= ${result.likedThreshold}` : 'every held-out item',
      usersEvaluated: s.users.length,
      usersSkipped: s.skippedUsers,
      models: s.models.map((m) => ({ name: m.name, kind: m.kind, metrics: mapMetrics(m.metrics) })),
    })),
    scorePrediction: result.rating.map((r) => ({
      name: r.name,
      usersEvaluated: r.users.length,
      predictions: r.predictions,
      mae: metricJson(r.mae, perUser),
      rmse: metricJson(r.rmse, perUser),
    })),
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** A round axis maximum ≥ value (1, 2, 2.5 or 5 × 10^n), so tick labels stay short. */
function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948'];

export interface SvgOptions {
  /** Which section to draw; default the first. */
  relevance?: Relevance;
  /** Bars per model; default ndcg@20 and recall@20 (or the largest k evaluated). */
  metrics?: readonly string[];
  title?: string;
  /** Shown under the title, e.g. the split's seed and data hash. */
  subtitle?: string;
}

/** Grouped bar chart (one group per model, one bar per metric) with CI whiskers and printed values. */
export function renderSvgChart(result: EvaluationResult, options: SvgOptions = {}): string {
  const section = result.sections.find((s) => options.relevance === undefined || s.relevance === options.relevance);
  if (section === undefined) throw new Error(`renderSvgChart: no section for relevance ${options.relevance}`);
  const kMax = Math.max(...result.ks);
  const metrics = options.metrics ?? (result.ks.includes(20) ? ['ndcg@20', 'recall@20'] : [`ndcg@${kMax}`, `recall@${kMax}`]);
  const models = section.models;
  const barWidth = 34;
  const groupWidth = metrics.length * barWidth;
  // Each group is at least as wide as its model name (≈7 px per character at 12 px) so labels never overlap.
  const slot = Math.max(groupWidth + 36, ...models.map((m) => m.name.length * 7 + 16));
  const definition =
    section.relevance === 'liked' ? `liked = held-out items scored ≥ ${result.likedThreshold}` : 'listed = every held-out item';
  const title = options.title ?? `Top-${kMax} accuracy per model`;
  const subtitle =
    options.subtitle ??
    `${section.users.length} users evaluated, ${section.skippedUsers} skipped; whiskers: ${Math.round(result.ci.confidence * 100)}% CI`;
  const textWidth = Math.max(title.length * 9.5, definition.length * 7.2, subtitle.length * 7.2);
  const margin = { left: 70, right: 24, top: 96, bottom: 64 };
  const plotHeight = 300;
  const plotWidth = Math.max(models.length * slot, textWidth - margin.left + 30, 240);
  // Centre the groups when the text, not the bars, decides the width.
  const plotStart = margin.left + (plotWidth - models.length * slot) / 2;
  const width = Math.ceil(margin.left + plotWidth + margin.right);
  const height = margin.top + plotHeight + margin.bottom;
  const value = (m: (typeof models)[number], metric: string): MetricResult | undefined => m.metrics[metric];
  let top = 0;
  for (const m of models) {
    for (const metric of metrics) {
      const r = value(m, metric);
      if (r !== undefined) top = Math.max(top, Number.isFinite(r.high) ? r.high : 0, Number.isFinite(r.mean) ? r.mean : 0);
    }
  }
  const yMax = niceMax(top * 1.08);
  const y = (v: number): number => margin.top + plotHeight - (Math.max(0, v) / yMax) * plotHeight;
  const n = (v: number): string => v.toFixed(1);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
  );
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${margin.left}" y="24" font-size="16" font-weight="bold">${escapeXml(title)}</text>`);
  out.push(`<text x="${margin.left}" y="44">${escapeXml(`relevance: ${definition}`)}</text>`);
  out.push(`<text x="${margin.left}" y="62" fill="#555555">${escapeXml(subtitle)}</text>`);
  // Legend.
  metrics.forEach((metric, i) => {
    const lx = margin.left + i * 130;
    out.push(`<rect x="${lx}" y="72" width="12" height="12" fill="${PALETTE[i % PALETTE.length]}"/>`);
    out.push(`<text x="${lx + 18}" y="82">${escapeXml(metric)}</text>`);
  });
  // Y axis with gridlines.
  const ticks = 5;
  for (let t = 0; t <= ticks; t++) {
    const v = (yMax * t) / ticks;
    const ty = n(y(v));
    out.push(`<line x1="${margin.left}" y1="${ty}" x2="${margin.left + plotWidth}" y2="${ty}" stroke="#e0e0e0"/>`);
    out.push(`<text x="${margin.left - 8}" y="${ty}" text-anchor="end" dominant-baseline="middle">${Number(v.toPrecision(6))}</text>`);
  }
  out.push(`<line x1="${margin.left}" y1="${margin.top}" x2="${margin.left}" y2="${margin.top + plotHeight}" stroke="#333333"/>`);
  out.push(
    `<line x1="${margin.left}" y1="${margin.top + plotHeight}" x2="${margin.left + plotWidth}" y2="${margin.top + plotHeight}" stroke="#333333"/>`,
  );
  const cy = margin.top + plotHeight / 2;
  out.push(`<text x="18" y="${cy}" text-anchor="middle" transform="rotate(-90 18 ${cy})">mean over users</text>`);
  out.push(`<text x="${margin.left + plotWidth / 2}" y="${height - 14}" text-anchor="middle">model</text>`);
  // Bars.
  models.forEach((model, g) => {
    const gx = plotStart + g * slot + (slot - groupWidth) / 2;
    metrics.forEach((metric, i) => {
      const r = value(model, metric);
      const x = gx + i * barWidth;
      const color = PALETTE[i % PALETTE.length]!;
      if (r === undefined || !Number.isFinite(r.mean)) {
        out.push(`<text x="${n(x + barWidth / 2)}" y="${n(y(0) - 6)}" text-anchor="middle" font-size="10">n/a</text>`);
        return;
      }
      const barTop = y(r.mean);
      out.push(
        `<rect x="${n(x + 2)}" y="${n(barTop)}" width="${barWidth - 4}" height="${n(y(0) - barTop)}" fill="${color}"><title>${escapeXml(`${model.name} ${metric}: ${r.mean.toFixed(4)}`)}</title></rect>`,
      );
      let labelY = barTop - 5;
      if (Number.isFinite(r.low) && Number.isFinite(r.high)) {
        const cx = n(x + barWidth / 2);
        out.push(`<line x1="${cx}" y1="${n(y(r.low))}" x2="${cx}" y2="${n(y(r.high))}" stroke="#222222"/>`);
        out.push(
          `<line x1="${n(x + barWidth / 2 - 5)}" y1="${n(y(r.high))}" x2="${n(x + barWidth / 2 + 5)}" y2="${n(y(r.high))}" stroke="#222222"/>`,
        );
        out.push(
          `<line x1="${n(x + barWidth / 2 - 5)}" y1="${n(y(r.low))}" x2="${n(x + barWidth / 2 + 5)}" y2="${n(y(r.low))}" stroke="#222222"/>`,
        );
        labelY = Math.min(labelY, y(r.high) - 5);
      }
      out.push(`<text x="${n(x + barWidth / 2)}" y="${n(labelY)}" text-anchor="middle" font-size="10">${r.mean.toFixed(3)}</text>`);
    });
    const lx = gx + groupWidth / 2;
    out.push(`<text x="${n(lx)}" y="${margin.top + plotHeight + 20}" text-anchor="middle">${escapeXml(model.name)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
