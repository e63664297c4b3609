import assert from 'node:assert/strict';
import { test } from 'node:test';
import { softmaxLoss, type SoftmaxBatch } from '../../../src/models/neural/softmax-loss.js';
import { assertGradient, randomArray } from './gradient-check.js';

function batch(overrides: Partial<SoftmaxBatch>): SoftmaxBatch {
  const rows = 3;
  const count = 5;
  const dim = 4;
  return {
    queries: randomArray(rows * dim, 1, 0.5),
    rows,
    candidates: randomArray(count * dim, 2, 0.5),
    count,
    dim,
    positive: Int32Array.from([0, 1, 2]),
    candidateItems: null,
    positiveItems: null,
    logQ: null,
    temperature: 0.5,
    rowWeights: null,
    ...overrides,
  };
}

function check(name: string, b: SoftmaxBatch): void {
  const logits = new Float32Array(b.rows * b.count);
  const gq = new Float32Array(b.rows * b.dim);
  const gc = new Float32Array(b.count * b.dim);
  const loss = () =>
    softmaxLoss(b, new Float32Array(b.rows * b.count), new Float32Array(b.rows * b.dim), new Float32Array(b.count * b.dim));
  const value = softmaxLoss(b, logits, gq, gc);
  assert.ok(Number.isFinite(value) && value > 0, `${name}: loss ${value}`);
  assertGradient(`${name} dQueries`, b.queries, Float32Array.from(gq), loss, 1e-3);
  assertGradient(`${name} dCandidates`, b.candidates, Float32Array.from(gc), loss, 1e-3);
}

test('softmax loss, in-batch negatives (each row’s positive is its own column): gradients match finite differences', () => {
  check('in-batch', batch({}));
});

test('softmax loss with sampled extra negatives, logQ correction and row weights: gradients match finite differences', () => {
  check(
    'sampled',
    batch({
      logQ: Float32Array.from([-1, -2, -0.5, -3, -4]),
      rowWeights: Float32Array.from([1, 2, 0.5]),
      positive: Int32Array.from([0, 1, 1]),
    }),
  );
});

test('softmax loss masks a duplicate of the positive, and matches the cross-entropy computed by hand', () => {
  const b = batch({ candidateItems: Int32Array.from([10, 11, 12, 10, 13]), positiveItems: Int32Array.from([10, 11, 12]) });
  check('masked', b);
  // Row 0's positive (item 10) also sits in column 3: that column must not count for row 0.
  const dim = b.dim;
  const logit = (r: number, n: number) => {
    let s = 0;
    for (let j = 0; j < dim; j++) s += b.queries[r * dim + j]! * b.candidates[n * dim + j]!;
    return s / b.temperature;
  };
  let expected = 0;
  for (let r = 0; r < b.rows; r++) {
    const columns = [0, 1, 2, 3, 4].filter((n) => !(n !== b.positive[r] && b.candidateItems![n] === b.positiveItems![r]));
    const z = columns.reduce((s, n) => s + Math.exp(logit(r, n)), 0);
    expected += (Math.log(z) - logit(r, b.positive[r]!)) / b.rows;
  }
  const got = softmaxLoss(b, new Float32Array(15), new Float32Array(12), new Float32Array(20));
  assert.ok(Math.abs(got - expected) < 1e-5, `${got} vs ${expected}`);
  const gc = new Float32Array(20);
  softmaxLoss({ ...b, rows: 1 }, new Float32Array(15), new Float32Array(12), gc);
  for (let j = 0; j < dim; j++) assert.equal(gc[3 * dim + j], 0, 'the masked duplicate gets no gradient from row 0');
});

test('softmax loss rejects row weights that sum to zero', () => {
  assert.throws(
    () => softmaxLoss(batch({ rowWeights: new Float32Array(3) }), new Float32Array(15), new Float32Array(12), new Float32Array(20)),
    /sum to zero/,
  );
});
