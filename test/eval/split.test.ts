import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dataHash, foldInSize, splitUsers } from '../../src/eval/split.js';
import { csrFromTriples, syntheticData } from './helpers.js';

const data = syntheticData(200, 60, 30, 3);

function row(u: number): [number, number][] {
  const out: [number, number][] = [];
  for (let p = data.indptr[u]!; p < data.indptr[u + 1]!; p++) out.push([data.indices[p]!, data.scores[p]!]);
  return out;
}

describe('splitUsers', () => {
  const split = splitUsers(data, { seed: 42, validationUsers: 20, testUsers: 0.15 });

  it('is deterministic for a seed and changes with it', () => {
    assert.deepEqual(splitUsers(data, { seed: 42, validationUsers: 20, testUsers: 0.15 }), split);
    const other = splitUsers(data, { seed: 43, validationUsers: 20, testUsers: 0.15 });
    assert.notDeepEqual(
      other.test.map((u) => u.user),
      split.test.map((u) => u.user),
    );
  });

  it('resolves counts and fractions and keeps the vocabulary', () => {
    assert.equal(split.validation.length, 20);
    assert.equal(split.test.length, 30);
    assert.equal(split.trainData.nUsers, 150);
    assert.equal(split.trainData.nItems, data.nItems);
    assert.deepEqual(split.trainData.itemIds, data.itemIds);
    assert.equal(split.description.trainUsers, 150);
    assert.equal(split.description.dataHash, dataHash(data));
    assert.match(split.description.text, /150 train \/ 20 validation \/ 30 test/);
  });

  it('keeps train, validation and test users disjoint and training rows intact', () => {
    const val = new Set(split.validation.map((u) => u.user));
    const test = new Set(split.test.map((u) => u.user));
    const train = new Set(split.trainUsers);
    assert.equal(val.size + test.size + train.size, data.nUsers);
    for (const u of test) assert.ok(!val.has(u) && !train.has(u), `test user ${u} leaked`);
    for (const u of val) assert.ok(!train.has(u), `validation user ${u} leaked`);
    const t = split.trainData;
    split.trainUsers.forEach((u, r) => {
      const got: [number, number][] = [];
      for (let p = t.indptr[r]!; p < t.indptr[r + 1]!; p++) got.push([t.indices[p]!, t.scores[p]!]);
      assert.deepEqual(got, row(u));
    });
    assert.equal(split.description.interactions.train, t.indices.length);
  });

  it('splits each held-out list 80/20 into disjoint history and targets that rebuild the list', () => {
    for (const e of [...split.validation, ...split.test]) {
      const original = row(e.user);
      assert.ok(original.length >= 5, 'held-out users need ≥ 5 entries');
      assert.equal(e.history.items.length, Math.ceil(original.length * 0.8 - 1e-9));
      assert.equal(e.targets.length, original.length - e.history.items.length);
      const history = new Set(e.history.items);
      for (const item of e.targets) assert.ok(!history.has(item), 'history ∩ targets must be empty');
      const merged = [
        ...Array.from(e.history.items, (item, i): [number, number] => [item, e.history.scores[i]!]),
        ...Array.from(e.targets, (item, i): [number, number] => [item, e.targetScores[i]!]),
      ].sort((a, b) => a[0] - b[0]);
      assert.deepEqual(merged, original);
      for (let i = 1; i < e.targets.length; i++) assert.ok(e.targets[i]! > e.targets[i - 1]!);
    }
  });

  it('holds out the same test users whatever the number of validation users, so a search never sees them', () => {
    const evalSplit = splitUsers(data, { seed: 42, validationUsers: 0, testUsers: 30 });
    const searchSplit = splitUsers(data, { seed: 42, validationUsers: 40, testUsers: 30 });
    assert.deepEqual(
      searchSplit.test.map((u) => u.user),
      evalSplit.test.map((u) => u.user),
    );
    const testUsers = new Set(evalSplit.test.map((u) => u.user));
    assert.ok(searchSplit.validation.every((u) => !testUsers.has(u.user)));
  });

  it('gives a user the same fold-in split whatever else was held out', () => {
    const bigger = splitUsers(data, { seed: 42, validationUsers: 40, testUsers: 0.15 });
    const byUser = new Map([...bigger.validation, ...bigger.test].map((e) => [e.user, e]));
    let compared = 0;
    for (const e of split.test) {
      const again = byUser.get(e.user);
      if (again === undefined) continue;
      assert.deepEqual(again.history, e.history);
      compared++;
    }
    assert.ok(compared > 0);
  });

  it('sizes the fold-in like Liang et al. (at most ⌊0.2·n⌋ held out, ≥ 1 on each side)', () => {
    assert.deepEqual(
      [2, 5, 7, 8, 10, 11].map((n) => foldInSize(n, 0.8)),
      [1, 4, 6, 7, 8, 9],
    );
  });

  it('rejects impossible requests', () => {
    assert.throws(() => splitUsers(data, { seed: 1, validationUsers: 150, testUsers: 150 }), /only \d+ users/);
    assert.throws(() => splitUsers(data, { seed: 1, validationUsers: 2.5, testUsers: 1 }), /integer count/);
    assert.throws(() => splitUsers(data, { seed: 1, validationUsers: 1, testUsers: 1, foldInFraction: 1 }), /foldInFraction/);
  });

  it('never holds out users below minItemsPerEvalUser', () => {
    const tiny = csrFromTriples(3, 10, [
      [0, 1, 5],
      [0, 2, 5],
      [1, 1, 8],
      [1, 2, 0],
      [1, 3, 9],
      [2, 4, 7],
    ]);
    const s = splitUsers(tiny, { seed: 0, validationUsers: 0, testUsers: 1, minItemsPerEvalUser: 3 });
    assert.deepEqual(
      s.test.map((e) => e.user),
      [1],
    );
    assert.deepEqual(Array.from(s.trainUsers), [0, 2]);
  });
});

describe('dataHash', () => {
  it('is short, stable, and sensitive to any change', () => {
    const h = dataHash(data);
    assert.match(h, /^[0-9a-f]{16}$/);
    assert.equal(dataHash(syntheticData(200, 60, 30, 3)), h);
    const changed = { ...data, scores: data.scores.slice() };
    changed.scores[0] = changed.scores[0]! + 1;
    assert.notEqual(dataHash(changed), h);
  });
});
