import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BlendRecommender,
  logMembersByItem,
  MembersPopularityRecommender,
  TagProfileRecommender,
  tagFeatures,
} from '../../src/eval/protocols/baselines.js';
import { tuneBlendWeight } from '../../src/eval/protocols/blend-tuning.js';
import { selectRandomColdTitles, selectRecentColdTitles } from '../../src/eval/protocols/cold-selection.js';
import { withoutItems } from '../../src/models/training-data.js';
import { buildTable } from '../../src/eval/protocols/protocol-table.js';
import { coldEvalUsers, coldProtocolData, heldOutRows, shortHistoryUsers } from '../../src/eval/protocols/protocol-users.js';
import { likedTargets, rankAmong } from '../../src/eval/protocols/ranking.js';
import { servingCatalogue } from '../../src/eval/protocols/serving-catalogue.js';
import { foldInSize, type SplitEvalUser } from '../../src/eval/split.js';
import { anime } from '../models/content/fixtures.js';
import { csrFromTriples } from './helpers.js';
import { rowItems, world } from './protocols-fixture.js';

const { data, catalogue, members } = world();
const numbers = { source: 'fixture', byId: new Map([...members].map(([id, m]) => [id, { members: m, malScore: 7 }])) };
const serving = servingCatalogue(catalogue, numbers);

describe('cold-title selection', () => {
  it('draws a seeded share of the rated titles, the same for the same seed', () => {
    const a = selectRandomColdTitles(data, 0.25, 42);
    const b = selectRandomColdTitles(data, 0.25, 42);
    const c = selectRandomColdTitles(data, 0.25, 43);
    assert.deepEqual(a.animeIds, b.animeIds);
    assert.notDeepEqual(a.animeIds, c.animeIds);
    assert.equal(a.items.length, Math.round(0.25 * a.titlesWithInteractions));
    assert.ok(a.items.length > 0);
    const counts = new Int32Array(data.nItems);
    for (const item of data.indices) counts[item]!++;
    for (const item of a.items) assert.ok(counts[item]! > 0, `cold title ${item} has no interaction, so it can never be a target`);
    assert.equal(
      a.coldInteractions,
      Array.from(a.items).reduce((s, i) => s + counts[i]!, 0),
    );
    assert.match(a.text, /seed 42/);
  });

  it('takes the rated titles of the latest seasons, and leaves undated titles warm', () => {
    const undated = new Map(serving);
    undated.set(1059, { ...serving.get(1059)!, season: null });
    const recent = selectRecentColdTitles(data, undated, 2);
    assert.deepEqual(recent.seasons, ['2016 fall', '2016 summer']);
    assert.equal(recent.undatedTitles, 1);
    assert.ok(recent.items.length > 0);
    for (const id of recent.animeIds) {
      const a = undated.get(id)!;
      assert.equal(a.year, 2016);
      assert.ok(a.season === 'fall' || a.season === 'summer');
    }
    assert.ok(!recent.animeIds.includes(1059));
    assert.deepEqual(selectRecentColdTitles(data, undated, 2).animeIds, recent.animeIds);
    assert.throws(() => selectRecentColdTitles(data, new Map(), 2), /no rated title has a year and season/);
  });

  it('rejects shares and season counts that cannot work, saying what to pass', () => {
    assert.throws(() => selectRandomColdTitles(data, 1.5, 1), /share must be in \(0, 1\).*e\.g\. 0\.1/);
    assert.throws(() => selectRecentColdTitles(data, serving, 0), /integer ≥ 1/);
  });
});

describe('cold protocol data', () => {
  const rows = heldOutRows(data, { seed: 42, testUsers: 40, validationUsers: 30 });
  const cold = selectRandomColdTitles(data, 0.2, 42);
  const prepared = coldProtocolData(data, rows, cold.mask, 42);

  it('trains on every non-test user with no interaction of a cold title left', () => {
    const { trainData } = prepared;
    assert.equal(trainData.nUsers, data.nUsers - 40);
    assert.deepEqual(trainData.itemIds, data.itemIds, 'cold titles stay in the vocabulary');
    assert.ok(trainData.indices.length > 0);
    for (const item of trainData.indices) assert.equal(cold.mask[item], 0, `cold title ${item} kept an interaction`);
    let warmInNonTest = 0;
    for (const u of rows.nonTest) for (const item of rowItems(data, u)) if (cold.mask[item] === 0) warmInNonTest++;
    assert.equal(trainData.indices.length, warmInNonTest, 'every warm interaction of a non-test user is kept');
  });

  it('folds in warm titles only and keeps every cold title of the user as a target', () => {
    const users = prepared.test.users;
    assert.ok(users.length > 0);
    for (const user of users) {
      const row = rowItems(data, user.user);
      const warm = row.filter((i) => cold.mask[i] === 0);
      for (const item of user.history.items) assert.equal(cold.mask[item], 0);
      assert.equal(user.history.items.length, warm.length >= 2 ? foldInSize(warm.length, 0.8) : warm.length);
      assert.deepEqual(
        [...user.history.items, ...user.targets].sort((a, b) => a - b),
        row,
      );
      for (const item of row.filter((i) => cold.mask[i] === 1)) assert.ok(user.targets.includes(item));
    }
    assert.deepEqual(coldEvalUsers(data, rows.test, cold.mask, 42), prepared.test, 'deterministic for a seed');
  });

  it('gives targets that are only cold titles once liked cold targets are taken', () => {
    let targets = 0;
    for (const user of prepared.test.users) {
      for (const item of likedTargets(user, 7, cold.mask)) {
        assert.equal(cold.mask[item], 1);
        targets++;
      }
    }
    assert.ok(targets > 0);
  });

  it('keeps test and validation users apart and draws test users as anirec eval does', () => {
    const test = new Set(rows.test);
    assert.ok(rows.validation.length > 0);
    for (const u of rows.validation) assert.ok(!test.has(u));
    const again = heldOutRows(data, { seed: 42, testUsers: 40, validationUsers: 0 });
    assert.deepEqual(again.test, rows.test, 'the test users do not depend on how many validation users are drawn');
  });
});

