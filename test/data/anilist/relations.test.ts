import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { fetchMediaPages, fetchUserList, type AniListClientOptions } from '../../../src/data/anilist/index.js';
import { ANILIST_RELATIONS, mapRelations, mapRelationType, type AniListMedia, type AniListMediaEdge } from '../../../src/data/anilist/mapping.js';
import { RELATION_TYPES, type TitleRelations } from '../../../src/data/types.js';
import { FIXTURES, ReplayServer } from './replay-server.js';

const edge = (relationType: string, idMal: number | null, type: string | null = 'ANIME'): AniListMediaEdge => ({
  relationType,
  node: { id: 100000 + (idMal ?? 0), idMal, type },
});
const media = (idMal: number | null, edges: Array<AniListMediaEdge | null> | undefined): AniListMedia => ({
  id: 1,
  idMal,
  ...(edges === undefined ? {} : { relations: { edges } }),
});

describe('mapRelationType', () => {
  it("maps every AniList relation type onto MyAnimeList's vocabulary", () => {
    assert.deepEqual(
      ['SEQUEL', 'PREQUEL', 'SIDE_STORY', 'PARENT', 'SUMMARY', 'COMPILATION', 'CONTAINS', 'ALTERNATIVE', 'SPIN_OFF', 'CHARACTER', 'OTHER', 'ADAPTATION', 'SOURCE'].map(mapRelationType),
      ['sequel', 'prequel', 'side_story', 'parent_story', 'summary', 'summary', 'full_story', 'alternative_version', 'spin_off', 'character', 'other', 'other', 'other'],
    );
    for (const relation of Object.values(ANILIST_RELATIONS)) assert.ok(RELATION_TYPES.includes(relation), relation);
  });

  it('returns null for types it does not know, including names on Object.prototype', () => {
    assert.deepEqual(['NEW_KIND', 'sequel', 'constructor', 'toString', '', null, undefined].map(mapRelationType), [null, null, null, null, null, null, null]);
  });
});

describe('mapRelations', () => {
  it('keeps anime with a MAL id, once each, and drops manga, ids it cannot join and self links', () => {
    const mapped = mapRelations(
      media(16498, [
        edge('SEQUEL', 25777),
        edge('SEQUEL', 25777),
        edge('PREQUEL', 25777),
        edge('COMPILATION', 23775),
        edge('CONTAINS', 16498),
        edge('ADAPTATION', 23390, 'MANGA'),
        edge('SOURCE', 18397, 'ANIME'),
        edge('SIDE_STORY', null),
        edge('SIDE_STORY', 18397, null),
        edge('SPIN_OFF', 0),
        edge('WHATEVER_NEXT', 20000),
        null,
        { relationType: 'OTHER', node: null },
      ]),
    );
    assert.deepEqual(mapped, {
      animeId: 16498,
      relations: [
        { relatedId: 25777, relation: 'sequel' },
        { relatedId: 25777, relation: 'prequel' },
        { relatedId: 23775, relation: 'summary' },
        { relatedId: 18397, relation: 'other' },
      ],
    });
  });

  it('tells "no relations" from "relations not asked for"', () => {
    assert.deepEqual(mapRelations(media(9253, [])), { animeId: 9253, relations: [] });
    assert.deepEqual(mapRelations(media(9253, [edge('ADAPTATION', 17517, 'MANGA')])), { animeId: 9253, relations: [] });
    assert.equal(mapRelations(media(9253, undefined)), null);
    assert.equal(mapRelations({ id: 1, idMal: 9253, relations: null }), null);
    assert.equal(mapRelations(media(null, [edge('SEQUEL', 30484)])), null, 'a title without a MAL id has nothing to join to');
  });

  it('maps the Steins;Gate fixture to relations between real MAL ids', () => {
    const body = JSON.parse(readFileSync(join(FIXTURES, 'media-steinsgate-page-1.json'), 'utf8')) as { data: { Page: { media: AniListMedia[] } } };
    const lists = body.data.Page.media.map(mapRelations);
    assert.deepEqual(lists, [
      {
        animeId: 9253,
        relations: [
          { relatedId: 30484, relation: 'sequel' },
          { relatedId: 11577, relation: 'sequel' },
          { relatedId: 10863, relation: 'side_story' },
          { relatedId: 32188, relation: 'side_story' },
          { relatedId: 27957, relation: 'spin_off' },
        ],
      },
      { animeId: 11577, relations: [{ relatedId: 9253, relation: 'prequel' }] },
      { animeId: 30484, relations: [{ relatedId: 9253, relation: 'prequel' }] },
    ]);
  });
});

describe('relations through the client', () => {
  const server = new ReplayServer();
  const opts = (): AniListClientOptions => ({ endpoint: server.endpoint, sleep: async () => {}, random: () => 0.5 });
  const collect = async <T>(gen: AsyncIterable<T>): Promise<T[]> => {
    const out: T[] = [];
    for await (const x of gen) out.push(x);
    return out;
  };
  before(async () => {
    await server.start();
  });
  after(async () => {
    await server.close();
  });
  beforeEach(() => server.reset());

  it('the catalogue pages ask for typed relation edges and carry one list per title', async () => {
    const pages = await collect(fetchMediaPages({ perPage: 3 }, opts()));
    assert.equal(server.requests.length, 2);
    for (const request of server.requests) {
      assert.match(request.query, /relations \{ edges \{ relationType\(version: 2\) node \{ id idMal type \} \} \}/);
    }
    const lists: TitleRelations[] = pages.flatMap((p) => p.relations);
    assert.deepEqual(
      lists.map((l) => l.animeId),
      pages.flatMap((p) => p.anime.map((a) => a.animeId)),
      'every importable title has its list; the one without a MAL id has none',
    );
    assert.deepEqual(lists, [
      {
        animeId: 1,
        relations: [
          { relatedId: 5, relation: 'side_story' },
          { relatedId: 4037, relation: 'summary' },
          { relatedId: 17205, relation: 'side_story' },
        ],
      },
      { animeId: 5, relations: [{ relatedId: 1, relation: 'parent_story' }] },
      {
        animeId: 6,
        relations: [
          { relatedId: 4106, relation: 'side_story' },
          { relatedId: 52093, relation: 'alternative_version' },
        ],
      },
      { animeId: 8, relations: [{ relatedId: 1123, relation: 'sequel' }] },
    ]);
  });

  it('the changed-titles query asks for relations too', async () => {
    server.mediaPages = 'media-steinsgate-page';
    const pages = await collect(fetchMediaPages({ updatedSince: Date.UTC(2024, 0, 1) }, opts()));
    assert.match(server.requests[0]!.query, /updatedAt_greater/);
    assert.match(server.requests[0]!.query, /relationType\(version: 2\)/);
    const steinsGate = pages[0]!.relations.find((l) => l.animeId === 9253);
    assert.ok(steinsGate);
    assert.deepEqual(steinsGate.relations[0], { relatedId: 30484, relation: 'sequel' });
  });

  it("a person's list brings no relations, even when the answer has edges", async () => {
    const chunks = await collect(fetchUserList('Yuki', opts()));
    assert.ok(chunks.length > 0);
    assert.ok(chunks.some((c) => c.anime.some((a) => a.animeId === 9253)), 'the fixture lists Steins;Gate, whose media has a relation edge');
    assert.doesNotMatch(server.requests[0]!.query, /relations/);
    for (const chunk of chunks) assert.equal(chunk.relations, undefined);
  });
});
