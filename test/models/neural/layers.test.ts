import assert from 'node:assert/strict';
import { test } from 'node:test';
import { l2NormalizeBackward, l2NormalizeForward, reluBackward, reluForward } from '../../../src/models/neural/activations.js';
import { Adam, Parameter } from '../../../src/models/neural/adam.js';
import { bagBackward, bagForward, TouchedRows, type Bags } from '../../../src/models/neural/bag.js';
import { DenseLayer } from '../../../src/models/neural/dense.js';
import { Mlp } from '../../../src/models/neural/mlp.js';
import { principalComponents } from '../../../src/models/neural/pca.js';
import { l2Penalty, l2PenaltyRows } from '../../../src/models/neural/regularization.js';
import { createRng } from '../../../src/models/random.js';
import { assertGradient, linearLoss, randomArray } from './gradient-check.js';

test('dense layer: weight, bias and input gradients match finite differences (zero inputs included)', () => {
  const rows = 3;
  const layer = new DenseLayer(5, 4).initialise(createRng(1));
  const x = randomArray(rows * 5, 2);
  x[3] = 0; // the forward and backward passes skip zeros: their input gradient must still be right
  const c = randomArray(rows * 4, 3);
  const y = new Float32Array(rows * 4);
  const loss = () => {
    layer.forward(x, rows, y);
    return linearLoss(y, c);
  };
  const gw = new Float32Array(layer.weights.length);
  const gb = new Float32Array(layer.bias.length);
  const gx = new Float32Array(x.length);
  layer.backward(x, rows, c, gw, gb, gx);
  assertGradient('dW', layer.weights, gw, loss);
  assertGradient('db', layer.bias, gb, loss);
  assertGradient('dX', x, gx, loss);
});

test('dense layer: the input gradient of a column range leaves the other columns alone', () => {
  const layer = new DenseLayer(6, 3).initialise(createRng(4));
  const x = randomArray(12, 5);
  const c = randomArray(6, 6);
  const full = new Float32Array(12);
  const part = new Float32Array(12).fill(99);
  layer.backward(x, 2, c, new Float32Array(18), new Float32Array(3), full);
  layer.backward(x, 2, c, new Float32Array(18), new Float32Array(3), part, 2, 5);
  for (let r = 0; r < 2; r++) {
    for (let i = 0; i < 6; i++) assert.equal(part[r * 6 + i], i >= 2 && i < 5 ? full[r * 6 + i] : 99);
  }
});

test('ReLU: backward passes the gradient where the output is positive only', () => {
  const x = Float32Array.from([-1, 0.5, 0, 2, -0.1]);
  reluForward(x);
  assert.deepEqual([...x], [0, 0.5, 0, 2, 0]);
  const g = Float32Array.from([1, 2, 3, 4, 5]);
  reluBackward(x, g);
  assert.deepEqual([...g], [0, 2, 0, 4, 0]);
});

test('MLP (dense → ReLU → dense): parameter and input gradients match finite differences', () => {
  const rows = 4;
  const mlp = new Mlp([5, 7, 3], rows).initialise(createRng(7));
  const x = randomArray(rows * 5, 8);
  const c = randomArray(rows * 3, 9);
  const loss = () => linearLoss(mlp.forward(x, rows), c);
  loss();
  const gx = new Float32Array(x.length);
  mlp.backward(c, rows, gx);
  mlp.parameters.forEach((p, k) => assertGradient(`parameter ${k}`, p.value, Float32Array.from(p.grad), loss, 1e-3));
  assertGradient('dX', x, gx, loss, 1e-3);
});

test('L2 normalisation: gradient matches finite differences, and a zero row stays finite', () => {
  const rows = 3;
  const dim = 4;
  const x = randomArray(rows * dim, 10);
  const c = randomArray(rows * dim, 11);
  const y = new Float32Array(rows * dim);
  const norms = new Float32Array(rows);
  const loss = () => {
    l2NormalizeForward(x, rows, dim, y, norms);
    return linearLoss(y, c);
  };
  loss();
  const gx = new Float32Array(x.length);
  l2NormalizeBackward(y, norms, rows, dim, c, gx);
  assertGradient('dX', x, gx, loss, 1e-3);
  const zero = new Float32Array(dim);
  const out = new Float32Array(dim);
  l2NormalizeForward(zero, 1, dim, out, new Float32Array(1));
  assert.ok(out.every((v) => v === 0));
});

