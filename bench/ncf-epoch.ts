/**
 * Seconds per training epoch of NeuMF (`ncf`) on the bundled data, and milliseconds per fold-in
 * request, each next to iALS measured in the same run (so the ratios hold on a busy machine):
 * iALS's per-epoch time from its own training report, its fold-in (an exact k × k solve) on the
 * same users.
 *
 *   node --import tsx bench/ncf-epoch.ts
 *
 * BENCH_NCF_EPOCHS (default 2) epochs; BENCH_NCF_PARAMS a JSON object of NcfParams overrides;
 * BENCH_NCF_USERS (default 200) users folded in (the bundled users' own lists, first 80% each).
 */
import { trainAls } from '../src/models/als/train.js';
import { DEFAULT_NCF_PARAMS } from '../src/models/ncf/params.js';
import { trainNcf, type NcfReport } from '../src/models/ncf/train.js';
import type { History, Recommender } from '../src/models/types.js';
import { loadBundled2016 } from './bundled-2016.js';
import { printTable, writeResults } from './report.js';

const epochs = Number(process.env.BENCH_NCF_EPOCHS ?? 2);
const overrides = JSON.parse(process.env.BENCH_NCF_PARAMS ?? '{}') as Record<string, unknown>;
const userCount = Number(process.env.BENCH_NCF_USERS ?? 200);
const set = await loadBundled2016();
const data = set.data;
const seed = 42;

function histories(): History[] {
  const out: History[] = [];
  const step = Math.max(1, Math.floor(data.nUsers / userCount));
  for (let u = 0; u < data.nUsers && out.length < userCount; u += step) {
    const start = data.indptr[u]!;
    const end = start + Math.max(1, Math.floor(0.8 * (data.indptr[u + 1]! - start)));
    out.push({ items: data.indices.slice(start, end), scores: data.scores.slice(start, end) });
  }
  return out;
}

function msPerFoldIn(model: Recommender, users: History[]): number {
  const out = new Float32Array(model.nItems);
  model.scoreFoldIn(users[0]!, out); // first call allocates lazily built state
  const started = performance.now();
  for (const history of users) model.scoreFoldIn(history, out);
  return (performance.now() - started) / users.length;
}

const users = histories();
const als = trainAls(data, {}, { seed });
const alsReport = als.report!;
const ncf = trainNcf(data, { ...overrides, epochs }, { seed });
const ncfReport = ncf.report as NcfReport;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const alsEpoch = median(alsReport.secondsPerEpoch);
const ncfEpoch = median(ncfReport.secondsPerEpoch);
const alsFoldIn = msPerFoldIn(als, users);
const ncfFoldIn = msPerFoldIn(ncf, users);
const rows = [
  {
    model: 'iALS (defaults, k = 128)',
    's / epoch (median)': alsEpoch.toFixed(2),
    'epochs (default)': alsReport.secondsPerEpoch.length,
    'ms / fold-in + scoring': alsFoldIn.toFixed(1),
    'epoch vs iALS': '1.00×',
    'fold-in vs iALS': '1.00×',
  },
  {
    model: `ncf (${JSON.stringify({ ...overrides, epochs })})`,
    's / epoch (median)': ncfEpoch.toFixed(2),
    'epochs (default)': DEFAULT_NCF_PARAMS.epochs,
    'ms / fold-in + scoring': ncfFoldIn.toFixed(1),
    'epoch vs iALS': `${(ncfEpoch / alsEpoch).toFixed(2)}×`,
    'fold-in vs iALS': `${(ncfFoldIn / alsFoldIn).toFixed(2)}×`,
  },
];
printTable(
  `Training epoch and fold-in, bundled data (${data.nUsers} users, ${data.nItems} titles of which ${ncfReport.warmItems} have interactions, ${ncfReport.rowsPerEpoch.toLocaleString('en')} ncf rows per epoch), ${users.length} fold-ins, seed ${seed}`,
  rows,
);
console.log(
  `\nwrote ${writeResults('ncf-epoch', { params: ncf.params, rowsPerEpoch: ncfReport.rowsPerEpoch, ncfSecondsPerEpoch: ncfReport.secondsPerEpoch, alsSecondsPerEpoch: alsReport.secondsPerEpoch, foldInUsers: users.length, rows })}`,
);
