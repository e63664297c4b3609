/**
 * Filters restrict the candidates before retrieval and ranking (issue 12): on the bundled
 * catalogues and a slice of the bundled 2016 ratings, with the default hybrid model, a filtered
 * request in every mode returns `k` model-ranked titles whenever the catalogue has `k` matching
 * titles — including titles released after the ratings, which nobody in the training data rated.
 * Before, a known user asking for yearMin=2017 or status=airing got an empty list.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLED_CATALOGUES } from '../../src/data/bundled.js';
import type { Anime } from '../../src/data/types.js';
import type { ModelBundle } from '../../src/models/bundle.js';
import { DEFAULT_MODEL_PARAMS, trainBundle } from '../../src/models/train-model.js';
import { loadTrainingSet } from '../../src/models/training-set.js';
import { RecommendationEngine, type RecommendationList } from '../../src/recommend/engine.js';
import { compileFilters, type RecommendationFilters } from '../../src/recommend/filters.js';
import type { HistoryEntry } from '../../src/recommend/taste-profile.js';
import { importFiles, SqliteStore, type Store } from '../../src/store/index.js';
import { ratingsSlice } from '../server/setup.js';

let dir: string;
let store: Store;
let bundle: ModelBundle;
let engine: RecommendationEngine;
/** Known users of the slice with long lists, and a new user's pasted list (mecha and space opera fans). */
let knownLists: HistoryEntry[][];
const pastedList: HistoryEntry[] = [
  { animeId: 1, score: 10, status: 'completed' }, // Cowboy Bebop
  { animeId: 30, score: 9, status: 'completed' }, // Neon Genesis Evangelion
  { animeId: 2001, score: 9, status: 'completed' }, // Tengen Toppa Gurren Lagann
  { animeId: 1575, score: 9, status: 'completed' }, // Code Geass
  { animeId: 820, score: 8, status: 'completed' }, // Ginga Eiyuu Densetsu
];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'anirec-filtered-'));
  store = SqliteStore.open(join(dir, 'anirec.db'));
  const ratings = join(dir, 'ratings.csv');
  await ratingsSlice(ratings, 25_000);
  await importFiles(store, [...BUNDLED_CATALOGUES.map((path) => ({ path })), { path: ratings, userSource: 'kaggle2016' }]);
  const set = await loadTrainingSet(store);
  bundle = await trainBundle('anirec', set.data, set.catalogue, DEFAULT_MODEL_PARAMS, { seed: 3 });
  engine = await RecommendationEngine.create(bundle, store, 'filtered-test');
  knownLists = [];
  for (let userId = 1; userId <= 60 && knownLists.length < 3; userId++) {
    const entries = (await store.userInteractions(userId)) as HistoryEntry[];
    if (entries.length >= 40) knownLists.push(entries);
  }
  assert.equal(knownLists.length, 3, 'the slice has three users with 40+ titles');
});

after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Catalogue titles passing `filters` that are not on `list` (what a filtered request may show). */
function eligibleTitles(filters: RecommendationFilters, list: readonly HistoryEntry[]): Anime[] {
  const passes = compileFilters(filters, engine.catalog);
  const listed = new Set(list.map((e) => e.animeId));
  return [...engine.catalog.anime].filter((a) => passes(a) && !listed.has(a.animeId) && engine.knowsAnime(a.animeId));
}

function assertFilteredPage(list: RecommendationList, filters: RecommendationFilters, entries: readonly HistoryEntry[], k: number): void {
  assert.equal(list.items.length, k, `${JSON.stringify(filters)}: ${k} items (notes: ${list.notes.join('; ')})`);
  const passes = compileFilters(filters, engine.catalog);
  const listed = new Set(entries.map((e) => e.animeId));
  for (const item of list.items) {
    assert.ok(passes(engine.catalog.get(item.anime.id)), `${item.anime.title} passes ${JSON.stringify(filters)}`);
    assert.ok(!listed.has(item.anime.id), `${item.anime.title} is not on the list`);
    assert.ok(Number.isFinite(item.score));
    assert.ok(item.reason.length > 0);
  }
  for (let i = 1; i < list.items.length; i++) assert.ok(list.items[i - 1]!.score >= list.items[i]!.score, 'ranked best first');
}

