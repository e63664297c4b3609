/**
 * Synthetic ratings in the Kaggle 2016 `rating.csv` format, for measuring import and training at
 * sizes the bundled 520k sample cannot show (e.g. 20M rows).
 *
 * The generator mimics the real data rather than drawing uniformly, because uniform data hides
 * exactly what makes recommenders slow (a few items with huge columns, a few users with huge rows):
 * - user activity (rows per user) is resampled from the real users' list lengths;
 * - items are drawn without replacement per user with probability ∝ their real popularity
 *   (number of real users listing them), via Walker's alias method;
 * - each row's score is drawn from that item's real score distribution (including -1, "listed
 *   without a score"), shifted by a per-user bias so users differ in generosity.
 * Output rows are sorted by (user_id, anime_id) like the real file.
 *
 *   node --import tsx bench/synthetic.ts --rows 20000000 --out /tmp/ratings-20m.csv [--seed 7]
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { createGunzip } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { createRng } from '../src/models/random.js';

interface RealDistributions {
  itemIds: Int32Array;
  itemCounts: Float64Array;
  /** Per item: counts of scores -1 (index 0) and 1..10 (indices 1..10). */
  itemScoreCounts: Float64Array;
  userLengths: Int32Array;
}

export async function readRealDistributions(ratingsGz: string): Promise<RealDistributions> {
  const lines = createInterface({ input: createReadStream(ratingsGz).pipe(createGunzip()), crlfDelay: Infinity });
  const itemIndex = new Map<number, number>();
  const counts: number[] = [];
  const scoreCounts: number[][] = [];
  const userLengths = new Map<string, number>();
  let header = true;
  for await (const line of lines) {
    if (header) {
      header = false;
      continue;
    }
    const [user, anime, rating] = line.split(',');
    const animeId = Number(anime);
    let idx = itemIndex.get(animeId);
    if (idx === undefined) {
      itemIndex.set(animeId, (idx = counts.length));
      counts.push(0);
      scoreCounts.push(new Array(11).fill(0));
    }
    counts[idx]!++;
    const score = Number(rating);
    scoreCounts[idx]![score === -1 ? 0 : score]!++;
    userLengths.set(user!, (userLengths.get(user!) ?? 0) + 1);
  }
  return {
    itemIds: Int32Array.from(itemIndex.keys()),
    itemCounts: Float64Array.from(counts),
    itemScoreCounts: Float64Array.from(scoreCounts.flat()),
    userLengths: Int32Array.from(userLengths.values()),
  };
}

/** Walker's alias table: O(1) draws from a fixed discrete distribution. */
function aliasTable(weights: Float64Array): { prob: Float64Array; alias: Int32Array } {
  const n = weights.length;
  const total = weights.reduce((a, b) => a + b, 0);
  const prob = new Float64Array(n);
  const alias = new Int32Array(n);
  const scaled = Float64Array.from(weights, (w) => (w * n) / total);
  const small: number[] = [];
  const large: number[] = [];
  scaled.forEach((p, i) => (p < 1 ? small : large).push(i));
  while (small.length > 0 && large.length > 0) {
    const s = small.pop()!;
    const l = large.pop()!;
    prob[s] = scaled[s]!;
    alias[s] = l;
    scaled[l] = scaled[l]! + scaled[s]! - 1;
    (scaled[l]! < 1 ? small : large).push(l);
  }
  for (const i of [...small, ...large]) prob[i] = 1;
  return { prob, alias };
}

export interface SyntheticOptions {
  rows: number;
  out: string;
  seed: number;
  realRatings: string;
}

export async function generateSynthetic(options: SyntheticOptions): Promise<{ rows: number; users: number; items: number }> {
  const real = await readRealDistributions(options.realRatings);
  const rng = createRng(options.seed);
  const { prob, alias } = aliasTable(real.itemCounts);
  const nItems = real.itemIds.length;
  const drawItem = (): number => {
    const i = Math.floor(rng() * nItems);
    return rng() < prob[i]! ? i : alias[i]!;
  };
  const out = createWriteStream(options.out);
  out.write('user_id,anime_id,rating\n');
  const taken = new Uint8Array(nItems);
  let written = 0;
  let user = 0;
  let buffer = '';
  while (written < options.rows) {
    user++;
    const length = Math.min(real.userLengths[Math.floor(rng() * real.userLengths.length)]!, options.rows - written, nItems);
    const bias = (rng() - 0.5) * 2; // ±1 point of generosity
    const items: number[] = [];
    while (items.length < length) {
      const item = drawItem();
      if (taken[item] === 0) {
        taken[item] = 1;
        items.push(item);
      }
    }
    for (const item of items) taken[item] = 0;
    const rowsOfUser = items.map((item) => [real.itemIds[item]!, item] as const).sort((a, b) => a[0] - b[0]);
    for (const [animeId, item] of rowsOfUser) {
      // Draw from the item's real score histogram, then apply the user's bias to real scores.
      const base = item * 11;
      let total = 0;
      for (let s = 0; s <= 10; s++) total += real.itemScoreCounts[base + s]!;
      let pick = rng() * total;
      let score = 0;
      for (; score < 10; score++) {
        pick -= real.itemScoreCounts[base + score]!;
        if (pick < 0) break;
      }
      const rating = score === 0 ? -1 : Math.min(10, Math.max(1, Math.round(score + bias)));
      buffer += `${user},${animeId},${rating}\n`;
    }
    written += length;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
  return { rows: written, users: user, items: nItems };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name: string, fallback: string): string => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
  };
  const realRatings = arg('real', fileURLToPath(new URL('../data/ratings_2016_5k_users.csv.gz', import.meta.url)));
  const result = await generateSynthetic({
    rows: Number(arg('rows', '20000000')),
    out: arg('out', 'ratings-synthetic.csv'),
    seed: Number(arg('seed', '7')),
    realRatings,
  });
  console.log(`wrote ${result.rows.toLocaleString('en')} rows for ${result.users.toLocaleString('en')} users over ${result.items} items`);
}
