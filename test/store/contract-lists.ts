/** The contract's users, list entries and feedback: what the API's list routes rely on (see contract.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { row, withFresh, type OpenFreshStore } from './contract-helpers.js';

export function describeFeedbackContract(openFresh: OpenFreshStore): void {
  describe('users and feedback', () => {
    it('creates a user once per (source, external id) and finds them by either', () =>
      withFresh(openFresh, async (store) => {
        assert.equal(await store.countUsers(), 0);
        const alice = await store.ensureUser('local', 'alice');
        assert.deepEqual({ ...alice, userId: 0 }, { userId: 0, source: 'local', externalId: 'alice', interactionCount: 0 });
        assert.equal((await store.ensureUser('local', 'alice')).userId, alice.userId);
        const otherAlice = await store.ensureUser('mal', 'alice');
        assert.notEqual(otherAlice.userId, alice.userId);
        assert.equal(await store.countUsers(), 2);
        assert.deepEqual(
          (await store.findUser(null, 'alice')).map((u) => u.source),
          ['local', 'mal'],
        );
        assert.deepEqual(await store.findUser('anilist', 'alice'), []);
        assert.deepEqual(await store.getUser(alice.userId), alice);
        assert.equal(await store.getUser(alice.userId + otherAlice.userId + 1000), null);
        await store.setInteraction(alice.userId, { animeId: 1, score: 9, status: 'completed', updatedAt: 1 });
        assert.equal((await store.getUser(alice.userId))?.interactionCount, 1);
        assert.equal((await store.findUser('local', 'alice'))[0]?.interactionCount, 1);
      }));

    it('sets and deletes a single interaction for feedback', () =>
      withFresh(openFresh, async (store) => {
        const user = await store.ensureUser('local', 'alice');
        await store.setInteraction(user.userId, { animeId: 20, score: 8, status: 'completed', updatedAt: 1 });
        await store.setInteraction(user.userId, { animeId: 20, score: 9, status: 'completed', updatedAt: 2 });
        assert.deepEqual(await store.userInteractions(user.userId), [
          { userId: user.userId, animeId: 20, score: 9, status: 'completed', updatedAt: 2 },
        ]);
        assert.equal(await store.deleteInteraction(user.userId, 20), true);
        assert.equal(await store.deleteInteraction(user.userId, 20), false);
        assert.equal((await store.ensureUser('local', 'alice')).userId, user.userId);
        assert.equal(await store.countInteractions(), 0);
      }));

    it('replaces every field with setInteraction, and stamps a missing updatedAt', () =>
      withFresh(openFresh, async (store) => {
        const user = await store.ensureUser('local', 'bob');
        await store.setInteraction(user.userId, { animeId: 3, score: 7, status: 'watching', updatedAt: 5 });
        await store.setInteraction(user.userId, { animeId: 3, score: null, status: 'plan_to_watch', updatedAt: 6 });
        assert.deepEqual(await store.userInteractions(user.userId), [
          { userId: user.userId, animeId: 3, score: null, status: 'plan_to_watch', updatedAt: 6 },
        ]);
        const before = Date.now();
        await store.setInteraction(user.userId, { animeId: 4, score: 5, status: 'dropped', updatedAt: null });
        const stamped = (await store.userInteractions(user.userId)).find((e) => e.animeId === 4)?.updatedAt;
        assert.ok(stamped !== null && stamped !== undefined && stamped >= before, `updatedAt ${stamped} is the time of the write`);
      }));

    it('applies partial updates, keeping what a patch leaves out; a new scored entry is completed', () =>
      withFresh(openFresh, async (store) => {
        const user = await store.ensureUser('local', 'partial');
        assert.deepEqual(await store.updateInteraction(user.userId, 1, { score: 7, updatedAt: 1 }), {
          created: true,
          entry: { userId: user.userId, animeId: 1, score: 7, status: 'completed', updatedAt: 1 },
        });
        assert.deepEqual(await store.updateInteraction(user.userId, 1, { status: 'watching', updatedAt: 2 }), {
          created: false,
          entry: { userId: user.userId, animeId: 1, score: 7, status: 'watching', updatedAt: 2 },
        });
        assert.deepEqual((await store.updateInteraction(user.userId, 1, { score: null, updatedAt: 3 })).entry, {
          userId: user.userId,
          animeId: 1,
          score: null,
          status: 'watching',
          updatedAt: 3,
        });
        assert.deepEqual((await store.updateInteraction(user.userId, 2, { status: 'plan_to_watch', updatedAt: 4 })).entry, {
          userId: user.userId,
          animeId: 2,
          score: null,
          status: 'plan_to_watch',
          updatedAt: 4,
        });
        assert.deepEqual(
          (await store.updateInteraction(user.userId, 3, { updatedAt: 5 })).entry,
          { userId: user.userId, animeId: 3, score: null, status: null, updatedAt: 5 },
          'no score, no status: status stays unknown',
        );
        assert.deepEqual(await store.userInteractions(user.userId), [
          { userId: user.userId, animeId: 1, score: null, status: 'watching', updatedAt: 3 },
          { userId: user.userId, animeId: 2, score: null, status: 'plan_to_watch', updatedAt: 4 },
          { userId: user.userId, animeId: 3, score: null, status: null, updatedAt: 5 },
        ]);
      }));

    it('applies concurrent partial updates of one entry without losing either field', () =>
      withFresh(openFresh, async (store) => {
        const user = await store.ensureUser('local', 'race');
        await store.updateInteraction(user.userId, 1, { score: 3, status: 'watching', updatedAt: 1 });
        await Promise.all([
          store.updateInteraction(user.userId, 1, { score: 10, updatedAt: 2 }),
          store.updateInteraction(user.userId, 1, { status: 'completed', updatedAt: 3 }),
        ]);
        const [entry] = await store.userInteractions(user.userId);
        assert.deepEqual([entry?.score, entry?.status], [10, 'completed']);
      }));

    it("lists a user's entries by title, and only theirs", () =>
      withFresh(openFresh, async (store) => {
        await store.withImport((tx) =>
          tx.upsertInteractions('test', [row('a', 30, 8), row('a', 10, null, { status: 'plan_to_watch', updatedAt: 7 }), row('b', 20, 5)]),
        );
        const [a] = await store.findUser('test', 'a');
        assert.ok(a);
        assert.deepEqual(await store.userInteractions(a.userId), [
          { userId: a.userId, animeId: 10, score: null, status: 'plan_to_watch', updatedAt: 7 },
          { userId: a.userId, animeId: 30, score: 8, status: null, updatedAt: null },
        ]);
        assert.equal(a.interactionCount, 2);
        assert.deepEqual(await store.pendingInteractions(a.userId), []);
      }));
  });
}
