import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadRecommender } from '../../src/models/artifacts.js';
import '../../src/models/known-models.js';
import { binaryCrossEntropy } from '../../src/models/neural/binary-cross-entropy.js';
import { NcfRecommender } from '../../src/models/ncf/model.js';
import { NeuMfNetwork } from '../../src/models/ncf/network.js';
import { resolveNcfParams, type NcfParams } from '../../src/models/ncf/params.js';
import { trainNcf } from '../../src/models/ncf/train.js';
import { createRng } from '../../src/models/random.js';
import { DEFAULT_MODEL_PARAMS, MODEL_NAMES, trainModel } from '../../src/models/train-model.js';
import { BLOCK_A, BLOCK_B, COLD, historyOf, plantedBlocks } from './model-test-data.js';
import { assertGradient, randomArray } from './neural/gradient-check.js';

const SMALL: Partial<NcfParams> = {
  gmfDimension: 8,
  mlpDimension: 8,
  mlpHidden: [16, 8],
  epochs: 15,
  batchSize: 32,
  learningRate: 0.01,
  initStd: 0.1,
  foldInNegatives: 32,
  foldInMaxPositives: 16,
};

test('NeuMF loss end to end (GMF ⊙, MLP with ReLU, fused output layer, weighted BCE): every gradient matches finite differences', () => {
  const rows = 5;
  const dg = 3;
  const dm = 4;
  const net = new NeuMfNetwork(dg, dm, [6, 3], rows).initialise(createRng(3));
  const userGmf = randomArray(rows * dg, 1);
  const itemGmf = randomArray(rows * dg, 2);
  const mlpInput = randomArray(rows * 2 * dm, 3);
  const labels = Float32Array.from([1, 0, 0, 1, 0]);
  const weights = Float32Array.from([1, 2, 0.5, 1, 3]);
  const loss = () => binaryCrossEntropy(net.forward(userGmf, itemGmf, mlpInput, rows), labels, weights, rows, new Float32Array(rows));
  const dLogits = new Float32Array(rows);
  binaryCrossEntropy(net.forward(userGmf, itemGmf, mlpInput, rows), labels, weights, rows, dLogits);
  const dUser = new Float32Array(rows * dg);
  const dItem = new Float32Array(rows * dg);
  const dMlp = new Float32Array(rows * 2 * dm);
  net.backward(dLogits, rows, dUser, dItem, dMlp);
  assertGradient('dUserGmf', userGmf, dUser, loss, 1e-3);
  assertGradient('dItemGmf', itemGmf, dItem, loss, 1e-3);
  assertGradient('dMlpInput', mlpInput, dMlp, loss, 1e-3);
  [...net.mlp.parameters, ...net.outputParameters].forEach((p, k) =>
    assertGradient(`dense parameter ${k}`, p.value, Float32Array.from(p.grad), loss, 1e-3),
  );
  // Fold-in asks for the user half of the MLP input only: those columns must be the same.
  binaryCrossEntropy(net.forward(userGmf, itemGmf, mlpInput, rows), labels, weights, rows, dLogits);
  const userHalf = new Float32Array(rows * 2 * dm).fill(99);
  net.backward(dLogits, rows, dUser, null, userHalf, dm);
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < 2 * dm; j++) assert.equal(userHalf[r * 2 * dm + j], j < dm ? dMlp[r * 2 * dm + j] : 99);
});

test('ncf learns planted blocks: a new user of block A gets block A ranked above block B; the cold title gets -Infinity', () => {
  const data = plantedBlocks();
  // Titles within a block are interchangeable, so an unregularised model memorises which ones each
  // training user happened to list; L2 keeps it to the block structure.
  const model = trainNcf(data, { ...SMALL, l2: 1e-2 }, { seed: 1 });
  const report = model.report as { losses: number[] };
  assert.equal(report.losses.length, SMALL.epochs);
  assert.ok(report.losses[report.losses.length - 1]! < report.losses[0]!, `loss fell: ${report.losses.map((l) => l.toFixed(3)).join(' ')}`);
  const out = new Float32Array(data.nItems);
  let checked = 0;
  for (const [mine, other] of [
    [BLOCK_A, BLOCK_B],
    [BLOCK_B, BLOCK_A],
  ] as const) {
    model.scoreFoldIn(historyOf(mine.slice(0, 6)), out);
    assert.equal(out[COLD], -Infinity);
    const worstMine = Math.min(...mine.slice(6).map((i) => out[i]!));
    const bestOther = Math.max(...other.map((i) => out[i]!));
    assert.ok(
      worstMine > bestOther,
      `every unseen title of the user's block (lowest ${worstMine}) beats every title of the other (highest ${bestOther})`,
    );
    checked++;
  }
  assert.equal(checked, 2);
});

