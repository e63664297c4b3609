/**
 * Why a title is recommended (src/recommend/reasons.ts): which liked titles "because you liked"
 * names, loved-tag reasons, the tag-similarity fallback, titles nobody rated yet, the fallback
 * when nothing explains an item, and the popular/taste sentences. Real titles of the bundled
 * catalogue, with neighbour lists written by hand so the rule under test decides the outcome.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { BundleManifest, ModelBundle } from '../../src/models/bundle.js';
import type { Recommender } from '../../src/models/types.js';
import { Catalog } from '../../src/recommend/catalog.js';
import { EXPLAINED_LIKES, popularReason, ReasonBuilder, tasteReason, type LikedItem, type Reason } from '../../src/recommend/reasons.js';
import { TagSimilarity, type ItemSimilarity, type SimilaritySources } from '../../src/recommend/similar-items.js';
import { anime } from '../models/content/fixtures.js';
import { realCatalog, realTitle } from './real-catalog.js';

// Item index → MAL id of the bundle the reasons are built for.
const SG = 0; // Steins;Gate (White Fox)
const SG0 = 1; // Steins;Gate 0
const CG = 2; // Code Geass: Hangyaku no Lelouch
const R2 = 3; // Code Geass: Hangyaku no Lelouch R2
const SNK = 4; // Shingeki no Kyojin
const FRIEREN = 5; // Sousou no Frieren (Madhouse)
const FRIEREN2 = 6; // Sousou no Frieren 2nd Season, airing
const REZERO = 7; // Re:Zero kara Hajimeru Isekai Seikatsu (White Fox)
const BEBOP = 8; // Cowboy Bebop (no year, no studio in the bundled data)
const ATELIER = 9; // Tongari Boushi no Atelier, upcoming spring 2026 (BUG FILMS)
const IDS: [number, string][] = [
  [9253, 'Steins;Gate'],
  [30484, 'Steins;Gate 0'],
  [1575, 'Code Geass: Hangyaku no Lelouch'],
  [2904, 'Code Geass: Hangyaku no Lelouch R2'],
  [16498, 'Shingeki no Kyojin'],
  [52991, 'Sousou no Frieren'],
  [59978, 'Sousou no Frieren 2nd Season'],
  [31240, 'Re:Zero kara Hajimeru Isekai Seikatsu'],
  [1, 'Cowboy Bebop'],
  [51553, 'Tongari Boushi no Atelier'],
];
/** Items past the named ones are ids the catalogue does not have (named "anime <id>"). */
const N_ITEMS = IDS.length + 50;
const unknownId = (item: number): number => 900_000 + item;

let catalog: Catalog;

/** A bundle over the items above; `unrated` items have popularity 0 (nobody listed them in training). */
function bundle(unrated: number[] = []): ModelBundle {
  const itemIds = Int32Array.from({ length: N_ITEMS }, (_, i) => IDS[i]?.[0] ?? unknownId(i));
  const popularity = new Float32Array(N_ITEMS).fill(2);
  for (const item of unrated) popularity[item] = 0;
  return {
    manifest: {} as BundleManifest,
    recommender: {} as Recommender,
    itemIds,
    itemIndex: new Map(Array.from(itemIds, (id, i) => [id, i])),
    popularity,
  };
}

/** Neighbour lists written by hand: item → [neighbour, similarity][], best first. Records the k each call asked for. */
function neighbours(lists: Record<number, [number, number][]>): ItemSimilarity & { asked: number[] } {
  const asked: number[] = [];
  return {
    asked,
    similarItems(item: number, k: number) {
      asked.push(k);
      const list = (lists[item] ?? []).slice(0, k);
      return { items: Int32Array.from(list, ([i]) => i), scores: Float32Array.from(list, ([, s]) => s) };
    },
  };
}

const NONE = neighbours({});
const like = (item: number, weight = 1, score?: number): LikedItem => ({ item, weight, ...(score !== undefined ? { score } : {}) });

function builder(options: {
  collaborative?: ItemSimilarity;
  collaborativeName?: string;
  content?: ItemSimilarity;
  contentName?: string;
  liked: LikedItem[];
  loved?: [string, number][];
  unrated?: number[];
  targets?: number[];
}): ReasonBuilder {
  const b = bundle(options.unrated);
  const sources: SimilaritySources = {
    collaborative: options.collaborative ? { name: options.collaborativeName ?? 'itemknn', model: options.collaborative } : null,
    content: { name: options.contentName ?? 'content', model: options.content ?? NONE },
  };
  return new ReasonBuilder(b, catalog, sources, options.liked, new Map(options.loved ?? []), options.targets);
}