describe('baselines', () => {
  it('members popularity ranks cold titles by member count: NDCG by hand', () => {
    // Items 0, 1 warm; 2–5 cold. Members 300, 50, 400, none for items 2, 3, 4, 5.
    const ids = [1, 2, 3, 4, 5, 6];
    const counts = [500, 100, 300, 50, 400, null];
    const cat = new Map(ids.map((id, i) => [id, anime(id, { members: counts[i] })]));
    const model = new MembersPopularityRecommender(logMembersByItem(Int32Array.from(ids), cat));
    const coldMask = Uint8Array.from([0, 0, 1, 1, 1, 1]);
    const user: SplitEvalUser = {
      user: 0,
      history: { items: Int32Array.of(0, 1), scores: Float32Array.of(8, 6) },
      targets: Int32Array.of(2, 3, 5),
      targetScores: Float32Array.of(5, 8, 9),
    };
    assert.deepEqual(Array.from(rankAmong(model, [user], coldMask, 20)[0]!), [4, 2, 3], 'item 5 has no member count and cannot be ranked');
    const relevant = [likedTargets(user, 7, coldMask)];
    assert.deepEqual(Array.from(relevant[0]!), [3, 5]);
    const blend = { weight: 1, metric: 'ndcg@20', validationUsers: 0, validationRows: [], grid: [] };
    const table = buildTable([{ name: 'members-popularity', recommender: model }], {
      id: 'hand',
      title: 'hand',
      context: {
        protocol: 'cold-items',
        seed: 1,
        split: '',
        shown: '',
        dataHash: '',
        trainDataHash: '',
        trainUsers: 0,
        trainInteractions: 0,
        candidates: '',
        servingNumbers: '',
      },
      k: 20,
      likedThreshold: 7,
      users: [user],
      relevant,
      skippedBecause: '',
      candidates: coldMask,
      references: [],
      blend,
      seed: 1,
    });
    // The liked cold titles are 3 (third) and 5 (unranked): DCG = 1/log2(4), ideal = 1 + 1/log2(3).
    const expected = 1 / Math.log2(4) / (1 + 1 / Math.log2(3));
    assert.ok(Math.abs(table.rows[0]!.metrics['ndcg@20']!.mean - expected) < 1e-12);
    assert.equal(table.rows[0]!.metrics['recall@20']!.mean, 0.5);
  });

  it("the tag profile puts titles sharing the liked titles' tags first, and ignores disliked ones", () => {
    const cat = new Map([
      [1, anime(1, { genres: ['Sports'], studios: ['A'] })],
      [2, anime(2, { genres: ['Horror'], studios: ['B'] })],
      [3, anime(3, { genres: ['Sports'], studios: ['C'] })],
      [4, anime(4, { genres: ['Horror'], studios: ['D'] })],
      [5, anime(5, { genres: [], studios: [] })],
    ]);
    const model = new TagProfileRecommender(tagFeatures(Int32Array.of(1, 2, 3, 4, 5), cat));
    const out = new Float32Array(5);
    model.scoreFoldIn({ items: Int32Array.of(0, 1), scores: Float32Array.of(9, 2) }, out);
    assert.ok(out[2]! > 0, 'a Sports title matches the liked Sports title');
    assert.equal(out[3], 0, 'a Horror title gets nothing from the disliked Horror title');
    assert.equal(out[4], -Infinity, 'a title without tags cannot be ranked');
  });

  it('the blend ranks as members popularity at weight 1 and as the tag profile at weight 0', () => {
    const pop = new MembersPopularityRecommender(logMembersByItem(data.itemIds, serving));
    const tags = new TagProfileRecommender(tagFeatures(data.itemIds, serving));
    const history = { items: Int32Array.from(rowItems(data, 3)), scores: data.scores.slice(data.indptr[3]!, data.indptr[4]!) };
    const user: SplitEvalUser = { user: 3, history, targets: new Int32Array(0), targetScores: new Float32Array(0) };
    const top = (model: { scoreFoldIn: BlendRecommender['scoreFoldIn']; nItems: number; kind: string; save: () => Promise<void> }) =>
      Array.from(rankAmong(model, [user], null, 10)[0]!);
    assert.equal(top(pop).length, 10);
    assert.deepEqual(top(new BlendRecommender(pop, tags, 1)), top(pop));
    assert.deepEqual(top(new BlendRecommender(pop, tags, 0)), top(tags));
  });

  it('members come from the serving-time numbers, not the merged catalogue', () => {
    assert.equal(catalogue.get(1000)!.members, 999_999);
    assert.equal(serving.get(1000)!.members, members.get(1000));
    assert.equal(serving.get(1000)!.genres.length, 2, 'descriptive fields are kept');
    const unknown = servingCatalogue(new Map([[77, anime(77, { members: 5 })]]), numbers);
    assert.equal(unknown.get(77)!.members, null, 'a title the serving catalogue lacks has no member count');
  });
});

