import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FranchiseLookup } from '../../src/data/franchises/cards.js';
import { franchiseDiscoveries, renderFranchiseTable, summarizeFranchiseDiscoveries } from '../../src/eval/franchise-discoveries.js';
import type { EvalUser } from '../../src/eval/split.js';
import type { History, Recommender } from '../../src/models/types.js';

/** Scores fixed per item: item i scores 100 - i, so the ranking is 0, 1, 2, ... minus the history. */
const fixed: Recommender = {
  name: 'fixed',
  nItems: 40,
  scoreFoldIn(_history: History, out: Float32Array) {
    for (let i = 0; i < out.length; i++) out[i] = 100 - i;
  },
} as unknown as Recommender;

// Items 0-4 are one franchise (0 its way in), 5-9 another (5 the way in), the rest alone; item 12 is a special.
const lookup: FranchiseLookup = {
  franchiseOf: Int32Array.from({ length: 40 }, (_, i) => (i < 5 ? 0 : i < 10 ? 5 : i)),
  wayIn: Uint8Array.from({ length: 40 }, (_, i) => (i < 10 ? (i === 0 || i === 5 ? 1 : 0) : 1)),
  minor: Uint8Array.from({ length: 40 }, (_, i) => (i === 12 ? 1 : 0)),
};

function user(history: number[], targets: number[]): EvalUser {
  return {
    user: 1,
    history: { items: Int32Array.from(history), values: Float32Array.from(history, () => 1) },
    targets: Int32Array.from(targets),
    targetScores: Float32Array.from(targets, () => 9),
  } as unknown as EvalUser;
}

describe('franchise discoveries', () => {
  it('grouped lists skip the history franchise, later entries and specials; discoveries are targets outside the history franchises', () => {
    // History: item 1 (franchise 0). Targets: 2 (same franchise: not a discovery), 11 and 13 (discoveries).
    const result = franchiseDiscoveries(fixed, [user([1], [2, 11, 13])], lookup, { k: 5 });
    assert.equal(result.users, 1);
    // all: 0 2 3 4 5 → own franchise 4 of 5; group: 5 10 11 13 14 → none (12 is a special, 6-9 later entries).
    assert.equal(result.all.ownFranchiseTop10[0], 4 / 5);
    assert.equal(result.group.ownFranchiseTop10[0], 0);
    assert.equal(result.all.discoveriesNdcg[0], 0);
    assert.ok(result.group.discoveriesNdcg[0]! > 0.5);
    // Every liked target: "all" finds item 2, "group" finds 11 and 13.
    assert.ok(result.all.likedNdcg[0]! > 0 && result.group.likedNdcg[0]! > result.all.likedNdcg[0]!);
  });

  it('skips users without a discovery target', () => {
    const result = franchiseDiscoveries(fixed, [user([1], [2, 3])], lookup, { k: 5 });
    assert.equal(result.users, 0);
    assert.equal(result.skipped, 1);
  });

  it('summarises all against group with a paired interval, and renders one row per model', () => {
    const users = [user([1], [2, 11, 13]), user([6], [7, 20]), user([1], [2, 3])];
    const row = summarizeFranchiseDiscoveries('fixed', franchiseDiscoveries(fixed, users, lookup, { k: 5 }), 5, 42);
    assert.equal(row.users, 2);
    assert.equal(row.skipped, 1);
    assert.ok(row.discoveriesNdcg.group > row.discoveriesNdcg.all);
    assert.ok(Math.abs(row.discoveriesNdcg.diff - (row.discoveriesNdcg.group - row.discoveriesNdcg.all)) < 1e-12);
    assert.ok(row.discoveriesNdcg.low <= row.discoveriesNdcg.diff && row.discoveriesNdcg.diff <= row.discoveriesNdcg.high);
    assert.equal(row.ownFranchiseTop10.group, 0);
    const text = renderFranchiseTable([row, { ...row, model: 'other' }]);
    const lines = text.trimEnd().split('\n');
    assert.match(lines.at(-2)!, /^fixed\s+2\s/);
    assert.match(lines.at(-1)!, /^other\s+2\s/);
    assert.match(text, /disc ndcg@5 all/);
    assert.equal(renderFranchiseTable([]), '');
  });
});
