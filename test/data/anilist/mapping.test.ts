import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  mapAiringStatus,
  mapFormat,
  mapListEntry,
  mapListStatus,
  mapMedia,
  mapScore,
  mapSeason,
  stripHtml,
  type AniListMedia,
} from '../../../src/data/anilist/mapping.js';
import { retryAfterMs } from '../../../src/data/anilist/client.js';

const base: AniListMedia = {
  id: 154587,
  idMal: 52991,
  title: { romaji: 'Sousou no Frieren', english: 'Frieren', native: '葬送のフリーレン' },
  synonyms: ['Frieren at the Funeral'],
  format: 'TV',
  episodes: 28,
  status: 'FINISHED',
  season: 'FALL',
  seasonYear: 2023,
  genres: ['Adventure', 'Drama'],
  tags: [
    { name: 'Shounen', category: 'Demographic', isAdult: false, rank: 90 },
    { name: 'Travel', category: 'Setting-Scene', isAdult: false, rank: 94 },
    { name: 'Elf', category: 'Cast-Traits', isAdult: false, rank: 96 },
    { name: 'Tragedy', category: 'Theme-Drama', isAdult: false, rank: 85 },
    { name: 'Time Skip', category: 'Theme-Other', isAdult: false, rank: 80, isMediaSpoiler: true },
    { name: 'Iyashikei', category: 'Theme-Slice of Life', isAdult: false, rank: 30 },
    { name: 'Nudity', category: 'Sexual Content', isAdult: true, rank: 80 },
    { name: 'Episodic', category: 'Technical', isAdult: false, rank: 80 },
  ],
  studios: { nodes: [{ name: 'Madhouse' }] },
  source: 'MANGA',
  isAdult: false,
  averageScore: 91,
  popularity: 350000,
  description: 'Life goes on.<br><br>\n<i>Note:</i> 90 minutes &amp; more &#39;quoted&#39;',
  coverImage: { large: 'https://example.invalid/cover.jpg' },
};

describe('mapMedia', () => {
  it('maps every field AniList knows, keyed by idMal', () => {
    assert.deepEqual(mapMedia(base), {
      animeId: 52991,
      title: 'Sousou no Frieren',
      titleEnglish: 'Frieren',
      titleJapanese: '葬送のフリーレン',
      synonyms: ['Frieren at the Funeral'],
      format: 'TV',
      episodes: 28,
      status: 'finished',
      year: 2023,
      season: 'fall',
      genres: ['Adventure', 'Drama'],
      themes: ['Travel', 'Elf', 'Tragedy'],
      demographics: ['Shounen'],
      studios: ['Madhouse'],
      source: 'Manga',
      adult: false,
      synopsis: "Life goes on.\n\nNote: 90 minutes & more 'quoted'",
      pictureUrl: 'https://example.invalid/cover.jpg',
    });
  });

  it('skips media without a MAL id', () => {
    assert.equal(mapMedia({ ...base, idMal: null }), null);
    assert.equal(mapMedia({ ...base, idMal: undefined }), null);
  });

  it('never fills malScore or members from AniList numbers, and omits unknowns', () => {
    const p = mapMedia({ id: 1, idMal: 9, title: { romaji: null, english: 'Only English', native: null }, format: 'CM', status: 'CANCELLED', genres: [], description: null, averageScore: 80, popularity: 10 });
    assert.deepEqual(p, { animeId: 9, title: 'Only English', titleEnglish: 'Only English' });
  });

  it('keeps adult tags on adult titles', () => {
    const p = mapMedia({ ...base, isAdult: true, tags: [{ name: 'Nudity', category: 'Theme-Other', isAdult: true, rank: 80 }] });
    assert.deepEqual(p?.themes, ['Nudity']);
    assert.equal(p?.adult, true);
  });
});

describe('enum mappings', () => {
  it('formats', () => {
    assert.deepEqual(
      ['TV', 'TV_SHORT', 'MOVIE', 'OVA', 'ONA', 'SPECIAL', 'MUSIC', 'MANGA', null].map(mapFormat),
      ['TV', 'TV', 'Movie', 'OVA', 'ONA', 'Special', 'Music', null, null],
    );
  });
  it('airing statuses', () => {
    assert.deepEqual(
      ['FINISHED', 'RELEASING', 'NOT_YET_RELEASED', 'CANCELLED', 'HIATUS'].map(mapAiringStatus),
      ['finished', 'airing', 'upcoming', null, null],
    );
  });
  it('list statuses', () => {
    assert.deepEqual(
      ['CURRENT', 'REPEATING', 'COMPLETED', 'PAUSED', 'DROPPED', 'PLANNING', 'WHAT'].map(mapListStatus),
      ['watching', 'watching', 'completed', 'on_hold', 'dropped', 'plan_to_watch', null],
    );
  });
  it('seasons', () => {
    assert.deepEqual(['WINTER', 'SPRING', 'SUMMER', 'FALL', null].map(mapSeason), ['winter', 'spring', 'summer', 'fall', null]);
  });
  it('scores: 0 means unscored, others clamp to 1–10', () => {
    assert.deepEqual([0, null, 1, 7, 10, 10.4, 11, -1].map(mapScore), [null, null, 1, 7, 10, 10, 10, null]);
  });
});

describe('mapListEntry', () => {
  it('turns updatedAt seconds into ms and keeps the line', () => {
    assert.deepEqual(mapListEntry('Yuki', { status: 'COMPLETED', score: 8, updatedAt: 1600000000, media: base }, 4), {
      user: 'Yuki',
      animeId: 52991,
      score: 8,
      status: 'completed',
      updatedAt: 1600000000000,
      line: 4,
    });
  });
  it('updatedAt 0 is unknown; no MAL id → null', () => {
    assert.equal(mapListEntry('Yuki', { status: 'PLANNING', score: 0, updatedAt: 0, media: base })?.updatedAt, null);
    assert.equal(mapListEntry('Yuki', { status: 'PLANNING', media: { ...base, idMal: null } }), null);
  });
});

describe('helpers', () => {
  it('stripHtml', () => {
    assert.equal(stripHtml('<b>A</b><br/>B &lt;3 &#x263A;'), 'A\nB <3 ☺');
    assert.equal(stripHtml('<br>'), null);
    assert.equal(stripHtml(null), null);
  });
  it('retryAfterMs', () => {
    const now = 1_000_000_000_000;
    assert.equal(retryAfterMs(new Headers({ 'Retry-After': '1' }), now), 1000);
    assert.equal(retryAfterMs(new Headers({ 'X-RateLimit-Reset': String(now / 1000 + 5) }), now), 5000);
    assert.equal(retryAfterMs(new Headers({ 'Retry-After': new Date(now + 2000).toUTCString() }), now), 2000);
    assert.equal(retryAfterMs(new Headers({}), now), undefined);
  });
});