describe('blend tuning', () => {
  it('picks the weight with the best validation NDCG from the validation users alone', () => {
    const pop = new MembersPopularityRecommender(logMembersByItem(data.itemIds, serving));
    const blend = new BlendRecommender(pop, new TagProfileRecommender(tagFeatures(data.itemIds, serving)), 0);
    const rows = heldOutRows(data, { seed: 42, testUsers: 40, validationUsers: 40 });
    const cold = selectRandomColdTitles(data, 0.3, 42);
    const validation = coldEvalUsers(data, rows.validation, cold.mask, 42).users;
    const tuning = tuneBlendWeight(blend, validation, {
      relevant: validation.map((u) => likedTargets(u, 7, cold.mask)),
      candidates: cold.mask,
      k: 20,
    });
    assert.equal(tuning.grid.length, 21);
    const best = Math.max(...tuning.grid.map((g) => g.value));
    assert.equal(tuning.grid.find((g) => g.weight === tuning.weight)!.value, best);
    assert.equal(tuning.grid.find((g) => g.value === best)!.weight, tuning.weight, 'ties keep the smaller weight');
    assert.ok(tuning.validationUsers > 0);
    for (const u of tuning.validationRows) assert.ok(!rows.test.includes(u), `test user ${u} reached the tuning`);
    assert.throws(
      () => tuneBlendWeight(blend, validation, { relevant: validation.map(() => new Int32Array(0)), candidates: cold.mask, k: 20 }),
      /no validation user has a relevant item/,
    );
  });
});

describe('short history', () => {
  it('folds in exactly n seeded titles, nested across lengths, the rest as targets', () => {
    const rows = Int32Array.from({ length: data.nUsers }, (_, u) => u);
    const byLength = [3, 5, 10].map((n) => shortHistoryUsers(data, rows, n, 11, 42));
    assert.ok(byLength[0]!.length > 0);
    for (const [index, n] of [3, 5, 10].entries()) {
      const users = byLength[index]!;
      assert.deepEqual(
        users.map((u) => u.user),
        byLength[0]!.map((u) => u.user),
        'the same users at every length',
      );
      for (const user of users) {
        assert.equal(user.history.items.length, n);
        assert.deepEqual(
          [...user.history.items, ...user.targets].sort((a, b) => a - b),
          rowItems(data, user.user),
        );
      }
    }
    for (let u = 0; u < byLength[0]!.length; u++) {
      const three = Array.from(byLength[0]![u]!.history.items);
      const ten = Array.from(byLength[2]![u]!.history.items);
      for (const item of three) assert.ok(ten.includes(item), 'the 3 titles shown are among the 10');
    }
    assert.deepEqual(shortHistoryUsers(data, rows, 5, 11, 42), byLength[1], 'deterministic for a seed');
    for (let u = 0; u < data.nUsers; u++) {
      if (data.indptr[u + 1]! - data.indptr[u]! < 11) assert.ok(!byLength[0]!.some((x) => x.user === u), `user ${u} has too few entries`);
    }
  });

  it('rejects a length that leaves nothing to find', () => {
    assert.throws(() => shortHistoryUsers(data, Int32Array.of(0), 10, 10, 1), /more than 10 entries/);
  });
});

describe('withoutItems', () => {
  it('drops exactly the masked columns', () => {
    const d = csrFromTriples(2, 4, [
      [0, 0, 5],
      [0, 2, 7],
      [1, 1, 9],
      [1, 2, 0],
      [1, 3, 8],
    ]);
    const out = withoutItems(d, Uint8Array.of(0, 0, 1, 0));
    assert.deepEqual(Array.from(out.indptr), [0, 1, 3]);
    assert.deepEqual(Array.from(out.indices), [0, 1, 3]);
    assert.deepEqual(Array.from(out.scores), [5, 9, 8]);
  });
});
