import assert from 'node:assert/strict';
import { test } from 'node:test';
import { binaryCrossEntropy, sigmoid, softplus } from '../../../src/models/neural/binary-cross-entropy.js';
import { elementwiseProductBackward, elementwiseProductForward } from '../../../src/models/neural/elementwise-product.js';
import { assertGradient, linearLoss, randomArray } from './gradient-check.js';

test('element-wise product: gradients of both inputs match finite differences', () => {
  const a = randomArray(12, 1);
  const b = randomArray(12, 2);
  const c = randomArray(12, 3);
  const z = new Float32Array(12);
  const loss = () => {
    elementwiseProductForward(a, b, z);
    return linearLoss(z, c);
  };
  const da = new Float32Array(12);
  const db = new Float32Array(12);
  elementwiseProductBackward(a, b, c, da, db);
  assertGradient('dA', a, da, loss, 1e-3);
  assertGradient('dB', b, db, loss, 1e-3);
  const only = new Float32Array(12).fill(7);
  elementwiseProductBackward(a, b, c, only, null);
  assert.deepEqual([...only], [...da], 'a null second gradient leaves the first one whole');
});

test('binary cross-entropy on logits: weighted gradient matches finite differences', () => {
  const logits = randomArray(6, 4, 2);
  const labels = Float32Array.from([1, 0, 0, 1, 0, 0]);
  const weights = Float32Array.from([1, 0.5, 0.5, 2, 1, 3]);
  for (const w of [null, weights]) {
    const grad = new Float32Array(6);
    const value = binaryCrossEntropy(logits, labels, w, 6, grad);
    assert.ok(Number.isFinite(value) && value > 0);
    assertGradient(
      w === null ? 'dz' : 'dz (weighted)',
      logits,
      grad,
      () => binaryCrossEntropy(logits, labels, w, 6, new Float32Array(6)),
      1e-3,
    );
  }
});

test('binary cross-entropy matches −log σ / −log(1 − σ) by hand and stays finite at extreme logits', () => {
  const logits = Float32Array.from([2, -1, 80, -80]);
  const labels = Float32Array.from([1, 0, 0, 1]);
  const grad = new Float32Array(4);
  const got = binaryCrossEntropy(logits.subarray(0, 2), labels, null, 2, grad);
  const expected = (-Math.log(sigmoid(2)) - Math.log(1 - sigmoid(-1))) / 2;
  assert.ok(Math.abs(got - expected) < 1e-6, `${got} vs ${expected}`);
  const extreme = binaryCrossEntropy(logits.subarray(2), labels.subarray(2), null, 2, grad);
  assert.ok(Math.abs(extreme - 80) < 1e-3, `confident mistakes cost about |z| each, got ${extreme}`);
  assert.ok(Math.abs(grad[0]! - 0.5) < 1e-6 && Math.abs(grad[1]! + 0.5) < 1e-6);
  assert.equal(softplus(1000), 1000);
  assert.ok(softplus(-1000) >= 0 && softplus(-1000) < 1e-300);
});

test('binary cross-entropy rejects weights that sum to zero', () => {
  assert.throws(
    () => binaryCrossEntropy(new Float32Array(2), new Float32Array(2), new Float32Array(2), 2, new Float32Array(2)),
    /sum to zero/,
  );
});