const kinds = (reasons: Reason[]): string[] => reasons.map((r) => r.kind);

before(async () => {
  catalog = await realCatalog();
  for (const [id, title] of IDS) realTitle(catalog, id, title);
});

describe('ReasonBuilder: because you liked', () => {
  // Each liked title's list is scaled by its best score, then weighted by how much it is liked:
  // for R2, Code Geass gives 1 × 0.8/0.8 = 1, Shingeki 0.5 × 0.9/0.9 = 0.45, Steins;Gate 1 × 0.3/0.9 = 0.33.
  const collaborative = neighbours({
    [SG]: [
      [SG0, 0.9],
      [R2, 0.3],
    ],
    [CG]: [
      [R2, 0.8],
      [SG0, 0.4],
    ],
    [SNK]: [
      [R2, 0.9],
      [SG0, 0.45],
    ],
  });
  const liked = [like(SG, 1), like(CG, 1), like(SNK, 0.45)];

  it('names the two liked titles that pull the item up most, strongest first, with their ids', () => {
    const reasons = builder({ collaborative, liked }).explain(R2);
    assert.deepEqual(reasons, [
      {
        kind: 'because_you_liked',
        text: 'Because you liked Code Geass: Hangyaku no Lelouch and Shingeki no Kyojin',
        animeIds: [1575, 16498],
      },
    ]);
    const other = builder({ collaborative, liked }).explain(SG0);
    assert.equal(other[0]!.text, 'Because you liked Steins;Gate and Code Geass: Hangyaku no Lelouch');
    assert.deepEqual(other[0]!.animeIds, [9253, 1575]);
  });

  it('how much a title is liked changes who is named', () => {
    const reasons = builder({ collaborative, liked: [like(SG, 5), like(CG, 1), like(SNK, 0.1)] }).explain(R2);
    assert.deepEqual(reasons[0]!.animeIds, [9253, 1575], 'Steins;Gate 5 × 0.33 now beats Code Geass');
  });

  it('one contributor reads as one title; collaborative and content votes add up', () => {
    const content = neighbours({ [SNK]: [[FRIEREN, 1]], [FRIEREN]: [[REZERO, 0.5]] });
    assert.equal(builder({ collaborative, content, liked }).explain(FRIEREN)[0]!.text, 'Because you liked Shingeki no Kyojin');
    // For SG0, Shingeki's collaborative vote (0.6 × 0.45/0.9 = 0.3) trails Code Geass (0.4/0.8 = 0.5);
    // its content vote (0.6 × 0.5/1 = 0.3) on top puts it ahead.
    const three = [like(SG, 1), like(CG, 1), like(SNK, 0.6)];
    assert.deepEqual(builder({ collaborative, liked: three }).explain(SG0)[0]!.animeIds, [9253, 1575]);
    const both = neighbours({
      [SNK]: [
        [FRIEREN, 1],
        [SG0, 0.5],
      ],
    });
    assert.deepEqual(builder({ collaborative, content: both, liked: three }).explain(SG0)[0]!.animeIds, [9253, 16498]);
  });

  it('asks item-kNN for 100 neighbours and the content model for 50 per liked title', () => {
    const c = neighbours({});
    const t = neighbours({});
    builder({ collaborative: c, content: t, liked }).explain(R2);
    assert.deepEqual(c.asked, [100, 100, 100]);
    assert.deepEqual(t.asked, [50, 50, 50]);
  });

  it('only item-kNN neighbour lists are read as collaborative (ALS would score the whole catalogue)', () => {
    const reasons = builder({ collaborative, collaborativeName: 'als', liked }).explain(R2);
    assert.deepEqual(reasons, [{ kind: 'similar_users', text: 'Popular with users who share your taste' }]);
  });

  it(`only the ${EXPLAINED_LIKES} strongest likes are read; a title outside the catalogue is named by its id`, () => {
    // 41 liked unknown titles; only the weakest has the target as a neighbour.
    const many = Array.from({ length: EXPLAINED_LIKES + 1 }, (_, i) => like(IDS.length + i, EXPLAINED_LIKES + 1 - i));
    const weakest = many.at(-1)!;
    const lists = neighbours({ [weakest.item]: [[R2, 1]] });
    assert.equal(kinds(builder({ collaborative: lists, liked: many }).explain(R2))[0], 'similar_users');
    const promoted = many.map((l) => (l === weakest ? { ...l, weight: 100 } : l));
    assert.equal(
      builder({ collaborative: lists, liked: promoted }).explain(R2)[0]!.text,
      `Because you liked anime ${unknownId(weakest.item)}`,
    );
  });

  it('with targets, votes are collected only for them', () => {
    const targeted = builder({ collaborative, liked, targets: [SG0] });
    assert.deepEqual(targeted.explain(SG0), builder({ collaborative, liked }).explain(SG0));
    assert.equal(targeted.explain(R2)[0]!.kind, 'similar_users');
  });

  it('with nothing to say, the item came from the user-level signal', () => {
    assert.deepEqual(builder({ collaborative, liked: [] }).explain(R2), [
      { kind: 'similar_users', text: 'Popular with users who share your taste' },
    ]);
    assert.deepEqual(builder({ collaborative, liked }).explain(BEBOP), [
      { kind: 'similar_users', text: 'Popular with users who share your taste' },
    ]);
  });
});

