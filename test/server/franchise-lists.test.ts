/**
 * One card per franchise and the continue list (issue 16), over HTTP on the bundled catalogues
 * and a slice of the 2016 ratings. The case: a fan who liked Steins;Gate, Monster,
 * Mushishi and Cowboy Bebop got a one-episode Steins;Gate special first and side entries of the
 * titles just entered in the top six. Every property of "every item" is checked on a non-empty list.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { isMinorFormat } from '../../src/data/franchises/franchises.js';
import { Catalog } from '../../src/recommend/catalog.js';
import { buildServer } from '../../src/server/app.js';
import { createWorld, promote, trainInto, type TestWorld } from './setup.js';

let world: TestWorld;
let app: FastifyInstance;
let catalog: Catalog;

interface Summary {
  id: number;
  title: string;
  format: string | null;
}
interface Item {
  rank: number;
  score: number | null;
  kind?: string;
  reason: string;
  anime: Summary;
  franchise: { id: number; name: string; more: { anime: Summary; score: number | null }[] } | null;
}

const LIKED = [9253, 19, 457, 1]; // Steins;Gate, Monster, Mushishi, Cowboy Bebop
const liked = LIKED.map((id) => ({ id, score: 10 }));

before(async () => {
  world = await createWorld({ ratingLines: 25_000 });
  const { dir } = await trainInto(world.store, world.modelsDir, 'ease', 'ease-1');
  promote(world.modelsDir, dir);
  ({ app } = await buildServer({ store: world.store, modelsDir: world.modelsDir, config: { modelPollMs: 0, rateLimitPerMinute: 0 } }));
  catalog = await Catalog.load(world.store);
});

after(async () => {
  await app.close();
  await world.cleanup();
});

async function fromTitles(body: object): Promise<{ items: Item[]; notes: string[]; nextOffset: number | null }> {
  const res = await app.inject({ method: 'POST', url: '/v1/recommendations/from-titles', payload: body });
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

const franchiseOf = (id: number): number => catalog.franchises.of(id)!.id;

describe('lists with one card per franchise', () => {
  it('shows discoveries, not the entered titles spelled out; franchise=all keeps the old list', async () => {
    const all = await fromTitles({ titles: liked, k: 10, franchise: 'all' });
    const own = new Set(LIKED.map(franchiseOf));
    assert.ok(
      all.items.some((i) => own.has(franchiseOf(i.anime.id))),
      'before: side entries of the entered titles in the top 10',
    );
    assert.ok(all.items.every((i) => i.franchise === null));

    const grouped = await fromTitles({ titles: liked, k: 20 });
    assert.equal(grouped.items.length, 20, 'k counts cards');
    const seen = new Set<number>();
    for (const item of grouped.items) {
      const franchise = catalog.franchises.of(item.anime.id)!;
      assert.ok(!own.has(franchise.id), `${item.anime.title} continues a title on the list`);
      assert.ok(!seen.has(franchise.id), `one card per franchise (${franchise.name})`);
      seen.add(franchise.id);
      assert.ok(franchise.waysIn.has(item.anime.id), `${item.anime.title} is where ${franchise.name} starts`);
      if (franchise.entries.length > 1) {
        assert.equal(item.franchise?.id, franchise.id);
        assert.equal(item.franchise.name, franchise.name);
        for (const more of item.franchise.more) assert.equal(franchiseOf(more.anime.id), franchise.id);
        assert.ok(item.franchise.more.every((m) => m.anime.id !== item.anime.id));
      } else {
        assert.equal(item.franchise, null);
      }
    }
    assert.ok(
      grouped.items.some((i) => (i.franchise?.more.length ?? 0) > 0),
      'some card has "+N more"',
    );
  });

  it('pages by cards, with no franchise twice across pages', async () => {
    const first = await fromTitles({ titles: liked, k: 10 });
    const second = await fromTitles({ titles: liked, k: 10, offset: 10 });
    assert.equal(first.items.length, 10);
    assert.equal(second.items.length, 10);
    const together = [...first.items, ...second.items].map((i) => franchiseOf(i.anime.id));
    assert.equal(new Set(together).size, 20);
    assert.deepEqual(
      second.items.map((i) => i.rank),
      Array.from({ length: 10 }, (_, i) => 11 + i),
    );
  });

  it('never shows a franchise the user dropped', async () => {
    const naruto = franchiseOf(20);
    const without = await fromTitles({ titles: [...liked, { id: 5114, score: 9 }], k: 100, franchise: 'all' });
    assert.ok(
      without.items.some((i) => franchiseOf(i.anime.id) === naruto),
      'Naruto is recommended to this list',
    );
    const dropped = await fromTitles({ titles: [...liked, { id: 5114, score: 9 }, { id: 1735, status: 'dropped' }], k: 100 });
    assert.ok(dropped.items.length > 50);
    assert.ok(dropped.items.every((i) => franchiseOf(i.anime.id) !== naruto && i.franchise?.id !== naruto));
  });

  it('ranks specials, recaps and music videos below every full series unless the list watches them', async () => {
    const grouped = await fromTitles({ titles: liked, k: 100 });
    assert.equal(grouped.items.length, 100);
    const firstMinor = grouped.items.findIndex((i) => isMinorFormat(catalog.get(i.anime.id)!));
    if (firstMinor >= 0) assert.ok(grouped.items.slice(firstMinor).every((i) => isMinorFormat(catalog.get(i.anime.id)!)));
    const all = await fromTitles({ titles: liked, k: 100, franchise: 'all' });
    const minorsAll = all.items.filter((i) => isMinorFormat(catalog.get(i.anime.id)!)).length;
    assert.ok(minorsAll > 0, 'the model ranks minor formats high for this list (else this proves nothing)');
    const minorsGrouped = grouped.items.filter((i) => isMinorFormat(catalog.get(i.anime.id)!)).length;
    assert.ok(minorsGrouped < minorsAll, `grouped lists push minor formats down (${minorsGrouped} vs ${minorsAll} in the top 100)`);
  });

  it('applies to more like this: no entries of the title itself, one card per franchise', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/similar?id=9253&k=15' });
    assert.equal(res.statusCode, 200, res.body);
    const items = (res.json() as { items: Item[] }).items;
    assert.ok(items.length > 0);
    assert.ok(items.every((i) => franchiseOf(i.anime.id) !== franchiseOf(9253)));
    assert.equal(new Set(items.map((i) => franchiseOf(i.anime.id))).size, items.length);
  });

  it('rejects an unknown franchise mode with a 400 naming the field', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/users/1/recommendations?franchise=some' });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /franchise/);
  });
});

describe('continue what you started', () => {
  it('lists the next entries of completed franchises in release order, skips dropped ones, adds aired plans', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/continue/from-titles',
      payload: {
        titles: [
          { id: 9253, score: 10, status: 'completed' }, // Steins;Gate
          { id: 16498, score: 9, status: 'completed' }, // Shingeki no Kyojin
          { id: 22319, score: 4, status: 'dropped' }, // Tokyo Ghoul
          { id: 4224, status: 'plan_to_watch' }, // Toradora!
        ],
        k: 10,
      },
    });
    assert.equal(res.statusCode, 200, res.body);
    const { items } = res.json() as { items: Item[] };
    assert.ok(items.length >= 3, JSON.stringify(items.map((i) => i.anime.title)));
    const byTitle = new Map(items.map((i) => [i.anime.title, i]));
    assert.equal(byTitle.get('Steins;Gate 0')?.kind, 'next_entry');
    assert.match(byTitle.get('Steins;Gate 0')!.reason, /Steins;Gate, which you rated 10\/10/);
    assert.equal(byTitle.get('Shingeki no Kyojin Season 2')?.kind, 'next_entry');
    assert.equal(byTitle.get('Toradora!')?.kind, 'planned');
    assert.ok(
      items.every((i) => franchiseOf(i.anime.id) !== franchiseOf(22319)),
      'nothing from a dropped franchise',
    );
    assert.deepEqual(
      items.map((i) => i.kind),
      [...items.map((i) => i.kind)].sort(
        (a, b) => ['new_season', 'next_entry', 'planned'].indexOf(a!) - ['new_season', 'next_entry', 'planned'].indexOf(b!),
      ),
    );
    // The card's other entries come later in release order, none already on the list.
    const steinsGate = catalog.franchises.of(9253)!;
    for (const more of byTitle.get('Steins;Gate 0')!.franchise!.more)
      assert.ok(steinsGate.entries.includes(more.anime.id) && more.anime.id !== 9253);
  });

  it('counts a season skipped between listed entries, and says it was skipped', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/continue/from-titles',
      payload: {
        titles: [
          { id: 16498, score: 9, status: 'completed' },
          { id: 35760, score: 8, status: 'completed' },
        ],
        k: 5,
      }, // Shingeki no Kyojin, its Season 3
    });
    assert.equal(res.statusCode, 200, res.body);
    const { items } = res.json() as { items: Item[] };
    const aot = items.find((i) => franchiseOf(i.anime.id) === franchiseOf(16498));
    assert.ok(aot, JSON.stringify(items.map((i) => i.anime.title)));
    assert.equal(aot.anime.title, 'Shingeki no Kyojin Season 2');
    assert.match(aot.reason, /^Skipped in .*between entries you listed/);
  });

  it('works for a stored user, and says so when there is nothing to continue', async () => {
    const known = await app.inject({ method: 'GET', url: '/v1/users/1/continue?k=5' });
    assert.equal(known.statusCode, 200, known.body);
    const body = known.json() as { mode: string; items: Item[]; user: object };
    assert.equal(body.mode, 'continue');
    assert.ok(body.items.length <= 5);
    const alone = await app.inject({ method: 'POST', url: '/v1/continue/from-titles', payload: { titles: [{ id: 32281, score: 9 }] } });
    assert.equal(alone.statusCode, 200, alone.body);
    assert.equal(alone.json().items.length, 0);
    assert.match(alone.json().notes[0], /Nothing to continue/);
    const bad = await app.inject({ method: 'POST', url: '/v1/continue/from-titles', payload: { titles: [{ id: 9253 }], k: 0 } });
    assert.equal(bad.statusCode, 400);
  });
});
