import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sortFloat32 } from '../../../src/models/ranker/binning.js';
import { createRng } from '../../../src/models/random.js';

describe('ranker binning', () => {
  it('sorts float32 values exactly as Float32Array.prototype.sort does, signed zeros and infinities included', () => {
    const rng = createRng(4);
    const values = Float32Array.from({ length: 5000 }, (_, i) => (i % 7 === 0 ? 0 : (rng() - 0.5) * 10 ** Math.floor(rng() * 60 - 30)));
    values.set([-0, 0, -0, Infinity, -Infinity, 3.4e38, -3.4e38, 1e-45, -1e-45], 100);
    const expected = values.slice().sort();
    const sorted = sortFloat32(values.slice());
    assert.equal(sorted.length, expected.length);
    for (let i = 0; i < expected.length; i++) assert.ok(Object.is(sorted[i], expected[i]), `position ${i}: ${sorted[i]} vs ${expected[i]}`);
    assert.ok(Object.is(sortFloat32(Float32Array.of(0, -0, 1, -1))[1], -0));
  });
});