describe('ReasonBuilder: loved tags', () => {
  const loved: [string, number][] = [
    ['Sci-Fi', 3],
    ['Time Travel', 5],
    ['Mecha', 1],
    ['Military', 2],
  ];

  it("matchingTags gives at most two of the title's loved genres and themes, strongest first", () => {
    const b = builder({ liked: [], loved });
    assert.deepEqual(b.matchingTags(30484), ['Time Travel', 'Sci-Fi']);
    assert.deepEqual(b.matchingTags(1575), ['Sci-Fi', 'Military'], 'Mecha is loved too, but weakest');
    assert.deepEqual(b.matchingTags(16498), ['Military']);
    assert.deepEqual(b.matchingTags(52991), []);
    assert.deepEqual(b.matchingTags(123_456_789), [], 'a title the catalogue does not have');
    assert.deepEqual(builder({ liked: [] }).matchingTags(30484), [], 'nothing loved');
  });

  it('a loved-tag reason follows "because you liked", or stands alone', () => {
    const collaborative = neighbours({ [SG]: [[SG0, 1]] });
    const reasons = builder({ collaborative, liked: [like(SG)], loved }).explain(SG0);
    assert.deepEqual(kinds(reasons), ['because_you_liked', 'taste_match']);
    assert.deepEqual(reasons[1], {
      kind: 'taste_match',
      text: 'Matches your love of time travel and sci-fi',
      tags: ['Time Travel', 'Sci-Fi'],
    });
    assert.deepEqual(builder({ liked: [], loved }).explain(SNK), [
      { kind: 'taste_match', text: 'Matches your love of military', tags: ['Military'] },
    ]);
  });
});

describe('ReasonBuilder: catalogue-tag similarity (a bundle without a content model)', () => {
  it('names liked titles sharing at least half their tags, and only those', () => {
    const b = bundle();
    const tags = new TagSimilarity(b, catalog);
    assert.ok(tags.pair(SG, SG0) >= 0.5, `Steins;Gate and its sequel share most tags (${tags.pair(SG, SG0)})`);
    assert.ok(tags.pair(FRIEREN, SG0) < 0.5);
    const sources: SimilaritySources = { collaborative: null, content: { name: 'tags', model: tags } };
    // Frieren is liked more, but it is not similar enough to count.
    const reasons = new ReasonBuilder(b, catalog, sources, [like(FRIEREN, 3), like(SG, 1)], new Map()).explain(SG0);
    assert.deepEqual(reasons, [{ kind: 'because_you_liked', text: 'Because you liked Steins;Gate', animeIds: [9253] }]);
    const unrelated = new ReasonBuilder(b, catalog, sources, [like(FRIEREN, 3)], new Map()).explain(SG0);
    assert.equal(unrelated[0]!.kind, 'similar_users');
  });
});