test('ncf is deterministic: the same seed gives the same scores, a fold-in repeated gives the same scores, another seed differs', () => {
  const data = plantedBlocks();
  const params = { ...SMALL, epochs: 3 };
  const a = trainNcf(data, params, { seed: 5 });
  const b = trainNcf(data, params, { seed: 5 });
  const c = trainNcf(data, params, { seed: 6 });
  const history = historyOf([0, 3, 25, 30]);
  const score = (m: NcfRecommender) => {
    const out = new Float32Array(data.nItems);
    m.scoreFoldIn(history, out);
    return out;
  };
  const first = score(a);
  assert.ok(
    first.some((x) => Number.isFinite(x)),
    'some titles were scored',
  );
  assert.deepEqual(score(b), first);
  assert.deepEqual(score(a), first, 'a second fold-in of the same list gives the same scores');
  assert.notDeepEqual(score(c), first);
});

test('ncf fold-in: an empty history or one of cold titles only scores the mean user; long lists are sampled and stay finite', () => {
  const data = plantedBlocks();
  const model = trainNcf(data, { ...SMALL, epochs: 2 }, { seed: 2 });
  const out = new Float32Array(data.nItems);
  const reference = new Float32Array(data.nItems);
  model.scoreFoldIn({ items: new Int32Array(0), scores: new Float32Array(0) }, reference);
  model.scoreFoldIn(historyOf([COLD, -1, 9999]), out);
  assert.deepEqual(out, reference, 'titles the model cannot use are ignored');
  model.scoreFoldIn(historyOf([...BLOCK_A, ...BLOCK_B]), out);
  const finite = [...out].filter((x) => Number.isFinite(x));
  assert.equal(finite.length, data.nItems - 1, 'every warm title is scored');
  assert.equal(out[COLD], -Infinity);
});

test('ncf save/load round trip gives identical scores, and loads through the registered kind', async () => {
  const data = plantedBlocks();
  const model = trainNcf(data, { ...SMALL, epochs: 2 }, { seed: 3 });
  const dir = mkdtempSync(join(tmpdir(), 'anirec-ncf-'));
  try {
    await model.save(dir);
    const loaded = await loadRecommender(dir);
    assert.equal(loaded.kind, 'ncf');
    const history = historyOf([1, 2, 21]);
    const before = new Float32Array(data.nItems);
    const after = new Float32Array(data.nItems);
    model.scoreFoldIn(history, before);
    loaded.scoreFoldIn(history, after);
    assert.ok(before.some((x) => Number.isFinite(x)));
    assert.deepEqual(after, before);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ncf is a model name trainModel knows', async () => {
  assert.ok((MODEL_NAMES as readonly string[]).includes('ncf'));
  const data = plantedBlocks();
  const trained = await trainModel('ncf', data, new Map(), { ...DEFAULT_MODEL_PARAMS, ncf: { ...SMALL, epochs: 1 } }, { seed: 1 });
  assert.equal(trained.recommender.kind, 'ncf');
  assert.equal((trained.params as NcfParams).epochs, 1);
});

test('bad ncf parameters are clear errors naming the knob', () => {
  assert.throws(() => resolveNcfParams({ gmfDimension: 0 }), /ncf: gmfDimension must be a positive integer, got 0/);
  assert.throws(() => resolveNcfParams({ negatives: 1.5 }), /ncf: negatives must be a positive integer/);
  assert.throws(() => resolveNcfParams({ learningRate: -1 }), /ncf: learningRate must be a finite number > 0/);
  assert.throws(() => resolveNcfParams({ l2: Number.NaN }), /ncf: l2 must be a finite number ≥ 0/);
  assert.throws(() => resolveNcfParams({ mlpHidden: [] }), /ncf: mlpHidden must be a non-empty list/);
  assert.throws(() => resolveNcfParams({ mlpHidden: [8, -2] }), /ncf: mlpHidden must be a non-empty list/);
  assert.throws(() => trainNcf(plantedBlocks(), { epochs: 0 }), /ncf: epochs must be a positive integer/);
  assert.equal(resolveNcfParams({}).negatives, 4);
});
