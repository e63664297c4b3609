import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate, type EvalModel } from '../../src/eval/evaluate.js';
import type { EvalUser } from '../../src/eval/split.js';
import { pairedTTest } from '../../src/eval/significance.js';
import type { History } from '../../src/models/types.js';
import { csrFromTriples, FixedScoreRecommender } from './helpers.js';

const close = (actual: number, expected: number, eps = 1e-9): void =>
  assert.ok(Math.abs(actual - expected) < eps, `expected ${expected}, got ${actual}`);
const L2 = 1 / Math.log2(3);
const L4 = 1 / Math.log2(5);

// 4 training users over 6 items; item 0 is listed by everyone.
const train = csrFromTriples(4, 6, [
  [0, 0, 8],
  [1, 0, 7],
  [2, 0, 9],
  [3, 0, 0],
  [0, 1, 6],
  [1, 1, 8],
  [2, 2, 5],
  [3, 4, 7],
]);

const users: EvalUser[] = [
  // Ranking without history items 0 and 2: [1, 3, 4, 5].
  {
    history: { items: Int32Array.of(0, 2), scores: Float32Array.of(9, 6) },
    targets: Int32Array.of(1, 3, 5),
    targetScores: Float32Array.of(8, 0, 9),
  },
  // Nothing liked: skipped under 'liked', evaluated under 'listed'. Ranking: [0, 2, 3, 4].
  { history: { items: Int32Array.of(1), scores: Float32Array.of(4) }, targets: Int32Array.of(4), targetScores: Float32Array.of(0) },
];

const descending = (): FixedScoreRecommender => new FixedScoreRecommender(Float32Array.of(6, 5, 4, 3, 2, 1));

