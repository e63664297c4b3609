/**
 * The contract's batch and text edge cases (see contract.ts): properties SQLite gets for free by
 * writing row by row with bound parameters, which a set-based store (COPY, one INSERT … ON
 * CONFLICT per batch, array parameters) has to provide on purpose.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { row, withFresh, type OpenFreshStore } from './contract-helpers.js';

/** Names that break naive COPY text, array literals or CSV: tabs, newlines, quotes, braces, NULL. */
const AWKWARD_NAMES = [
  'tab\there',
  'new\nline',
  'carriage\rreturn',
  'quote"s\'',
  'back\\slash\\N',
  '{brace,comma}',
  'NULL',
  ' padded ',
  '名前-ß-😀',
];

export function describeBatchContract(openFresh: OpenFreshStore): void {
  describe('batches and text', () => {
    it('keeps the last row when one batch repeats an entry', () =>
      withFresh(openFresh, async (store) => {
        const { counts } = await store.withImport((tx) =>
          tx.upsertInteractions('test', [row('a', 1, 5), row('b', 1, 2), row('a', 1, 8), row('a', 2, 3)]),
        );
        assert.equal(
          counts.interactionsInserted + counts.interactionsUpdated + counts.interactionsUnchanged,
          4,
          'every row is counted once',
        );
        assert.equal(await store.countInteractions(), 3);
        const [a] = await store.findUser('test', 'a');
        assert.deepEqual(
          (await store.userInteractions(a!.userId)).map((e) => [e.animeId, e.score]),
          [
            [1, 8],
            [2, 3],
          ],
        );
        await store.withImport((tx) => tx.addPendingInteractions('test', [row('a', 900, 4), row('a', 900, 6, { status: 'watching' })]));
        assert.deepEqual(
          (await store.pendingInteractions(a!.userId)).map((e) => [e.animeId, e.score, e.status]),
          [[900, 6, 'watching']],
        );
      }));

    it('counts an entry a later batch of the same run repeats as an update, also for users the run created', () =>
      withFresh(openFresh, async (store) => {
        const { counts } = await store.withImport(async (tx) => {
          await tx.upsertInteractions('test', [row('new', 1, 5), row('new', 2, 6)]);
          await tx.upsertInteractions('test', [row('new', 2, 9), row('new', 3, 4)]);
          await tx.upsertInteractions('test', [row('new', 3, 4)]);
        });
        assert.deepEqual(
          [counts.interactionsInserted, counts.interactionsUpdated, counts.interactionsUnchanged, counts.usersCreated],
          [3, 1, 1, 1],
        );
        const [user] = await store.findUser('test', 'new');
        assert.deepEqual(
          (await store.userInteractions(user!.userId)).map((e) => [e.animeId, e.score]),
          [
            [1, 5],
            [2, 9],
            [3, 4],
          ],
        );
      }));

    it('round-trips user names and titles with tabs, newlines, quotes, braces and non-ASCII text', () =>
      withFresh(openFresh, async (store) => {
        await store.withImport(async (tx) => {
          await tx.upsertAnime([
            {
              animeId: 31240,
              title: 'Re:Zero − "Starting" \\ Life\tin\nanother world',
              synonyms: ['Re:ゼロ', '{a,b}', 'NULL'],
              genres: ['Drama'],
            },
          ]);
          await tx.upsertInteractions(
            'test',
            AWKWARD_NAMES.map((name, i) => row(name, 31240, i + 1)),
          );
        });
        const anime = await store.getAnime(31240);
        assert.equal(anime?.title, 'Re:Zero − "Starting" \\ Life\tin\nanother world');
        assert.deepEqual(anime?.synonyms, ['Re:ゼロ', '{a,b}', 'NULL']);
        assert.equal(await store.countUsers(), AWKWARD_NAMES.length);
        for (const [i, name] of AWKWARD_NAMES.entries()) {
          const users = await store.findUser('test', name);
          assert.equal(users.length, 1, JSON.stringify(name));
          assert.equal(users[0]!.externalId, name);
          assert.equal((await store.userInteractions(users[0]!.userId))[0]?.score, i + 1, JSON.stringify(name));
          assert.equal(
            (await store.ensureUser('test', name)).userId,
            users[0]!.userId,
            `${JSON.stringify(name)} is found, not created again`,
          );
        }
        assert.equal(await store.countUsers(), AWKWARD_NAMES.length);
      }));

    it('creates a new user once when many requests ensure it at the same time', () =>
      withFresh(openFresh, async (store) => {
        const users = await Promise.all(Array.from({ length: 16 }, () => store.ensureUser('local', 'first-visit')));
        assert.equal(new Set(users.map((u) => u.userId)).size, 1);
        assert.equal(await store.countUsers(), 1);
      }));

    it('keeps the last of a ranking or a monitoring day given twice in one call', () =>
      withFresh(openFresh, async (store) => {
        await store.putUserRankings('m', [
          { userId: 1, listKey: 'old', animeIds: Int32Array.of(1), scores: Float32Array.of(1) },
          { userId: 1, listKey: 'new', animeIds: Int32Array.of(2, 3), scores: Float32Array.of(2, 1) },
        ]);
        assert.deepEqual(
          { ...(await store.getUserRanking('m', 1))!, animeIds: [] },
          { userId: 1, listKey: 'new', animeIds: [], scores: Float32Array.of(2, 1) },
        );
        assert.equal(await store.countUserRankings('m'), 1);
        const day = {
          day: '2024-05-01',
          modelVersion: 'v1',
          count: 1,
          scored: 1,
          mae: 1,
          rmse: 1,
          hitRate: 1,
          meanRank: 1,
          drift: false,
          driftReason: null,
          computedAt: 'x',
        };
        await store.saveMonitoringDays([day, { ...day, count: 7 }]);
        assert.deepEqual(
          (await store.monitoringDays(null)).map((d) => d.count),
          [7],
        );
      }));

    it('returns every interaction column-wise when there are more than one transfer holds', () =>
      withFresh(openFresh, async (store) => {
        const rows = Array.from({ length: 30_000 }, (_, i) =>
          row(`u${i % 997}`, 1 + Math.floor(i / 997), i % 11 === 0 ? null : (i % 10) + 1, i % 7 === 0 ? { status: 'dropped' } : {}),
        );
        await store.withImport((tx) => tx.upsertInteractions('test', rows));
        const columns = await store.allInteractions();
        assert.equal(columns.length, 30_000);
        let scoreSum = 0;
        let dropped = 0;
        for (let i = 0; i < columns.length; i++) {
          scoreSum += columns.scores[i]!;
          if (columns.statuses[i] === 4) dropped++;
          if (
            i > 0 &&
            (columns.userIds[i - 1]! > columns.userIds[i]! ||
              (columns.userIds[i - 1] === columns.userIds[i] && columns.animeIds[i - 1]! >= columns.animeIds[i]!))
          ) {
            assert.fail(`rows ${i - 1} and ${i} are out of (user, anime) order`);
          }
        }
        assert.equal(
          scoreSum,
          rows.reduce((sum, r) => sum + (r.score ?? 0), 0),
        );
        assert.equal(dropped, rows.filter((r) => r.status === 'dropped').length);
      }));
  });
}
