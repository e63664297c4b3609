/** The season filter's pieces on their own: parsing, the clock's season, and what compileFilters lets through. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Anime } from '../../src/data/types.js';
import { emptyAnime } from '../../src/store/index.js';
import { Catalog } from '../../src/recommend/catalog.js';
import { compileFilters, FilterError, parseSeason, resolveSeasonFilter, seasonOfDate } from '../../src/recommend/filters.js';
import { continuesSeries, seriesStem } from '../../src/data/franchises/title-stems.js';
import { ListedSeries } from '../../src/recommend/series.js';
import { Franchises } from '../../src/data/franchises/franchises.js';

const anime = (id: number, fields: Partial<Anime>): Anime => ({ ...emptyAnime(id), title: `anime ${id}`, ...fields });

describe('seasonOfDate (MAL seasons, UTC)', () => {
  const cases: [string, string][] = [
    ['2025-01-01T00:00:00Z', '2025-winter'],
    ['2025-03-31T23:59:59Z', '2025-winter'],
    ['2025-04-01T00:00:00Z', '2025-spring'],
    ['2025-06-30T23:59:59Z', '2025-spring'],
    ['2025-07-01T00:00:00Z', '2025-summer'],
    ['2025-09-30T23:59:59Z', '2025-summer'],
    ['2025-10-01T00:00:00Z', '2025-fall'],
    ['2025-12-31T23:59:59Z', '2025-fall'],
  ];
  for (const [at, season] of cases) {
    it(`${at} is ${season}`, () => {
      const ref = seasonOfDate(new Date(at));
      assert.equal(`${ref.year}-${ref.season}`, season);
    });
  }

  it('resolveSeasonFilter replaces only "current"', () => {
    const now = new Date('2016-05-01T12:00:00Z');
    assert.deepEqual(resolveSeasonFilter({ season: 'current', genres: ['Action'] }, now), { season: '2016-spring', genres: ['Action'] });
    assert.deepEqual(resolveSeasonFilter({ season: '2015-fall' }, now), { season: '2015-fall' });
    assert.deepEqual(resolveSeasonFilter({}, now), {});
  });
});

describe('parseSeason and compileFilters', () => {
  const catalog = new Catalog([
    anime(1, { year: 2016, season: 'spring' }),
    anime(2, { year: 2016, season: 'summer' }),
    anime(3, { year: 2016, season: null }),
    anime(4, { year: null, season: 'spring' }),
    anime(5, { year: 2015, season: 'spring' }),
  ]);

  it('parses YEAR-SEASON and nothing else', () => {
    assert.deepEqual(parseSeason('2025-fall'), { year: 2025, season: 'fall' });
    for (const bad of ['2025-autumn', '2025', 'fall-2025', '2025-Fall', '25-fall', '2025-fall ', 'current', ''])
      assert.equal(parseSeason(bad), null, bad);
  });

  it('lets through only titles of that year and season; unknown seasons and years do not pass', () => {
    const allowed = compileFilters({ season: '2016-spring' }, catalog);
    assert.deepEqual(
      catalog.anime.filter((a) => allowed(a)).map((a) => a.animeId),
      [1],
    );
  });

  it('refuses a malformed season as a FilterError naming the field and the form', () => {
    assert.throws(
      () => compileFilters({ season: '0999-fall' }, catalog),
      (e: unknown) =>
        e instanceof FilterError && e.field === 'season' && /YEAR-SEASON .*winter, spring, summer, fall.*or current/.test(e.message),
    );
    assert.throws(() => compileFilters({ season: 'autumn' }, catalog), FilterError);
  });

  it('refuses an unresolved "current" (a caller forgot the clock), not as a bad request', () => {
    assert.throws(
      () => compileFilters({ season: 'current' }, catalog),
      (e: unknown) => !(e instanceof FilterError) && /resolveSeasonFilter/.test(String(e)),
    );
  });
});

describe('series matching by title stem', () => {
  it('a sequel starts with its series title; shared words elsewhere are not enough', () => {
    assert.ok(continuesSeries(seriesStem('Ushio to Tora (TV) 2nd Season'), seriesStem('Ushio to Tora (TV)')));
    assert.ok(continuesSeries(seriesStem('Haikyuu!! Second Season'), seriesStem('Haikyuu!!')));
    assert.ok(continuesSeries(seriesStem('Shingeki no Kyojin Season 2'), seriesStem('Shingeki no Kyojin')));
    assert.ok(!continuesSeries(seriesStem('High School Fleet'), seriesStem('High School of the Dead')));
    assert.ok(!continuesSeries(seriesStem('Days'), seriesStem('91 Days')), 'numbers are part of a name');
    assert.ok(!continuesSeries(seriesStem('Brave Beats'), seriesStem('Brave 10')));
  });

  it('matches the best-liked listed title, needs shared tags, and never an older title', () => {
    const original = anime(10, { title: 'Monster', year: 2004, genres: ['Drama', 'Mystery'], demographics: ['Seinen'] });
    const sequel = anime(11, { title: 'Noragami Aragoto', year: 2015, genres: ['Action', 'Supernatural'] });
    const noragami = anime(12, { title: 'Noragami', year: 2014, genres: ['Action', 'Supernatural', 'Comedy'] });
    const noragamiOva = anime(13, { title: 'Noragami OVA', year: 2014, genres: ['Action', 'Supernatural'] });
    const monsterMusume = anime(14, {
      title: 'Monster Musume no Iru Nichijou',
      year: 2015,
      genres: ['Comedy', 'Romance'],
      demographics: ['Seinen'],
    });
    const prequel = anime(15, { title: 'Noragami Aragoto', year: 2010, genres: ['Action', 'Supernatural'] });
    const franchises = Franchises.build([original, sequel, noragami, noragamiOva, monsterMusume, prequel]);
    const series = new ListedSeries(
      [
        { anime: original, weight: 1.5 },
        { anime: noragami, weight: 0.5 },
        { anime: noragamiOva, weight: 1 },
      ],
      franchises,
    );
    assert.deepEqual(series.match(sequel), { listedId: 13, weight: 1 }, 'the OVA was liked more');
    assert.equal(series.match(monsterMusume), null, 'a first word and little else in common');
    assert.equal(series.match(prequel), null, 'an older title does not continue a newer one');
  });
});
