import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { invertSpdInPlace, SpdWorkspace, spdWorkspaceBytes } from '../../src/models/dense-inverse.js';
import { createRng } from '../../src/models/random.js';
import { referenceInverse } from './reference-inverse.js';

function randomSpd(n: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const x = Float64Array.from({ length: n * n }, () => rng() - 0.5);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += x[i * n + k]! * x[j * n + k]!;
      a[i * n + j] = s + (i === j ? 0.5 : 0);
    }
  }
  return a;
}

/** Max |A·A⁻¹ − I| and the largest asymmetry of A⁻¹. */
function errors(a: Float64Array, inverse: Float64Array, n: number): { identity: number; asymmetry: number } {
  let identity = 0;
  let asymmetry = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += a[i * n + k]! * inverse[k * n + j]!;
      identity = Math.max(identity, Math.abs(s - (i === j ? 1 : 0)));
      asymmetry = Math.max(asymmetry, Math.abs(inverse[i * n + j]! - inverse[j * n + i]!));
    }
  }
  return { identity, asymmetry };
}

describe('invertSpdInPlace (WebAssembly SIMD blocked sweep)', () => {
  it('is what spd-update.wat assembles to (npm run build:wasm)', () => {
    const result = spawnSync(process.execPath, ['scripts/build-wasm.mjs', '--check'], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
  });

  // n = 1, sizes that are not multiples of 4 (padding) or of the block, blocks larger than n,
  // blocks that are not multiples of 4 (rounded up), and several pivot blocks.
  for (const [n, block] of [
    [1, 64],
    [2, 4],
    [3, 64],
    [9, 4],
    [37, 8],
    [40, 32],
    [12, 1],
    [6, 64],
    [101, 16],
    [130, 64],
  ] as const) {
    it(`inverts a random ${n}×${n} SPD matrix with blocks of ${block}`, () => {
      const a = randomSpd(n, n * 31 + block);
      const inverse = invertSpdInPlace(a.slice(), n, undefined, block);
      const { identity, asymmetry } = errors(a, inverse, n);
      assert.ok(identity < 1e-10, `max |A·A⁻¹ − I| = ${identity}`);
      assert.equal(asymmetry, 0);
      const reference = referenceInverse(a, n);
      let diff = 0;
      let scale = 0;
      for (let i = 0; i < n * n; i++) {
        diff = Math.max(diff, Math.abs(inverse[i]! - reference[i]!));
        scale = Math.max(scale, Math.abs(reference[i]!));
      }
      assert.ok(diff <= 1e-11 * scale, `differs from the reference inverse by ${diff} (scale ${scale})`);
    });
  }

  it('reads only the upper triangle', () => {
    const n = 23;
    const a = randomSpd(n, 5);
    const upperOnly = a.slice();
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) upperOnly[i * n + j] = Number.NaN;
    const inverse = invertSpdInPlace(upperOnly, n, undefined, 8);
    assert.ok(errors(a, inverse, n).identity < 1e-10);
  });

  it('gives the same inverse on one thread and on several (rows split between workers)', () => {
    const n = 803; // above the size where worker threads start; not a multiple of 4 or of the block
    const rng = createRng(11);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) a[i * n + j] = a[j * n + i] = rng() * 0.1;
      a[i * n + i]! += n * 0.1;
    }
    const one = invertSpdInPlace(a.slice(), n, undefined, 64, 1);
    const three = invertSpdInPlace(a.slice(), n, undefined, 64, 3);
    // Each entry's arithmetic is the same whichever thread does it.
    assert.deepEqual(three, one);
    const { identity } = errors(a, one, n);
    assert.ok(identity < 1e-12, `max |A·A⁻¹ − I| = ${identity}`);
  });

  it('reports progress up to n', () => {
    const seen: number[] = [];
    invertSpdInPlace(randomSpd(30, 2), 30, (k) => seen.push(k), 8);
    assert.deepEqual(seen, [8, 16, 24, 30]);
  });

  it('refuses a matrix that is not positive definite, naming the pivot', () => {
    assert.throws(() => invertSpdInPlace(Float64Array.from([1, 2, 2, 1]), 2), /not positive definite \(pivot -3 at 1\)/);
    // Indefinite only in a later pivot block.
    const n = 12;
    const a = randomSpd(n, 3);
    a[9 * n + 9] = -50;
    assert.throws(() => invertSpdInPlace(a, n, undefined, 4), /not positive definite \(pivot -?[\d.e+-]+ at 9\)/);
    assert.throws(() => invertSpdInPlace(Float64Array.from([0]), 1), /not positive definite/);
  });

  it('refuses a size beyond WebAssembly memory with the bytes it would need', () => {
    const n = 30_000;
    assert.ok(spdWorkspaceBytes(n) > 4 * 1024 ** 3);
    assert.throws(() => new SpdWorkspace(n), new RegExp(`${n}×${n} matrix needs ${spdWorkspaceBytes(n)} bytes`));
  });
});
