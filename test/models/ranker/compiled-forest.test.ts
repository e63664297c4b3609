import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CompiledForest } from '../../../src/models/ranker/compiled-forest.js';
import { addTreeOutput } from '../../../src/models/ranker/model.js';
import type { TreeArrays } from '../../../src/models/ranker/tree-grower.js';

const N_FEATURES = 4;
const threshold = fc.oneof(fc.float({ min: -3, max: 3, noNaN: true }), fc.constant(Infinity), fc.constant(-Infinity));
const featureValue = fc.oneof(
  { weight: 6, arbitrary: fc.float({ min: -3, max: 3, noNaN: true }) },
  { weight: 2, arbitrary: fc.constant(Number.NaN) },
  { weight: 1, arbitrary: fc.constantFrom(Infinity, -Infinity) },
);

/** A random tree in the grower's layout: nodes numbered as grown, children after parents. */
const tree = fc
  .array(
    fc.record({
      feature: fc.integer({ min: 0, max: N_FEATURES - 1 }),
      threshold,
      defaultLeft: fc.boolean(),
      leftValue: fc.double({ noNaN: true, min: -1, max: 1 }),
      rightValue: fc.double({ noNaN: true, min: -1, max: 1 }),
      splitLeaf: fc.nat(),
    }),
    { minLength: 0, maxLength: 12 },
  )
  .map((splits): TreeArrays => {
    const feature = [-1];
    const thresholds = [0];
    const defaultLeft = [0];
    const left = [-1];
    const right = [-1];
    const value = [0.5];
    const leaves = [0];
    for (const split of splits) {
      // Split one of the current leaves (chosen by splitLeaf), as best-first growth does.
      const at = leaves.splice(split.splitLeaf % leaves.length, 1)[0]!;
      const l = feature.length;
      const r = l + 1;
      feature[at] = split.feature;
      thresholds[at] = split.threshold;
      defaultLeft[at] = split.defaultLeft ? 1 : 0;
      left[at] = l;
      right[at] = r;
      value[at] = 0;
      feature.push(-1, -1);
      thresholds.push(0, 0);
      defaultLeft.push(0, 0);
      left.push(-1, -1);
      right.push(-1, -1);
      value.push(split.leftValue, split.rightValue);
      leaves.push(l, r);
    }
    return {
      feature: Int32Array.from(feature),
      threshold: Float32Array.from(thresholds),
      defaultLeft: Uint8Array.from(defaultLeft),
      left: Int32Array.from(left),
      right: Int32Array.from(right),
      value: Float64Array.from(value),
      gain: new Float64Array(feature.length),
    };
  });

describe('CompiledForest', () => {
  it('scores every row bit-for-bit as walking the grown trees does (NaN defaults, ±Infinity thresholds and values)', () => {
    fc.assert(
      fc.property(
        fc.array(tree, { minLength: 1, maxLength: 6 }),
        fc.array(featureValue, { minLength: N_FEATURES, maxLength: N_FEATURES * 20 }),
        (trees, values) => {
          const nRows = Math.floor(values.length / N_FEATURES);
          const features = Float32Array.from(values.slice(0, nRows * N_FEATURES));
          const expected = new Float64Array(nRows).fill(0.25);
          for (const t of trees) addTreeOutput(t, features, N_FEATURES, nRows, expected);
          const actual = new Float64Array(nRows).fill(0.25);
          CompiledForest.compile(trees, N_FEATURES).addTo(features, nRows, actual);
          assert.deepEqual([...actual], [...expected]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reuses its scratch rows across calls of different sizes', () => {
    const single: TreeArrays = {
      feature: Int32Array.from([1, -1, -1]),
      threshold: Float32Array.from([0, 0, 0]),
      defaultLeft: Uint8Array.from([1, 0, 0]),
      left: Int32Array.from([1, -1, -1]),
      right: Int32Array.from([2, -1, -1]),
      value: Float64Array.from([0, -1, 1]),
      gain: new Float64Array(3),
    };
    const forest = CompiledForest.compile([single], N_FEATURES);
    const big = Float32Array.from({ length: 8 * N_FEATURES }, (_, i) => (i % N_FEATURES === 1 ? (i % 3) - 1 : 0));
    const out = new Float64Array(8);
    forest.addTo(big, 8, out);
    const small = Float32Array.from([0, Number.NaN, 0, 0, 0, 5, 0, 0]);
    const two = new Float64Array(2);
    forest.addTo(small, 2, two);
    // NaN follows the split's default (left, -1); 5 > 0 goes right (+1).
    assert.deepEqual([...two], [-1, 1]);
  });
});
