/** The contract's metadata, prediction monitoring and precomputed rankings (see contract.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MonitoringDay, PredictionRecord } from '../../src/store/index.js';
import { withFresh, type OpenFreshStore } from './contract-helpers.js';

function prediction(userId: number, animeId: number, updatedAt: number, extra: Partial<PredictionRecord> = {}): PredictionRecord {
  return {
    userId,
    animeId,
    updatedAt,
    day: '2024-05-01',
    modelVersion: 'v1',
    actualScore: 8,
    predictedScore: 7,
    rank: 3,
    candidates: 100,
    hit: true,
    ...extra,
  };
}

function day(extra: Partial<MonitoringDay>): MonitoringDay {
  return {
    day: '2024-05-01',
    modelVersion: 'v1',
    count: 2,
    scored: 2,
    mae: 1,
    rmse: 1.2,
    hitRate: 0.5,
    meanRank: 4,
    drift: false,
    driftReason: null,
    computedAt: '2024-05-02T00:00:00.000Z',
    ...extra,
  };
}

export function describeOpsContract(openFresh: OpenFreshStore): void {
  describe('metadata', () => {
    it('stores small values by key and replaces them', () =>
      withFresh(openFresh, async (store) => {
        assert.equal(await store.getMeta('ops.ingest.titles_cursor'), null);
        await store.setMeta('ops.ingest.titles_cursor', '1714000000000');
        await store.setMeta('ops.ingest.titles_cursor', '1715000000000');
        assert.equal(await store.getMeta('ops.ingest.titles_cursor'), '1715000000000');
      }));
  });

  describe('monitoring', () => {
    it('finds scored entries newer than a time that have no prediction for their updatedAt yet', () =>
      withFresh(openFresh, async (store) => {
        const user = await store.ensureUser('local', 'monitored');
        await store.setInteraction(user.userId, { animeId: 1, score: 8, status: 'completed', updatedAt: 100 });
        await store.setInteraction(user.userId, { animeId: 2, score: null, status: 'watching', updatedAt: 200 });
        await store.setInteraction(user.userId, { animeId: 3, score: 6, status: 'completed', updatedAt: 50 });
        await store.setInteraction(user.userId, { animeId: 4, score: 9, status: 'completed', updatedAt: 150 });
        assert.deepEqual(
          (await store.unmonitoredScoredInteractions(60)).map((e) => [e.animeId, e.score, e.updatedAt]),
          [
            [1, 8, 100],
            [4, 9, 150],
          ],
        );
        assert.equal(await store.addPredictions([prediction(user.userId, 1, 100)]), 1);
        assert.deepEqual(
          (await store.unmonitoredScoredInteractions(60)).map((e) => e.animeId),
          [4],
        );
        // Re-scored later: monitored again, as a new event.
        await store.setInteraction(user.userId, { animeId: 1, score: 4, status: 'completed', updatedAt: 300 });
        assert.deepEqual(
          (await store.unmonitoredScoredInteractions(60)).map((e) => [e.animeId, e.updatedAt]),
          [
            [4, 150],
            [1, 300],
          ],
        );
      }));

    it('adds a prediction event once and aggregates days per model version', () =>
      withFresh(openFresh, async (store) => {
        const rows = [
          prediction(1, 1, 10, { actualScore: 8, predictedScore: 7, rank: 2, hit: true }),
          prediction(1, 2, 11, { actualScore: 4, predictedScore: 7, rank: 6, hit: false }),
          prediction(2, 1, 12, { actualScore: 9, predictedScore: null, rank: 1, hit: true }),
          prediction(2, 2, 13, { modelVersion: 'v2', rank: 10, hit: false }),
          prediction(3, 3, 14, { day: '2024-05-02' }),
        ];
        assert.equal(await store.addPredictions(rows), 5);
        assert.equal(
          await store.addPredictions([rows[0]!, prediction(1, 1, 15)]),
          1,
          'a known (user, title, updatedAt) is kept, not added',
        );
        const [v1, v2] = await store.summarizePredictions(['2024-05-01']);
        assert.deepEqual(
          { ...v1!, rmse: Number(v1!.rmse?.toFixed(6)) },
          {
            day: '2024-05-01',
            modelVersion: 'v1',
            count: 4,
            scored: 3,
            mae: (1 + 3 + 1) / 3,
            rmse: Number(Math.sqrt((1 + 9 + 1) / 3).toFixed(6)),
            hitRate: 0.75,
            meanRank: (2 + 6 + 1 + 3) / 4,
          },
        );
        assert.deepEqual(v2, { day: '2024-05-01', modelVersion: 'v2', count: 1, scored: 1, mae: 1, rmse: 1, hitRate: 0, meanRank: 10 });
        assert.deepEqual(
          (await store.summarizePredictions(['2024-05-01', '2024-05-02'])).map((s) => [s.day, s.modelVersion]),
          [
            ['2024-05-01', 'v1'],
            ['2024-05-01', 'v2'],
            ['2024-05-02', 'v1'],
          ],
        );
        assert.deepEqual(await store.summarizePredictions([]), []);
        assert.deepEqual(await store.summarizePredictions(['2023-01-01']), []);
      }));

    it('saves daily rows, replacing a recomputed day, and reads them back from a day on', () =>
      withFresh(openFresh, async (store) => {
        assert.deepEqual(await store.monitoringDays(null), []);
        await store.saveMonitoringDays([
          day({ day: '2024-05-02' }),
          day({ day: '2024-05-01', modelVersion: 'v2', mae: null, rmse: null, scored: 0 }),
          day({}),
        ]);
        await store.saveMonitoringDays([day({ day: '2024-05-02', count: 9, drift: true, driftReason: 'MAE 1.9 > 1.5' })]);
        assert.deepEqual(await store.monitoringDays(null), [
          day({}),
          day({ modelVersion: 'v2', mae: null, rmse: null, scored: 0 }),
          day({ day: '2024-05-02', count: 9, drift: true, driftReason: 'MAE 1.9 > 1.5' }),
        ]);
        assert.deepEqual(
          (await store.monitoringDays('2024-05-02')).map((d) => [d.day, d.count, d.drift]),
          [['2024-05-02', 9, true]],
        );
      }));
  });

  describe('precomputed rankings', () => {
    it('stores rankings per model, replaces a user’s, counts and prunes other models', () =>
      withFresh(openFresh, async (store) => {
        assert.equal(await store.getUserRanking('m1', 1), null);
        await store.putUserRankings('m1', [
          { userId: 1, listKey: 'k1', animeIds: Int32Array.of(5, 3, 9), scores: Float32Array.of(0.9, 0.5, 0.25) },
          { userId: 2, listKey: 'k2', animeIds: Int32Array.of(7), scores: Float32Array.of(1.5) },
        ]);
        await store.putUserRankings('m2', [{ userId: 1, listKey: 'k1', animeIds: Int32Array.of(1), scores: Float32Array.of(-2) }]);
        const ranking = await store.getUserRanking('m1', 1);
        assert.ok(ranking);
        assert.equal(ranking.listKey, 'k1');
        assert.ok(ranking.animeIds instanceof Int32Array && ranking.scores instanceof Float32Array);
        assert.deepEqual([...ranking.animeIds], [5, 3, 9]);
        assert.deepEqual([...ranking.scores], [0.9, 0.5, 0.25].map(Math.fround));
        await store.putUserRankings('m1', [{ userId: 1, listKey: 'k1b', animeIds: Int32Array.of(4), scores: Float32Array.of(0) }]);
        assert.deepEqual(
          { ...(await store.getUserRanking('m1', 1))!, animeIds: [4] },
          { userId: 1, listKey: 'k1b', animeIds: [4], scores: Float32Array.of(0) },
        );
        assert.equal(await store.countUserRankings('m1'), 2);
        assert.equal(await store.countUserRankings('m3'), 0);
        assert.equal(await store.pruneUserRankings(['m1']), 1);
        assert.equal(await store.getUserRanking('m2', 1), null);
        assert.equal(await store.countUserRankings('m1'), 2);
        assert.equal(await store.pruneUserRankings([]), 2);
      }));
  });
}
