import assert from 'node:assert/strict';
import { test } from 'node:test';
import { env } from '../../../src/env/env.js';
import { bagBackward, bagForward, TouchedRows, type Bags } from '../../../src/models/neural/bag.js';
import { DenseLayer } from '../../../src/models/neural/dense.js';
import { simdGemm } from '../../../src/models/neural/gemm.js';
import { softmaxLoss, type SoftmaxBatch } from '../../../src/models/neural/softmax-loss.js';
import { createRng } from '../../../src/models/random.js';
import { assertGradient, linearLoss, randomArray } from './gradient-check.js';

/** Runs `fn` on the scalar loops (env.wasm false), restoring the switch afterwards. */
function scalar<T>(fn: () => T): T {
  const before = env.wasm;
  env.wasm = false;
  try {
    return fn();
  } finally {
    env.wasm = before;
  }
}

function assertClose(name: string, got: ArrayLike<number>, want: ArrayLike<number>, length = want.length, tolerance = 1e-5): void {
  assert.ok(length > 0, `${name}: nothing to compare`);
  let scale = 0;
  for (let i = 0; i < length; i++) scale = Math.max(scale, Math.abs(want[i]!));
  for (let i = 0; i < length; i++) {
    const error = Math.abs(got[i]! - want[i]!);
    assert.ok(error <= tolerance * Math.max(1, scale), `${name}[${i}]: ${got[i]} vs ${want[i]} (scale ${scale})`);
  }
}

// Sizes below, at and past the kernel's 4-row and 8-column blocks, most of them ragged.
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [3, 7, 5],
  [4, 8, 1],
  [5, 9, 13],
  [8, 16, 64],
  [13, 31, 7],
  [33, 65, 129],
  [64, 128, 300],
];

test('SIMD gemm: C += A·B and C += Aᵀ·B match a float64 reference on ragged shapes', () => {
  const kernel = simdGemm();
  assert.ok(kernel !== null, 'WebAssembly SIMD must be available to the tests');
  SHAPES.forEach(([m, n, k], s) => {
    for (const transposed of [false, true]) {
      const a = randomArray(m * k, 10 + s);
      const b = randomArray(k * n, 20 + s);
      const c0 = randomArray(m * n, 30 + s);
      // Stored A: m × k row-major, or k × m when read transposed.
      const [sai, sap] = transposed ? [1, m] : [k, 1];
      const want = Float64Array.from(c0);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let sum = 0;
          for (let p = 0; p < k; p++) sum += a[i * sai + p * sap]! * b[p * n + j]!;
          want[i * n + j]! += sum;
        }
      }
      // Odd offsets: the kernel must not assume 16-byte aligned operands.
      const aAt = 3;
      const bAt = aAt + m * k + 1;
      const cAt = bAt + k * n + 2;
      const mem = kernel.scratch(cAt + m * n + 5);
      mem.set(a, aAt);
      mem.set(b, bAt);
      mem.set(c0, cAt);
      mem[cAt + m * n] = 42;
      kernel.gemm(m, n, k, aAt, sai, sap, bAt, n, cAt, n);
      assertClose(`${m}×${n}×${k}${transposed ? 'ᵀ' : ''}`, mem.subarray(cAt, cAt + m * n), want, m * n, 1e-5 * Math.sqrt(k));
      assert.equal(mem[cAt + m * n], 42, 'nothing past C is written');
    }
  });
});

test('dense layer: SIMD forward and backward match the scalar loops on ragged shapes (zero inputs, a dX column range)', () => {
  const shapes: [number, number, number][] = [
    [8, 5, 3],
    [13, 17, 9],
    [37, 70, 33],
    [256, 96, 128],
  ];
  shapes.forEach(([rows, inDim, outDim], s) => {
    const layer = new DenseLayer(inDim, outDim).initialise(createRng(40 + s));
    layer.bias.set(randomArray(outDim, 50 + s));
    const x = randomArray(rows * inDim, 60 + s);
    for (let i = 0; i < x.length; i += 3) x[i] = 0; // multi-hot-like zeros, which the scalar loops skip
    const dy = randomArray(rows * outDim, 70 + s);
    const gw0 = randomArray(inDim * outDim, 80 + s);
    const gb0 = randomArray(outDim, 90 + s);
    const [from, to] = [Math.floor(inDim / 3), inDim - 1];
    const run = () => {
      const y = new Float32Array(rows * outDim);
      layer.forward(x, rows, y);
      const gw = Float32Array.from(gw0);
      const gb = Float32Array.from(gb0);
      const dx = new Float32Array(rows * inDim).fill(7);
      layer.backward(x, rows, dy, gw, gb, dx, from, to);
      return { y, gw, gb, dx };
    };
    const want = scalar(run);
    const got = run();
    const name = `${rows}×${inDim}→${outDim}`;
    assertClose(`${name} y`, got.y, want.y);
    assertClose(`${name} dW`, got.gw, want.gw);
    assertClose(`${name} db`, got.gb, want.gb);
    assertClose(`${name} dX`, got.dx, want.dx);
    assert.ok(
      got.dx.every((v, i) => (i % inDim >= from && i % inDim < to) || v === 7),
      `${name}: dX outside the column range untouched`,
    );
  });
});

