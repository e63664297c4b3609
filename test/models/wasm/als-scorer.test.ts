import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { env } from '../../../src/env/env.js';
import { scoreDotProducts } from '../../../src/models/als/kernels.js';
import { createRng } from '../../../src/models/random.js';
import { WasmAlsScorer } from '../../../src/models/wasm/als-scorer.js';

/** Factors with the awkward values too: zeros, negative zero, tiny (subnormal in float32) and large. */
function factors(n: number, k: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const special = [0, -0, 1e-40, -3e38, 3e38, 1];
  return Float32Array.from({ length: n * k }, () => (rng() < 0.05 ? special[Math.floor(rng() * special.length)]! : (rng() - 0.5) * 4));
}

describe('iALS SIMD scoring kernel', () => {
  it('is what als-score.wat assembles to (npm run build:wasm)', () => {
    const result = spawnSync(process.execPath, ['scripts/build-wasm.mjs', '--check'], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
  });

  it('runs here (Node 20 has WebAssembly SIMD), unless env.wasm is off (ANIREC_WASM=0)', () => {
    const saved = env.wasm;
    try {
      env.wasm = true;
      assert.notEqual(WasmAlsScorer.create(new Float32Array(8), 1, Int32Array.from([0, 3])), null);
      env.wasm = false;
      assert.equal(WasmAlsScorer.create(new Float32Array(8), 1, Int32Array.from([0, 3])), null);
    } finally {
      env.wasm = saved;
    }
  });

  it('scores bit-for-bit as the scalar loop and as plain float64 dot products', () => {
    for (const [nItems, k, seed] of [
      [1, 1, 1],
      [9, 3, 2],
      [40, 8, 3],
      [203, 128, 4],
      [64, 17, 5],
    ] as const) {
      const Y = factors(nItems, k, seed);
      // Every other title listed, as known items are (ascending, with gaps).
      const items = Int32Array.from({ length: Math.ceil(nItems / 2) }, (_, q) => 2 * q).filter((i) => i < nItems);
      const rng = createRng(seed + 100);
      const x = Float64Array.from({ length: k }, () => (rng() - 0.5) * 3);
      const plain = new Float32Array(nItems).fill(-Infinity);
      for (const item of items) {
        let s = 0;
        for (let j = 0; j < k; j++) s += Y[item * k + j]! * x[j]!;
        plain[item] = s;
      }
      const scalar = new Float32Array(nItems).fill(-Infinity);
      scoreDotProducts(Y, k, items, x, scalar);
      assert.deepEqual([...scalar], [...plain], `scalar, ${nItems} × ${k}`);
      const scorer = WasmAlsScorer.create(Y, k, items);
      if (scorer === null) continue;
      const simd = new Float32Array(nItems).fill(-Infinity);
      scorer.scoreInto(x, simd);
      assert.deepEqual([...simd], [...plain], `SIMD, ${nItems} × ${k}`);
      // A second call with another user factor reuses the packed factors.
      const y2 = Float64Array.from(x, (v) => -v / 2);
      scorer.scoreInto(y2, simd);
      for (const item of items) {
        let s = 0;
        for (let j = 0; j < k; j++) s += Y[item * k + j]! * y2[j]!;
        assert.equal(simd[item], Math.fround(s));
      }
    }
  });
});
