import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { topK, topKIndices } from '../../src/models/top-k.js';

describe('topK', () => {
  it('returns the k best finite scores, best first, skipping excluded and -Infinity', () => {
    const scores = Float32Array.from([0.5, 3, -Infinity, 2, 3, 1, Number.NaN]);
    assert.deepEqual([...topK(scores, 3)], [1, 4, 3]);
    assert.deepEqual([...topK(scores, 3, new Set([1]))], [4, 3, 5]);
    assert.deepEqual([...topK(scores, 10)], [1, 4, 3, 5, 0]);
    const mask = new Uint8Array(7);
    mask[4] = 1;
    assert.deepEqual([...topK(scores, 2, mask)], [1, 3]);
  });

  it('agrees with a full sort on random inputs (ties broken by lower index)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5, max: 5 }), { maxLength: 60 }), fc.integer({ min: 1, max: 20 }), (values, k) => {
        const scores = Float32Array.from(values);
        const expected = values
          .map((v, i) => [v, i] as const)
          .sort((a, b) => b[0] - a[0] || a[1] - b[1])
          .slice(0, k)
          .map(([, i]) => i);
        assert.deepEqual([...topK(scores, k)], expected);
      }),
    );
  });

  it('skips -Infinity and NaN wherever they fall, before or after the heap is full', () => {
    const value = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constant(-Infinity), fc.constant(Number.NaN));
    fc.assert(
      fc.property(fc.array(value, { maxLength: 80 }), fc.integer({ min: 1, max: 30 }), (values, k) => {
        const expected = values
          .map((v, i) => [v, i] as const)
          .filter(([v]) => v !== -Infinity && !Number.isNaN(v))
          .sort((a, b) => b[0] - a[0] || a[1] - b[1])
          .slice(0, k)
          .map(([, i]) => i);
        assert.deepEqual([...topKIndices(Float32Array.from(values), k)], expected);
      }),
    );
  });
});