describe('evaluate', () => {
  const model = descending();
  const result = evaluate([{ name: 'desc', recommender: model }], users, { trainData: train, ks: [2, 4], relevance: ['liked', 'listed'] });
  const liked = result.sections.find((s) => s.relevance === 'liked')!;
  const listed = result.sections.find((s) => s.relevance === 'listed')!;

  it('excludes history items and scores every user once', () => {
    assert.equal(model.seen.length, 2);
    // User 0 under 'listed': top-2 [1, 3] are both targets, although items 0 and 2 score higher.
    close(listed.models[0]!.metrics['ndcg@2']!.perUser[0]!, 1);
    close(listed.models[0]!.metrics['precision@2']!.perUser[0]!, 1);
    // Top-4 [1, 3, 4, 5]: hits at ranks 1, 2, 4 of 3 relevant.
    close(listed.models[0]!.metrics['ndcg@4']!.perUser[0]!, (1 + L2 + L4) / (1 + L2 + 0.5));
    close(listed.models[0]!.metrics['recall@4']!.perUser[0]!, 1);
    close(listed.models[0]!.metrics['precision@4']!.perUser[0]!, 3 / 4);
  });

  it('applies the liked threshold and counts skipped users', () => {
    assert.deepEqual(Array.from(liked.users), [0]);
    assert.equal(liked.skippedUsers, 1);
    assert.deepEqual(Array.from(listed.users), [0, 1]);
    assert.equal(listed.skippedUsers, 0);
    // Liked targets of user 0: {1, 5}; top-2 [1, 3] finds one.
    close(liked.models[0]!.metrics['ndcg@2']!.mean, 1 / (1 + L2));
    close(liked.models[0]!.metrics['recall@2']!.mean, 1 / 2);
    // User 1 under 'listed': its target 4 is 4th in [0, 2, 3, 4].
    close(listed.models[0]!.metrics['ndcg@2']!.perUser[1]!, 0);
    close(listed.models[0]!.metrics['ndcg@4']!.perUser[1]!, L4);
    close(listed.models[0]!.metrics['hit@4']!.mean, 1);
  });

  it('reports coverage, novelty and CI fields', () => {
    const m = listed.models[0]!.metrics;
    // Top-2 lists: [1, 3] and [0, 2].
    close(m['coverage@2']!.mean, 4 / 6);
    assert.equal(m['coverage@2']!.perUser.length, 0);
    // Self-information with 4 training users: item 0 → 0, 1 → 1, 2 → 2, 3 (cold) → 2.
    close(m['novelty@2']!.perUser[0]!, (1 + 2) / 2);
    close(m['novelty@2']!.perUser[1]!, (0 + 2) / 2);
    assert.ok(m['ndcg@4']!.low <= m['ndcg@4']!.mean && m['ndcg@4']!.mean <= m['ndcg@4']!.high);
    assert.equal(m['ndcg@4']!.n, 2);
    assert.deepEqual(result.metricNames.slice(0, 2), ['ndcg@2', 'ndcg@4']);
    assert.ok(Date.parse(result.finishedAt) >= Date.parse(result.startedAt));
  });

  it('never ranks -Infinity items, so lists can be shorter than k', () => {
    const scores = Float32Array.of(6, 5, 4, 3, -Infinity, 1);
    const r = evaluate([{ name: 'masked', recommender: new FixedScoreRecommender(scores) }], users.slice(0, 1), {
      trainData: train,
      ks: [4],
      relevance: 'listed',
    });
    const m = r.sections[0]!.models[0]!.metrics;
    // Ranking [1, 3, 5]: all three targets, one slot empty.
    close(m['ndcg@4']!.mean, 1);
    close(m['precision@4']!.mean, 3 / 4);
  });

  it('does not rank items a model leaves unwritten', () => {
    const lazy = {
      kind: 'lazy',
      nItems: 6,
      scoreFoldIn(_history: History, out: Float32Array) {
        out[5] = 1;
      },
      async save() {},
    };
    const r = evaluate([{ name: 'lazy', recommender: lazy }], users, { trainData: train, ks: [2], relevance: 'listed' });
    close(r.sections[0]!.models[0]!.metrics['coverage@2']!.mean, 1 / 6);
  });

  it('computes per-user MAE/RMSE on scored targets only', () => {
    const withPrediction: EvalModel = {
      name: 'seven',
      recommender: descending(),
      predictScore: (_h, items) => new Float32Array(items.length).fill(7),
    };
    const r = evaluate([withPrediction, { name: 'plain', recommender: descending() }], users, { trainData: train, ks: [2] });
    assert.equal(r.rating.length, 1);
    const rating = r.rating[0]!;
    assert.deepEqual(Array.from(rating.users), [0]);
    assert.equal(rating.predictions, 2);
    close(rating.mae.mean, 1.5);
    close(rating.rmse.mean, Math.sqrt(2.5));
  });

  it('aligns per-user arrays across models for paired tests', () => {
    const ascending = new FixedScoreRecommender(Float32Array.of(1, 2, 3, 4, 5, 6));
    const r = evaluate(
      [
        { name: 'desc', recommender: descending() },
        { name: 'asc', recommender: ascending },
      ],
      users,
      { trainData: train, ks: [2], relevance: 'listed', ci: { method: 'normal' } },
    );
    const [a, b] = r.sections[0]!.models;
    assert.equal(a!.metrics['ndcg@2']!.perUser.length, b!.metrics['ndcg@2']!.perUser.length);
    const test = pairedTTest(a!.metrics['ndcg@2']!.perUser, b!.metrics['ndcg@2']!.perUser);
    assert.equal(test.n, 2);
    assert.equal(r.models.map((m) => m.name).join(','), 'desc,asc');
  });

  it('rejects models in another item space and bad ks', () => {
    const wrong = new FixedScoreRecommender(new Float32Array(5));
    assert.throws(() => evaluate([{ name: 'w', recommender: wrong }], users, { trainData: train }), /5 items/);
    assert.throws(() => evaluate([{ name: 'd', recommender: descending() }], users, { trainData: train, ks: [0] }), /ks/);
  });
});