/** Filters whose matching titles are (mostly) newer than the 2016 ratings, or narrow. */
const FILTERS: RecommendationFilters[] = [
  { yearMin: 2017 },
  { yearMin: 2019 },
  { status: ['airing'] },
  { status: ['upcoming'] },
  { genres: ['Comedy'], yearMin: 2018 },
  { themes: ['Mecha'], yearMin: 2010 },
  { formats: ['Movie'], minScore: 8 },
  { yearMin: 2016, yearMax: 2016, excludeGenres: ['Comedy'] },
  { maxPopularityRank: 300 },
];

describe('filters restrict the candidates before ranking', () => {
  test('known users and a pasted list get k matching titles for every filter', () => {
    for (const filters of FILTERS) {
      for (const entries of [...knownLists, pastedList]) {
        const k = Math.min(10, eligibleTitles(filters, entries).length);
        assert.ok(k >= 5, `the bundled catalogue has titles matching ${JSON.stringify(filters)}`);
        assertFilteredPage(engine.recommend(entries, { k, filters }), filters, entries, k);
      }
    }
  });

  test('titles nobody rated reach a known user: yearMin=2017 is all titles after the 2016 ratings', () => {
    const list = engine.recommend(knownLists[0]!, { k: 20, filters: { yearMin: 2017 } });
    assert.equal(list.items.length, 20);
    const unrated = list.items.filter((item) => bundle.popularity[bundle.itemIndex.get(item.anime.id)!] === 0);
    assert.equal(unrated.length, 20, 'every title of 2017 or later is unrated in the 2016 data');
  });

  test("the order is the model's, and it follows the user: two users with different lists get different filtered lists", () => {
    const filters = { yearMin: 2017 };
    const a = engine.recommend(knownLists[0]!, { k: 10, filters }).items.map((i) => i.anime.id);
    const b = engine.recommend(pastedList, { k: 10, filters }).items.map((i) => i.anime.id);
    assert.equal(a.length, 10);
    assert.notDeepEqual(a, b);
    // Not the catalogue's popularity order either.
    const byMembers = eligibleTitles(filters, pastedList)
      .sort((x, y) => (y.members ?? 0) - (x.members ?? 0))
      .slice(0, 10)
      .map((t) => t.animeId);
    assert.notDeepEqual(b, byMembers);
  });

  test('a filtered ranking keeps the unfiltered order of the titles both rank', () => {
    // An item's ranker features do not depend on the filter, so a broad filter must not reorder
    // the titles the unfiltered list already shows.
    const entries = knownLists[1]!;
    const unfiltered = engine.recommend(entries, { k: 100 }).items;
    const filtered = engine.recommend(entries, { k: 100, filters: { excludeGenres: ['Hentai'] } }).items.map((i) => i.anime.id);
    const shared = unfiltered.map((i) => i.anime.id).filter((id) => filtered.includes(id));
    assert.ok(shared.length >= 50);
    assert.deepEqual(
      filtered.filter((id) => shared.includes(id)),
      shared,
    );
  });

  test('pages of a filtered request neither repeat nor skip', () => {
    const filters = { status: ['airing' as const] };
    const entries = knownLists[2]!;
    const whole = engine.recommend(entries, { k: 20, filters }).items.map((i) => i.anime.id);
    const first = engine.recommend(entries, { k: 10, filters }).items.map((i) => i.anime.id);
    const second = engine.recommend(entries, { k: 10, offset: 10, filters }).items.map((i) => i.anime.id);
    assert.equal(whole.length, 20);
    assert.deepEqual([...first, ...second], whole);
  });

  test('fewer matching titles than asked: all of them, and a note saying so', () => {
    const filters: RecommendationFilters = { status: ['upcoming'], themes: ['Mecha'] };
    const matching = eligibleTitles(filters, pastedList).length;
    assert.ok(matching > 0 && matching < 50, `a narrow filter (${matching} titles)`);
    // Every title (franchise: 'all'): a grouped list counts cards, tested in franchise-lists.test.ts.
    const list = engine.recommend(pastedList, { k: 50, filters, franchise: 'all' });
    assert.equal(list.items.length, matching);
    assert.ok(
      list.notes.some((n) => n.startsWith(`Only ${matching} title(s) match these filters`)),
      list.notes.join('; '),
    );
    const grouped = engine.recommend(pastedList, { k: 50, filters });
    assert.ok(grouped.items.length > 0 && grouped.items.length <= matching);
    assert.ok(
      grouped.notes.some((n) => n.startsWith(`Only ${grouped.items.length} title(s) or franchise(s) match these filters`)),
      grouped.notes.join('; '),
    );
  });

  test('more like this, filtered to titles after the ratings', () => {
    const filters = { yearMin: 2018 };
    for (const mode of ['hybrid', 'content', 'collaborative'] as const) {
      const list = engine.similar(30, mode, { k: 10, filters }); // Neon Genesis Evangelion
      assertFilteredPage(list, filters, [{ animeId: 30, score: null, status: null }], 10);
    }
  });

  test('from preferences, filtered to recent titles', () => {
    const filters = { yearMin: 2018 };
    const list = engine.fromPreferences({ likedGenres: ['Sci-Fi'], likedThemes: ['Mecha'] }, { k: 10, filters });
    assertFilteredPage(list, filters, [], 10);
  });

  test('the hybrid proposes eligible candidates: every eligible title a component can judge gets a finite score', () => {
    const eligible = new Uint8Array(bundle.itemIds.length);
    let count = 0;
    bundle.itemIds.forEach((id, i) => {
      const a = engine.catalog.get(id);
      if (a?.status === 'airing') ((eligible[i] = 1), count++);
    });
    assert.ok(count >= 20);
    const history = { items: Int32Array.of(bundle.itemIndex.get(1)!, bundle.itemIndex.get(30)!), scores: Float32Array.of(10, 9) };
    const out = new Float32Array(bundle.itemIds.length);
    bundle.recommender.scoreFoldIn(history, out, eligible);
    let finite = 0;
    for (let i = 0; i < out.length; i++) if (eligible[i] === 1 && Number.isFinite(out[i]!)) finite++;
    assert.ok(finite >= count * 0.9, `${finite} of ${count} airing titles scored`);
  });

  test('titles nobody rated say why they are there: new, airing or coming, and the link to the list', () => {
    const list = engine.recommend(knownLists[0]!, { k: 10, filters: { yearMin: 2017 } });
    assert.equal(list.items.length, 10);
    for (const item of list.items) {
      assert.equal(item.reasons[0]!.kind, 'new_title', item.reason);
      assert.match(item.reason, /^(New|Airing now|Coming)/);
    }
    // A Trigun fan asking for airing titles hears that Trigun Stargaze continues Trigun.
    const stargaze = engine.catalog.anime.find((a) => a.title === 'Trigun Stargaze');
    assert.ok(stargaze !== undefined && stargaze.status === 'airing', 'the bundled TV catalogue has Trigun Stargaze, airing');
    const trigunFan: HistoryEntry[] = [{ animeId: 6, score: 9, status: 'completed' }, ...pastedList];
    const airing = engine.recommend(trigunFan, { k: 100, filters: { status: ['airing'] } });
    const found = airing.items.find((item) => item.anime.id === stargaze.animeId);
    assert.ok(found !== undefined, 'Trigun Stargaze is among the airing titles for a Trigun fan');
    assert.equal(found.reason, 'Airing now: continues Trigun, which you rated 9');
  });

  test('a model that cannot score unrated titles says so instead of returning an empty list silently', async () => {
    const set = await loadTrainingSet(store);
    const itemknn = await trainBundle('itemknn', set.data, set.catalogue, DEFAULT_MODEL_PARAMS, { seed: 3 });
    const knn = await RecommendationEngine.create(itemknn, store, 'itemknn-test');
    const list = knn.recommend(knownLists[0]!, { k: 10, filters: { yearMin: 2017 } });
    assert.equal(list.items.length, 0);
    assert.ok(
      list.notes.some((n) => /match these filters.*the itemknn model can rank only 0 of them/.test(n)),
      list.notes.join('; '),
    );
  });
});
