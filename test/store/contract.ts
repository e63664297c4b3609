/**
 * The behaviour every Store implementation must have, as one suite run against each backend
 * (hono runs one router suite against every router; gorse one database suite per backend): a
 * backend is done when `describeStoreContract(name, openFresh)` passes on it. Only the Store
 * interface is used here; what one backend does on its own (SQLite's file locking and
 * migrations) is tested next to it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TitleRelations } from '../../src/data/types.js';
import { ImportInProgressError, type ImportTransaction } from '../../src/store/index.js';
import { row, STEINS_GATE, STEINS_GATE_TITLES, withFresh, type OpenFreshStore } from './contract-helpers.js';
import { describeBatchContract } from './contract-batches.js';
import { describeFeedbackContract } from './contract-lists.js';
import { describeOpsContract } from './contract-ops.js';
import { holdImport } from './held-import.js';

export type { OpenFreshStore } from './contract-helpers.js';

export function describeStoreContract(name: string, openFresh: OpenFreshStore): void {
  describe(`Store contract: ${name}`, () => {
    describeCatalogueContract(openFresh);
    describeImportContract(openFresh);
    describeRelationsContract(openFresh);
    describeFeedbackContract(openFresh);
    describeOpsContract(openFresh);
    describeBatchContract(openFresh);
  });
}

function describeCatalogueContract(openFresh: OpenFreshStore): void {
  describe('catalogue', () => {
    it('merges anime patches field by field without erasing known values', () =>
      withFresh(openFresh, async (store) => {
        await store.withImport(async (tx) => {
          await tx.upsertAnime([
            { animeId: 5114, title: 'Fullmetal Alchemist: Brotherhood', genres: ['Action'], members: 793665, synonyms: ['FMA:B'] },
          ]);
          await tx.upsertAnime([
            { animeId: 5114, synopsis: 'Two brothers…', genres: [], studios: ['Bones'], synonyms: ['Hagane no Renkinjutsushi'] },
          ]);
        });
        const anime = await store.getAnime(5114);
        assert.ok(anime);
        assert.equal(anime.title, 'Fullmetal Alchemist: Brotherhood');
        assert.deepEqual(anime.genres, ['Action'], 'an empty list from a later source must not erase genres');
        assert.equal(anime.synopsis, 'Two brothers…');
        assert.deepEqual(anime.studios, ['Bones']);
        assert.equal(anime.members, 793665);
        assert.deepEqual(anime.synonyms, ['FMA:B', 'Hagane no Renkinjutsushi']);
        assert.equal(await store.getAnime(1), null, 'an unknown title is null');
      }));

    it('lists titles by id, with ids, limit and offset, and counts them', () =>
      withFresh(openFresh, async (store) => {
        assert.deepEqual(await store.listAnime(), []);
        await store.withImport((tx) => tx.upsertAnime([30, 10, 20, 40].map((animeId) => ({ animeId, title: `Title ${animeId}` }))));
        assert.equal(await store.countAnime(), 4);
        assert.deepEqual(
          (await store.listAnime()).map((a) => a.animeId),
          [10, 20, 30, 40],
        );
        assert.deepEqual(
          (await store.listAnime({ limit: 2, offset: 1 })).map((a) => a.animeId),
          [20, 30],
        );
        assert.deepEqual(
          (await store.listAnime({ ids: [40, 10, 99] })).map((a) => a.animeId),
          [10, 40],
          'unknown ids are left out',
        );
        assert.deepEqual(
          (await store.listAnime({ ids: [] })).map((a) => a.animeId),
          [],
        );
        assert.equal((await store.listAnime({ ids: [20] }))[0]?.title, 'Title 20');
      }));
  });
}

function describeImportContract(openFresh: OpenFreshStore): void {
  describe('imports', () => {
    it('counts inserts, updates and unchanged rows, and a re-run changes nothing', () =>
      withFresh(openFresh, async (store) => {
        // More rows than one multi-row statement holds, plus a remainder, to cover both write paths.
        const rows = Array.from({ length: 1234 }, (_, i) => row(String(1 + (i % 7)), 100 + i, (i % 10) + 1));
        let result = await store.withImport(async (tx) => {
          await tx.upsertInteractions('test', rows);
          assert.deepEqual(tx.counts(), {
            animeUpserted: 0,
            interactionsInserted: 1234,
            interactionsUpdated: 0,
            interactionsUnchanged: 0,
            usersCreated: 7,
            pendingAdded: 0,
            pendingResolved: 0,
          });
        });
        assert.equal(result.counts.interactionsInserted, 1234);

        result = await store.withImport((tx) => tx.upsertInteractions('test', rows));
        assert.deepEqual(result.counts, {
          animeUpserted: 0,
          interactionsInserted: 0,
          interactionsUpdated: 0,
          interactionsUnchanged: 1234,
          usersCreated: 0,
          pendingAdded: 0,
          pendingResolved: 0,
        });

        const changed = rows.slice(0, 600).map((r) => ({ ...r, score: r.score === 10 ? 9 : 10 }));
        result = await store.withImport((tx) => tx.upsertInteractions('test', [...changed, row('new-user', 1, null)]));
        assert.equal(result.counts.interactionsUpdated, 600);
        assert.equal(result.counts.interactionsInserted, 1);
        assert.equal(await store.countInteractions(), 1235);
        assert.equal(await store.countUsers(), 8);
      }));

    it('keeps users of different sources apart', () =>
      withFresh(openFresh, async (store) => {
        await store.withImport(async (tx) => {
          await tx.upsertInteractions('kaggle2016', [row('1', 10, 8)]);
          await tx.upsertInteractions('kaggle2020', [row('1', 10, 3)]);
        });
        const users = await store.findUser(null, '1');
        assert.deepEqual(
          users.map((u) => u.source),
          ['kaggle2016', 'kaggle2020'],
        );
        const [a, b] = users;
        assert.equal((await store.userInteractions(a!.userId))[0]!.score, 8);
        assert.equal((await store.userInteractions(b!.userId))[0]!.score, 3);
        assert.deepEqual(
          (await store.findUser('kaggle2020', '1')).map((u) => u.userId),
          [b!.userId],
        );
      }));

    it('commits when the scope returns, giving back its value and counts', () =>
      withFresh(openFresh, async (store) => {
        const { value, counts } = await store.withImport(async (tx) => {
          await tx.upsertAnime([{ animeId: 1, title: 'Cowboy Bebop' }]);
          assert.ok((await tx.knownAnimeIds()).has(1), 'a title upserted in this run is known to it');
          await tx.upsertInteractions('test', [row('u', 1, 10)]);
          return 'done';
        });
        assert.equal(value, 'done');
        assert.equal(counts.animeUpserted, 1);
        assert.equal(counts.usersCreated, 1);
        assert.equal(await store.countAnime(), 1);
        assert.equal(await store.countInteractions(), 1);
      }));

    it('rolls a run back completely when the scope throws, and rethrows', () =>
      withFresh(openFresh, async (store) => {
        await store.withImport(async (tx) => {
          await tx.upsertAnime([{ animeId: 1, title: 'Cowboy Bebop' }]);
          await tx.upsertInteractions('test', [row('u', 1, 10)]);
        });
        const boom = new Error('the file ended early');
        await assert.rejects(
          store.withImport(async (tx) => {
            await tx.upsertAnime([
              { animeId: 2, title: 'Trigun' },
              { animeId: 1, title: 'Renamed inside a failed run' },
            ]);
            await tx.upsertInteractions('test', [row('u', 2, 9), row('v', 1, 7)]);
            await tx.addPendingInteractions('test', [row('u', 999, 8)]);
            throw boom;
          }),
          (error) => error === boom,
        );
        assert.equal(await store.countAnime(), 1);
        assert.equal((await store.getAnime(1))?.title, 'Cowboy Bebop');
        assert.equal(await store.countInteractions(), 1);
        assert.equal(await store.countUsers(), 1);
        const [user] = await store.findUser('test', 'u');
        assert.deepEqual(await store.pendingInteractions(user!.userId), []);
      }));

    it('ends the transaction with the scope: a transaction kept past it writes nothing', () =>
      withFresh(openFresh, async (store) => {
        let leaked: ImportTransaction | undefined;
        await store.withImport(async (tx) => void (leaked = tx));
        await assert.rejects(leaked!.upsertAnime([{ animeId: 1, title: 'Written after the commit' }]));
        await assert.rejects(
          store.withImport(async (tx) => {
            leaked = tx;
            throw new Error('abort');
          }),
          /abort/,
        );
        await assert.rejects(leaked!.upsertInteractions('test', [row('late', 1, 5)]));
        assert.equal(await store.countAnime(), 0);
        assert.equal(await store.countInteractions(), 0);
      }));

    it('refuses a second import while one is open with ImportInProgressError, and takes one after it ends', () =>
      withFresh(openFresh, async (store) => {
        const held = await holdImport(store);
        let ran = false;
        await assert.rejects(
          store.withImport(async () => void (ran = true)),
          ImportInProgressError,
        );
        assert.equal(ran, false, 'the refused scope never ran');
        await held.commit();
        await store.withImport(async () => {});
        await assert.rejects(
          store.withImport(async () => Promise.reject(new Error('rolled back'))),
          /rolled back/,
        );
        await store.withImport(async () => {}); // a rolled-back run released the store too
      }));

    it('never rolls back a write made beside an open import (feedback is acknowledged on its own)', () =>
      withFresh(openFresh, async (store) => {
        const user = await store.ensureUser('local', 'during-import');
        const held = await holdImport(store);
        await held.tx.upsertAnime([{ animeId: 1, title: 'Written inside a rolled-back import' }]);
        const writes = Promise.all([
          store.setInteraction(user.userId, { animeId: 7, score: 8, status: 'watching', updatedAt: 1 }),
          store.updateInteraction(user.userId, 8, { score: 6, updatedAt: 2 }),
          store.setMeta('feedback.cursor', '2'),
        ]);
        await held.rollback();
        await writes;
        assert.deepEqual(
          (await store.userInteractions(user.userId)).map((e) => [e.animeId, e.score, e.status]),
          [
            [7, 8, 'watching'],
            [8, 6, 'completed'],
          ],
        );
        assert.equal(await store.getMeta('feedback.cursor'), '2');
        assert.equal(await store.getAnime(1), null, 'the import itself was rolled back');
      }));

    it('keeps list rows for unknown titles pending until a catalogue import adds them, never overwriting newer feedback', () =>
      withFresh(openFresh, async (store) => {
        const added = await store.withImport((tx) =>
          tx.addPendingInteractions('mal', [row('yuki', 52991, 9, { status: 'watching', updatedAt: 5 }), row('yuki', 40000, 7)]),
        );
        assert.equal(added.counts.pendingAdded, 2);
        const [user] = await store.findUser('mal', 'yuki');
        assert.ok(user);
        assert.deepEqual(await store.pendingInteractions(user.userId), [
          { userId: user.userId, animeId: 40000, score: 7, status: null, updatedAt: null },
          { userId: user.userId, animeId: 52991, score: 9, status: 'watching', updatedAt: 5 },
        ]);
        assert.deepEqual(await store.userInteractions(user.userId), []);
        // Feedback for 40000 arrived after the upload: it wins over the older pending row.
        await store.setInteraction(user.userId, { animeId: 40000, score: 3, status: 'dropped', updatedAt: 9 });

        const resolved = await store.withImport((tx) =>
          tx.upsertAnime([
            { animeId: 52991, title: 'Sousou no Frieren' },
            { animeId: 40000, title: 'Another' },
          ]),
        );
        assert.equal(resolved.counts.pendingResolved, 1, 'counted after the commit moved it');
        assert.deepEqual(await store.pendingInteractions(user.userId), []);
        assert.deepEqual(
          (await store.userInteractions(user.userId)).map((e) => [e.animeId, e.score, e.status]),
          [
            [40000, 3, 'dropped'],
            [52991, 9, 'watching'],
          ],
        );
      }));

    it('returns all interactions column-wise, ordered by user then anime', () =>
      withFresh(openFresh, async (store) => {
        assert.equal((await store.allInteractions()).length, 0);
        await store.withImport((tx) =>
          tx.upsertInteractions('test', [
            row('b', 5, null, { status: 'dropped' }),
            row('a', 9, 7),
            row('a', 3, 2, { status: 'completed' }),
          ]),
        );
        const columns = await store.allInteractions();
        assert.equal(columns.length, 3);
        const [a] = await store.findUser('test', 'a');
        const [b] = await store.findUser('test', 'b');
        assert.deepEqual([...columns.userIds], [b!.userId, a!.userId, a!.userId]);
        assert.deepEqual([...columns.animeIds], [5, 3, 9]);
        assert.deepEqual([...columns.scores], [0, 2, 7]);
        assert.deepEqual([...columns.statuses], [4, 2, 0]);
      }));
  });
}

function describeRelationsContract(openFresh: OpenFreshStore): void {
  describe('relations', () => {
    it('round-trip both directions, only between titles in the catalogue', () =>
      withFresh(openFresh, async (store) => {
        await store.withImport(async (tx) => {
          await tx.upsertAnime(STEINS_GATE_TITLES);
          assert.deepEqual(await tx.replaceRelations(STEINS_GATE), { added: 5, removed: 0 });
        });
        assert.deepEqual(await store.animeRelations(), [
          { animeId: 9253, relatedId: 11577, relation: 'sequel' },
          { animeId: 9253, relatedId: 30484, relation: 'sequel' },
          { animeId: 11577, relatedId: 9253, relation: 'prequel' },
          { animeId: 30484, relatedId: 9253, relation: 'prequel' },
        ]);
        // The side story is not in the catalogue yet; its relation was kept and counts once it is.
        await store.withImport((tx) => tx.upsertAnime([{ animeId: 10863, title: 'Steins;Gate: Oukoubakko no Poriomania' }]));
        const relations = await store.animeRelations();
        assert.equal(relations.length, 5);
        assert.deepEqual(relations[0], { animeId: 9253, relatedId: 10863, relation: 'side_story' });
      }));

    it('a re-import changes nothing; a shorter list drops what the source no longer gives', () =>
      withFresh(openFresh, async (store) => {
        await store.withImport(async (tx) => {
          await tx.upsertAnime([...STEINS_GATE_TITLES, { animeId: 27957, title: 'Steins;Gate: Kyoukaimenjou no Missing Link' }]);
          await tx.replaceRelations(STEINS_GATE);
        });
        assert.deepEqual((await store.withImport((tx) => tx.replaceRelations(STEINS_GATE))).value, { added: 0, removed: 0 });
        const corrected: TitleRelations = {
          animeId: 9253,
          relations: [
            { relatedId: 30484, relation: 'sequel' },
            { relatedId: 30484, relation: 'sequel' },
            { relatedId: 27957, relation: 'spin_off' },
          ],
        };
        assert.deepEqual((await store.withImport((tx) => tx.replaceRelations([corrected]))).value, { added: 1, removed: 2 });
        assert.deepEqual((await store.withImport((tx) => tx.replaceRelations([{ animeId: 11577, relations: [] }]))).value, {
          added: 0,
          removed: 1,
        });
        assert.deepEqual(await store.animeRelations(), [
          { animeId: 9253, relatedId: 27957, relation: 'spin_off' },
          { animeId: 9253, relatedId: 30484, relation: 'sequel' },
          { animeId: 30484, relatedId: 9253, relation: 'prequel' },
        ]);
      }));

    it('are part of the import transaction: a rolled-back run leaves none', () =>
      withFresh(openFresh, async (store) => {
        await assert.rejects(
          store.withImport(async (tx) => {
            await tx.upsertAnime(STEINS_GATE_TITLES);
            await tx.replaceRelations(STEINS_GATE);
            throw new Error('abort');
          }),
          /abort/,
        );
        assert.equal(await store.countAnime(), 0);
        assert.deepEqual(await store.animeRelations(), []);
      }));

    it('refuses ids and relation names outside the canonical vocabulary', () =>
      withFresh(openFresh, async (store) => {
        await assert.rejects(
          store.withImport((tx) => tx.replaceRelations([{ animeId: 1, relations: [{ relatedId: 5, relation: 'SIDE_STORY' as never }] }])),
          /unknown relation "SIDE_STORY"/,
        );
        await assert.rejects(
          store.withImport((tx) => tx.replaceRelations([{ animeId: 1, relations: [{ relatedId: -5, relation: 'sequel' }] }])),
          /not a MyAnimeList id/,
        );
        assert.deepEqual(await store.animeRelations(), []);
      }));
  });
}
