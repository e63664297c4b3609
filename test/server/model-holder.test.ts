import assert from 'node:assert/strict';
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { RecommendationEngine } from '../../src/recommend/engine.js';
import type { HistoryEntry } from '../../src/recommend/taste-profile.js';
import { ModelHolder } from '../../src/server/model-holder.js';
import { SqliteStore } from '../../src/store/index.js';
import { createWorld, promote, type TestWorld } from './setup.js';

let world: TestWorld;

before(async () => {
  world = await createWorld({ ratingLines: 30_000 });
});

after(async () => {
  await world.cleanup();
});

const original = (): string => join(world.modelsDir, 'itemknn-1');

async function listOf(userId: number): Promise<HistoryEntry[]> {
  return (await world.store.userInteractions(userId)).map((r) => ({ animeId: r.animeId, score: r.score, status: r.status }));
}

/** What a request can ask an engine, in every mode that reads the snapshot or the indexes. */
async function answers(engine: RecommendationEngine): Promise<unknown> {
  const list = await listOf(1);
  const anime = engine.catalog.anime.find((a) => a.members !== null && engine.knowsAnime(a.animeId))!;
  return {
    recommend: engine.recommend(list, { k: 10, diversity: 0.4 }),
    filtered: engine.recommend(list, { k: 5, filters: { genres: ['Action'], yearMin: 2000 } }),
    users: engine.similarUsers(list, 5, 1),
    search: ['naruto', 'shingeki kyojin', 'attack titan', 'Re:Zero'].map((q) => engine.searchTitles(q, 5)),
    similar: (['content', 'collaborative', 'hybrid'] as const).map((mode) => engine.similar(anime.animeId, mode, { k: 8, diversity: 0.3 })),
    profile: engine.profile(list),
  };
}

describe('model holder', () => {
  it('builds a model in a worker thread that answers exactly as one built on the spot', async () => {
    const holder = new ModelHolder(world.store, { kind: 'current', modelsDir: world.modelsDir });
    await holder.refresh();
    const loaded = holder.current!;
    assert.equal(loaded.build.storeReadInWorker, true, 'a SQLite file is read in the worker');
    const reference = await RecommendationEngine.create(loaded.engine.ctx.bundle, world.store, loaded.version);
    assert.deepEqual(await answers(loaded.engine), await answers(reference));
  });

  it('swaps to a promoted model, and requests made meanwhile are all answered', async () => {
    const copy = join(world.modelsDir, 'itemknn-copy');
    cpSync(original(), copy, { recursive: true });
    const holder = new ModelHolder(world.store, { kind: 'current', modelsDir: world.modelsDir });
    try {
      await holder.refresh();
      const before = holder.current!;
      const list = await listOf(2);
      let stop = false;
      let answered = 0;
      const requests = (async () => {
        while (!stop) {
          // Each request reads `current` once and runs on that engine, whichever it is.
          const engine = holder.current!.engine;
          assert.ok(engine.recommend(list, { k: 5 }).items.length > 0);
          answered++;
          await sleep(1);
        }
      })();
      promote(world.modelsDir, copy);
      await holder.refresh();
      stop = true;
      await requests;
      assert.notEqual(holder.current, before);
      assert.equal(holder.current!.version, 'itemknn-copy');
      assert.ok(answered > 0);
    } finally {
      promote(world.modelsDir, original());
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('keeps the model in use when a new one fails to load, and reports why', async () => {
    const broken = join(world.modelsDir, 'itemknn-broken');
    cpSync(original(), broken, { recursive: true });
    // A complete-looking bundle whose component is gone: only the full load finds out.
    rmSync(join(broken, 'model', 'neighbour-indices.bin'));
    const failures: string[] = [];
    const holder = new ModelHolder(
      world.store,
      { kind: 'current', modelsDir: world.modelsDir },
      () => {},
      (message) => failures.push(message),
    );
    try {
      await holder.refresh();
      const before = holder.current!;
      promote(world.modelsDir, broken);
      await holder.refresh(); // the poller's call: reports, keeps serving
      assert.equal(holder.current, before);
      assert.match(holder.lastError ?? '', /neighbour-indices\.bin/);
      await assert.rejects(holder.refresh(true), /neighbour-indices\.bin/);
      assert.equal(holder.current, before);
      promote(world.modelsDir, join(world.modelsDir, 'nowhere'));
      await holder.refresh();
      assert.equal(holder.current, before);
      assert.match(holder.lastError ?? '', /not a trained anirec model/);
      assert.equal(failures.length, 2, 'each new failure is reported once');
    } finally {
      promote(world.modelsDir, original());
      rmSync(broken, { recursive: true, force: true });
    }
  });

  it('a forced refresh asked for during a load reflects what was committed before it was asked', async () => {
    const holder = new ModelHolder(world.store, { kind: 'current', modelsDir: world.modelsDir });
    await holder.refresh();
    const users = holder.current!.engine.users.size;
    const first = holder.refresh(true);
    // An import commits while that load is under way, then asks for a refresh.
    const user = await world.store.ensureUser('local', 'holder-test-late');
    const anime = holder.current!.engine.catalog.anime.find((a) => holder.current!.engine.knowsAnime(a.animeId))!;
    await world.store.setInteraction(user.userId, { animeId: anime.animeId, score: 9, status: 'completed', updatedAt: Date.now() });
    const second = holder.refresh(true);
    await Promise.all([first, second]);
    assert.equal(holder.current!.engine.users.size, users + 1);
    await world.store.deleteInteraction(user.userId, anime.animeId);
  });

  it('refreshStore takes a new store snapshot and keeps the model already in memory', async () => {
    const holder = new ModelHolder(world.store, { kind: 'current', modelsDir: world.modelsDir });
    await holder.refresh();
    const before = holder.current!;
    const user = await world.store.ensureUser('local', 'holder-test-store');
    const anime = before.engine.catalog.anime.find((a) => before.engine.knowsAnime(a.animeId))!;
    await world.store.setInteraction(user.userId, { animeId: anime.animeId, score: 8, status: 'completed', updatedAt: Date.now() });
    try {
      await holder.refreshStore();
      const after = holder.current!;
      assert.notEqual(after, before);
      assert.equal(after.engine.ctx.bundle, before.engine.ctx.bundle, 'the same bundle, not read again');
      assert.equal(after.engine.catalog, before.engine.catalog, 'an unchanged catalogue is shared');
      assert.equal(after.engine.users.size, before.engine.users.size + 1);
    } finally {
      await world.store.deleteInteraction(user.userId, anime.animeId);
    }
  });

  it('reads an in-memory store on the event loop, and still swaps', async () => {
    const memory = SqliteStore.open(':memory:');
    try {
      const holder = new ModelHolder(memory, { kind: 'dir', dir: original() });
      await holder.refresh();
      assert.equal(holder.current!.build.storeReadInWorker, false);
      assert.equal(holder.current!.engine.users.size, 0);
      await holder.refresh(true);
      assert.equal(holder.current!.version, 'itemknn-1');
    } finally {
      await memory.close();
    }
  });
});