describe('ReasonBuilder: titles nobody rated yet', () => {
  it("a new season of a liked title says it continues it, with the user's score, before other reasons", () => {
    const collaborative = neighbours({ [FRIEREN]: [[FRIEREN2, 1]] });
    const reasons = builder({ collaborative, liked: [like(FRIEREN, 1, 10)], unrated: [FRIEREN2] }).explain(FRIEREN2);
    assert.deepEqual(reasons[0], {
      kind: 'new_title',
      text: 'Airing now: continues Sousou no Frieren, which you rated 10',
      animeIds: [52991],
    });
    assert.deepEqual(kinds(reasons), ['new_title', 'because_you_liked']);
  });

  it('else the studio behind a liked title (no score: no "which you rated")', () => {
    const reasons = builder({ liked: [like(FRIEREN, 2, 9), like(SG, 1, 0)], unrated: [REZERO] }).explain(REZERO);
    assert.deepEqual(reasons, [
      { kind: 'new_title', text: 'New (spring 2016), from White Fox, the studio behind Steins;Gate', animeIds: [9253] },
    ]);
  });

  it('else the loved tags, said once', () => {
    const reasons = builder({
      liked: [like(FRIEREN, 1, 9)],
      loved: [
        ['Isekai', 2],
        ['Time Travel', 4],
      ],
      unrated: [REZERO],
    }).explain(REZERO);
    assert.deepEqual(reasons, [
      { kind: 'new_title', text: 'New (spring 2016): matches your love of time travel and isekai', tags: ['Time Travel', 'Isekai'] },
    ]);
  });

  it('else what it is; upcoming titles say when they come', () => {
    assert.deepEqual(builder({ liked: [like(FRIEREN)], unrated: [ATELIER] }).explain(ATELIER), [
      { kind: 'new_title', text: 'Coming in spring 2026: no ratings here yet, picked for its genres, studio and story' },
    ]);
    assert.equal(
      builder({ liked: [], unrated: [BEBOP] }).explain(BEBOP)[0]!.text,
      'New: no ratings here yet, picked for its genres, studio and story',
    );
  });

  it('the lead follows status, season and year', () => {
    const titles = [
      anime(1, { status: 'upcoming', year: null, season: null }),
      anime(2, { status: 'upcoming', year: 2027, season: null }),
      anime(3, { status: 'finished', year: 2015, season: null }),
      anime(4, { status: 'airing', year: 2025, season: 'fall' }),
      anime(5, { status: null, year: 2020, season: 'summer' }),
    ];
    const small = new Catalog(titles);
    const b: ModelBundle = { ...bundle(), itemIds: Int32Array.of(1, 2, 3, 4, 5), itemIndex: new Map(), popularity: new Float32Array(5) };
    const reasons = new ReasonBuilder(b, small, { collaborative: null, content: { name: 'content', model: NONE } }, [], new Map());
    const leads = [0, 1, 2, 3, 4].map((item) => reasons.explain(item)[0]!.text.split(':')[0]);
    assert.deepEqual(leads, ['Coming soon', 'Coming in 2027', 'New (2015)', 'Airing now', 'New (summer 2020)']);
  });
});

describe('tasteReason and popularReason', () => {
  it('tasteReason joins tags in lower case and copies them', () => {
    const tags = ['Mecha', 'Space', 'Military'];
    const reason = tasteReason(tags);
    assert.deepEqual(reason, { kind: 'taste_match', text: 'Matches your love of mecha, space and military', tags });
    assert.notEqual(reason.tags, tags);
    assert.equal(tasteReason(['Isekai']).text, 'Matches your love of isekai');
  });

  it('popularReason gives the real popularity rank and MAL score', () => {
    const rank = catalog.popularityRank.get(9253);
    assert.ok(rank !== undefined && rank < 100, `Steins;Gate is among the most listed (#${rank})`);
    assert.deepEqual(popularReason(9253, catalog), { kind: 'popular', text: `Widely loved: #${rank} most popular, rated 9.07 on MAL` });
    const unscored = realTitle(catalog, 3786, 'Evangelion: 3.0+1.0');
    assert.equal(unscored.malScore, null);
    assert.equal(popularReason(3786, catalog).text, `Widely loved: #${catalog.popularityRank.get(3786)} most popular`);
  });

  it('popularReason without facts falls back to a plain sentence', () => {
    assert.deepEqual(popularReason(123_456_789, catalog), { kind: 'popular', text: 'Popular with anirec users' });
    const small = new Catalog([anime(1, { members: null, malScore: null }), anime(2, { members: null, malScore: 7.5 })]);
    assert.equal(popularReason(1, small).text, 'Popular with anirec users');
    assert.equal(popularReason(2, small).text, 'Widely loved: rated 7.50 on MAL');
  });
});