test('weighted bag pooling: table gradient matches finite differences and touched rows are listed once', () => {
  const dim = 3;
  const table = randomArray(6 * dim, 12);
  const bags: Bags = {
    ptr: Int32Array.from([0, 3, 5]),
    items: Int32Array.from([0, 2, 2, 5, 1]),
    weights: Float32Array.from([0.5, 0.3, 0.2, 0.6, 0.4]),
  };
  const c = randomArray(2 * dim, 13);
  const out = new Float32Array(2 * dim);
  const loss = () => {
    bagForward(table, dim, bags, 2, out);
    return linearLoss(out, c);
  };
  const grad = new Float32Array(table.length);
  const touched = new TouchedRows(6);
  bagBackward(c, dim, bags, 2, grad, touched);
  assertGradient('dTable', table, grad, loss);
  assert.deepEqual([...touched.rows()].sort(), [0, 1, 2, 5]);
  // Rows no bag uses get no gradient.
  for (const row of [3, 4]) for (let j = 0; j < dim; j++) assert.equal(grad[row * dim + j], 0);
  touched.clear();
  assert.equal(touched.count, 0);
});

test('L2 penalty: value and gradient, dense and by rows', () => {
  const values = Float32Array.from([1, -2, 3, 0.5]);
  const grad = new Float32Array(4);
  const loss = () => l2Penalty(values, new Float32Array(4), 0.1);
  assert.ok(Math.abs(l2Penalty(values, grad, 0.1) - 0.05 * (1 + 4 + 9 + 0.25)) < 1e-6);
  assertGradient('dL2', values, grad, loss);
  const rowGrad = new Float32Array(4);
  const penalty = l2PenaltyRows(values, rowGrad, 2, Int32Array.from([1]), 0.1);
  assert.ok(Math.abs(penalty - 0.05 * (9 + 0.25)) < 1e-6);
  assert.deepEqual(
    [...rowGrad].map((v) => +v.toFixed(6)),
    [0, 0, 0.3, 0.05],
  );
});

test('Adam: the first step moves each weight by the learning rate against its gradient sign, and clears the gradient', () => {
  const p = new Parameter(Float32Array.from([1, 1, 1]));
  p.grad.set([0.5, -3, 0]);
  const adam = new Adam({ learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
  adam.beginStep();
  adam.updateDense(p);
  assert.ok(Math.abs(p.value[0]! - 0.9) < 1e-6 && Math.abs(p.value[1]! - 1.1) < 1e-6 && p.value[2] === 1);
  assert.ok(p.grad.every((g) => g === 0));
  const rows = new Parameter(new Float32Array(6).fill(1));
  rows.grad.fill(1);
  adam.beginStep();
  adam.updateRows(rows, 2, Int32Array.from([2]));
  assert.deepEqual([...rows.value.subarray(0, 4)], [1, 1, 1, 1]);
  assert.ok(rows.value[4]! < 1 && rows.value[5]! < 1);
});

test('PCA finds the direction of largest variance first', () => {
  const rng = createRng(3);
  const n = 400;
  const rows = new Float32Array(n * 3);
  for (let r = 0; r < n; r++) {
    const a = rng() - 0.5;
    const b = rng() - 0.5;
    rows.set([5 * a + 0.1 * b, 0.1 * a + b, 0.01 * (rng() - 0.5)], r * 3);
  }
  const pca = principalComponents(rows, n, 3, 2, 1);
  assert.equal(pca.count, 2);
  assert.ok(Math.abs(pca.components[0]!) > 0.99, `first component ${[...pca.components.subarray(0, 3)]}`);
  assert.ok(Math.abs(pca.components[4]!) > 0.99, `second component ${[...pca.components.subarray(3, 6)]}`);
  assert.ok(pca.explained[0]! > pca.explained[1]! && pca.explained[0]! + pca.explained[1]! > 0.99);
});
