/**
 * Shared data for the model tests: a tiny planted two-block set (users who list only block A or
 * only block B, plus a cold item) and the bundled 5k-user sample with a simple held-out recall.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createRng, shuffleInPlace } from '../../src/models/random.js';
import { buildTrainingData, subsetUsers } from '../../src/models/training-data.js';
import type { History, Recommender, TrainingData } from '../../src/models/types.js';

// MAL ids 1..40 map to indices 0..39, 1000 (the cold item) to 40.
export const BLOCK_A = Array.from({ length: 20 }, (_, i) => i);
export const BLOCK_B = Array.from({ length: 20 }, (_, i) => 20 + i);
export const COLD = 40;

export function plantedBlocks(): TrainingData {
  const rng = createRng(7);
  const users: number[] = [];
  const anime: number[] = [];
  const scores: number[] = [];
  for (let u = 0; u < 80; u++) {
    const offset = u < 40 ? 1 : 21;
    for (let i = 0; i < 20; i++) {
      if (rng() < 0.6) {
        users.push(u);
        anime.push(offset + i);
        scores.push(rng() < 0.3 ? 0 : 5 + Math.floor(rng() * 6)); // 0 = listed without a score
      }
    }
  }
  return buildTrainingData(Int32Array.from(users), Int32Array.from(anime), Float32Array.from(scores), [1000]).data;
}

export function historyOf(items: number[]): History {
  return { items: Int32Array.from(items), scores: new Float32Array(items.length).fill(8) };
}

export function loadBundled(): TrainingData {
  const text = gunzipSync(readFileSync(new URL('../../data/ratings_2016_5k_users.csv.gz', import.meta.url))).toString('utf8');
  const lines = text.split('\n');
  const users = new Int32Array(lines.length);
  const anime = new Int32Array(lines.length);
  const scores = new Float32Array(lines.length);
  let n = 0;
  for (let l = 1; l < lines.length; l++) {
    const line = lines[l]!;
    if (line.length === 0) continue;
    const a = line.indexOf(',');
    const b = line.indexOf(',', a + 1);
    users[n] = Number(line.slice(0, a));
    anime[n] = Number(line.slice(a + 1, b));
    scores[n++] = Math.max(0, Number(line.slice(b + 1))); // -1 (listed, no score) is 0 in TrainingData
  }
  return buildTrainingData(users.subarray(0, n), anime.subarray(0, n), scores.subarray(0, n)).data;
}

/**
 * Every 10th user with ≥ 10 titles is held out; the model sees a seeded random 80% of their list
 * and must find the rest. (Random, not "last": the data has no timestamps and rows are ordered by
 * MAL id, so a "last 20%" would hold out each user's newest titles, a cold-start test instead.)
 */
export function holdOutSplit(data: TrainingData): { train: TrainingData; recallAt20: (model: Recommender) => number } {
  const testUsers: number[] = [];
  const trainUsers: number[] = [];
  for (let u = 0; u < data.nUsers; u++) {
    (u % 10 === 0 && data.indptr[u + 1]! - data.indptr[u]! >= 10 ? testUsers : trainUsers).push(u);
  }
  const recallAt20 = (model: Recommender): number => {
    const out = new Float32Array(data.nItems);
    let total = 0;
    for (const u of testUsers) {
      const start = data.indptr[u]!;
      const end = data.indptr[u + 1]!;
      const entries = Int32Array.from({ length: end - start }, (_, i) => start + i);
      shuffleInPlace(entries, createRng(u));
      const cut = Math.floor((end - start) * 0.8);
      const kept = entries.slice(0, cut).sort();
      const history = { items: Int32Array.from(kept, (e) => data.indices[e]!), scores: Float32Array.from(kept, (e) => data.scores[e]!) };
      model.scoreFoldIn(history, out);
      for (const item of history.items) out[item] = -Infinity;
      const held = new Set(Array.from(entries.subarray(cut), (e) => data.indices[e]!));
      const top = Array.from(out.keys())
        .sort((a, b) => out[b]! - out[a]! || a - b)
        .slice(0, 20);
      total += top.filter((i) => held.has(i)).length / Math.min(20, held.size);
    }
    return total / testUsers.length;
  };
  return { train: subsetUsers(data, trainUsers), recallAt20 };
}
