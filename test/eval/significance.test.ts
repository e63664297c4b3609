import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng } from '../../src/models/random.js';
import { pairedBootstrapTest, pairedTTest } from '../../src/eval/significance.js';
import { meanWithCi, studentTQuantile, studentTTwoSided } from '../../src/eval/stats.js';

const close = (actual: number, expected: number, eps: number): void =>
  assert.ok(Math.abs(actual - expected) < eps, `expected ${expected}, got ${actual}`);

function noise(n: number, seed: number): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: n }, () => rng());
}

describe('t distribution', () => {
  it('matches reference values', () => {
    close(studentTTwoSided(2.228138851986274, 10), 0.05, 1e-9);
    close(studentTQuantile(0.975, 10), 2.228138851986274, 1e-8);
    // df = 1 is the Cauchy distribution: P(|T| ≥ t) = 1 − (2/π)·atan(t).
    close(studentTTwoSided(3, 1), 1 - (2 / Math.PI) * Math.atan(3), 1e-12);
    close(studentTTwoSided(0, 7), 1, 1e-12);
  });
});

describe('pairedTTest', () => {
  it('matches scipy.stats.ttest_rel', () => {
    const r = pairedTTest([1, 2, 3, 4, 5], [0, 0, 0, 0, 0]);
    close(r.statistic, 4.242640687119285, 1e-9);
    close(r.pValue, 0.01323559956368269, 1e-9);
    close(r.meanDifference, 3, 1e-12);
    // 3 ± t(0.975, 4) · √2.5/√5
    close(r.low, 3 - 2.7764451051977987 * Math.sqrt(0.5), 1e-7);
    const s = pairedTTest([0.3, 0.5, 0.1, 0.9, 0.4, 0.7], [0.2, 0.6, 0.0, 0.5, 0.45, 0.4]);
    close(s.statistic, 1.5758945740782508, 1e-9);
    close(s.pValue, 0.17587144074585892, 1e-9);
  });

  it('identical arrays give p = 1, a constant shift gives p = 0', () => {
    const a = noise(50, 1);
    const same = pairedTTest(a, a);
    assert.equal(same.pValue, 1);
    assert.equal(same.meanDifference, 0);
    const shifted = pairedTTest(
      a.map((v) => v + 0.25),
      a,
    );
    assert.equal(shifted.pValue, 0);
    close(shifted.low, 0.25, 1e-12);
  });

  it('detects a clear shift under noise and drops NaN pairs', () => {
    const b = noise(200, 2);
    const a = b.map((v, i) => v + 0.2 + 0.3 * (noise(200, 3)[i]! - 0.5));
    const r = pairedTTest(a, b);
    assert.ok(r.pValue < 1e-6, `p = ${r.pValue}`);
    assert.ok(r.low > 0 && r.high > r.low);
    const withNaN = pairedTTest([1, NaN, 3, 4], [0, 1, 1, NaN]);
    assert.equal(withNaN.n, 2);
    assert.throws(() => pairedTTest([1, 2], [1]), /length/);
  });
});

describe('pairedBootstrapTest', () => {
  it('identical arrays give p = 1', () => {
    const a = noise(80, 4);
    const r = pairedBootstrapTest(a, a, { samples: 2000, seed: 1 });
    assert.equal(r.pValue, 1);
    assert.equal(r.low, 0);
    assert.equal(r.high, 0);
  });

  it('a clear shift gives the smallest possible p and a CI around the shift', () => {
    const b = noise(200, 5);
    const a = b.map((v, i) => v + 0.2 + 0.3 * (noise(200, 6)[i]! - 0.5));
    const r = pairedBootstrapTest(a, b, { samples: 2000, seed: 1 });
    assert.equal(r.pValue, 1 / 2001);
    assert.ok(r.low < r.meanDifference && r.meanDifference < r.high);
    assert.ok(r.low > 0.15 && r.high < 0.25, `CI ${r.low}..${r.high}`);
  });

  it('differences symmetric around zero give a large p, reproducibly for a seed', () => {
    const a = noise(150, 7);
    const e = noise(75, 8);
    // d = (+e, −e): the mean difference is exactly zero, so H0 is true by construction.
    const b = a.map((v, i) => v + (i < 75 ? e[i]! : -e[i - 75]!));
    const r = pairedBootstrapTest(a, b, { samples: 2000, seed: 3 });
    assert.ok(r.pValue > 0.9, `p = ${r.pValue}`);
    assert.ok(r.low < 0 && r.high > 0);
    assert.deepEqual(pairedBootstrapTest(a, b, { samples: 2000, seed: 3 }), r);
    assert.ok(pairedTTest(a, b).pValue > 0.9);
  });
});

describe('meanWithCi', () => {
  it('normal interval is mean ± t·SE; bootstrap interval brackets the mean', () => {
    const values = [1, 2, 3, 4, 5];
    const normal = meanWithCi(values, { method: 'normal' });
    close(normal.mean, 3, 1e-12);
    close(normal.high - normal.mean, 2.7764451051977987 * Math.sqrt(2.5 / 5), 1e-7);
    const boot = meanWithCi(noise(300, 9), { seed: 2 });
    assert.ok(boot.low < boot.mean && boot.mean < boot.high);
    assert.deepEqual(meanWithCi(noise(300, 9), { seed: 2 }), boot);
    assert.equal(meanWithCi([NaN, 2, NaN, 4]).n, 2);
  });
});