test('dense layer on the SIMD path: gradients match finite differences', () => {
  const rows = 9;
  const layer = new DenseLayer(6, 11).initialise(createRng(5));
  const x = randomArray(rows * 6, 6);
  const c = randomArray(rows * 11, 7);
  const y = new Float32Array(rows * 11);
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

function randomBatch(rows: number, count: number, dim: number, seed: number): SoftmaxBatch {
  const rng = createRng(seed);
  const items = Int32Array.from({ length: count }, () => Math.floor(rng() * count * 0.7));
  const positive = Int32Array.from({ length: rows }, (_, b) => (b < count ? b : Math.floor(rng() * count)));
  return {
    queries: randomArray(rows * dim, seed + 1, 0.3),
    rows,
    candidates: randomArray(count * dim, seed + 2, 0.3),
    count,
    dim,
    positive,
    candidateItems: items,
    positiveItems: Int32Array.from(positive, (p) => items[p]!),
    logQ: Float32Array.from({ length: count }, () => -1 - 5 * rng()),
    temperature: 0.07,
    rowWeights: Float32Array.from({ length: rows }, () => 0.5 + rng()),
  };
}

test('softmax loss: the SIMD path gives the scalar loss and gradients (masking, logQ, row weights, ragged sizes)', () => {
  const shapes: [number, number, number][] = [
    [1, 3, 2],
    [7, 13, 5],
    [30, 61, 17],
    [256, 512, 64],
  ];
  shapes.forEach(([rows, count, dim], s) => {
    const b = randomBatch(rows, count, dim, 100 + 10 * s);
    const run = () => {
      const gq = new Float32Array(rows * dim);
      const gc = new Float32Array(count * dim);
      const loss = softmaxLoss(b, new Float32Array(rows * count), gq, gc);
      return { loss, gq, gc };
    };
    const want = scalar(run);
    const got = run();
    const name = `${rows}×${count}×${dim}`;
    assert.ok(Math.abs(got.loss - want.loss) <= 1e-5 * Math.max(1, Math.abs(want.loss)), `${name} loss ${got.loss} vs ${want.loss}`);
    assertClose(`${name} dQueries`, got.gq, want.gq);
    assertClose(`${name} dCandidates`, got.gc, want.gc);
  });
});

test('bag pooling: the SIMD path pools and scatters as the scalar loops do, and lists the same touched rows', () => {
  const shapes: [number, number, number][] = [
    [8, 30, 3],
    [11, 50, 7],
    [64, 400, 64],
  ];
  shapes.forEach(([count, items, dim], s) => {
    const rng = createRng(200 + s);
    const ptr = new Int32Array(count + 1);
    const entryItems: number[] = [];
    const weights: number[] = [];
    for (let b = 0; b < count; b++) {
      const length = b === 2 ? 0 : 1 + Math.floor(rng() * 20); // one empty bag
      for (let e = 0; e < length; e++) {
        entryItems.push(Math.floor(rng() * items));
        weights.push(e === 1 ? 0 : rng()); // zero weights are skipped, and touch nothing
      }
      ptr[b + 1] = entryItems.length;
    }
    const bags: Bags = { ptr, items: Int32Array.from(entryItems), weights: Float32Array.from(weights) };
    const table = randomArray(items * dim, 210 + s);
    const dOut = randomArray(count * dim, 220 + s);
    const grad0 = randomArray(items * dim, 230 + s);
    const run = () => {
      const out = new Float32Array(count * dim).fill(5);
      bagForward(table, dim, bags, count, out);
      const grad = Float32Array.from(grad0);
      const touched = new TouchedRows(items);
      bagBackward(dOut, dim, bags, count, grad, touched);
      return { out, grad, touched: [...touched.rows()].sort((a, b) => a - b) };
    };
    const want = scalar(run);
    const got = run();
    const name = `${count} bags × ${dim}`;
    assertClose(`${name} pooled`, got.out, want.out);
    assertClose(`${name} table gradient`, got.grad, want.grad);
    assert.ok(want.touched.length > 0);
    assert.deepEqual(got.touched, want.touched);
  });
});
