/**
 * Recommendation filters (src/recommend/filters.ts): every field of RecommendationFilters on a
 * small hand-built catalogue where the rule is what matters, the season helpers against a given
 * clock, the errors a bad request gets, and a few requests over the bundled catalogue.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Anime } from '../../src/data/types.js';
import { Catalog } from '../../src/recommend/catalog.js';
import {
  compileFilters,
  FilterError,
  formatSeason,
  parseSeason,
  resolveSeasonFilter,
  seasonOfDate,
  type RecommendationFilters,
} from '../../src/recommend/filters.js';
import { SEASON_FILTER_FORM } from '../../src/wire/filters.js';
import { anime } from '../models/content/fixtures.js';
import { realCatalog, realTitle } from './real-catalog.js';

// Members decide popularity ranks: 1 (most) … 5; 6 and 7 have no member count, hence no rank.
const TITLES: Anime[] = [
  anime(1, {
    title: 'Mecha War',
    genres: ['Action', 'Sci-Fi'],
    themes: ['Mecha'],
    demographics: ['Seinen'],
    year: 2020,
    season: 'fall',
    malScore: 8.5,
    members: 900_000,
    episodes: 24,
  }),
  anime(2, {
    title: 'Space Drama',
    genres: ['Drama', 'Sci-Fi'],
    themes: ['Space'],
    year: 2021,
    season: 'winter',
    malScore: 7.0,
    members: 500_000,
    format: 'Movie',
    episodes: 1,
  }),
  anime(3, {
    title: 'Club Romance',
    genres: ['Romance', 'Comedy'],
    themes: ['School'],
    demographics: ['Shoujo'],
    year: 2025,
    season: 'fall',
    status: 'airing',
    malScore: 7.9,
    members: 300_000,
  }),
  anime(4, {
    title: 'Robot Comedy',
    genres: ['Action', 'Comedy'],
    themes: ['Mecha', 'School'],
    year: 2019,
    season: 'spring',
    malScore: 6.5,
    members: 100_000,
    format: 'OVA',
    episodes: 6,
  }),
  anime(5, {
    title: 'Next Spring',
    genres: ['Fantasy'],
    year: 2026,
    season: 'spring',
    status: 'upcoming',
    malScore: null,
    members: 50_000,
    episodes: null,
  }),
  anime(6, {
    title: 'Unknown Facts',
    genres: ['Drama'],
    format: null,
    status: null,
    year: null,
    episodes: null,
    malScore: null,
    members: null,
  }),
  anime(7, { title: 'Adult Title', genres: ['Hentai'], adult: true, year: 2020, season: 'fall', malScore: 8.9, members: null }),
];
const catalog = new Catalog(TITLES);

/** Ids of the hand-built titles passing `filters`, ascending. */
function passing(filters: RecommendationFilters): number[] {
  const passes = compileFilters(filters, catalog);
  return TITLES.filter((a) => passes(a)).map((a) => a.animeId);
}

/** Runs `fn`, which must throw a FilterError; returns it. */
function filterError(fn: () => unknown): FilterError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof FilterError, `expected a FilterError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a FilterError, nothing was thrown');
}

describe('compileFilters on a hand-built catalogue', () => {
  it('empty filters pass every title except adult ones, and never an unknown title', () => {
    assert.deepEqual(passing({}), [1, 2, 3, 4, 5, 6]);
    assert.equal(compileFilters({}, catalog)(undefined), false);
    assert.deepEqual(passing({ includeAdult: true }), [1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(passing({ includeAdult: false }), [1, 2, 3, 4, 5, 6]);
  });

  it('genres: a title needs every listed genre; names are matched case-insensitively and trimmed', () => {
    assert.deepEqual(passing({ genres: ['Sci-Fi'] }), [1, 2]);
    assert.deepEqual(passing({ genres: ['Action', 'Sci-Fi'] }), [1]);
    assert.deepEqual(passing({ genres: [' action ', 'COMEDY'] }), [4]);
    assert.deepEqual(passing({ genres: [] }), [1, 2, 3, 4, 5, 6]);
  });

  it('excludeGenres drops titles with any of them, and combines with genres', () => {
    assert.deepEqual(passing({ excludeGenres: ['comedy'] }), [1, 2, 5, 6]);
    assert.deepEqual(passing({ excludeGenres: ['Comedy', 'Drama'] }), [1, 5]);
    assert.deepEqual(passing({ genres: ['Action'], excludeGenres: ['Comedy'] }), [1]);
    assert.deepEqual(passing({ genres: ['Action'], excludeGenres: ['Action'] }), [], 'a genre both wanted and excluded leaves nothing');
  });

  it('themes include demographics (Seinen, Shoujo), and all listed must be present', () => {
    assert.deepEqual(passing({ themes: ['Mecha'] }), [1, 4]);
    assert.deepEqual(passing({ themes: ['seinen'] }), [1]);
    assert.deepEqual(passing({ themes: ['Mecha', 'School'] }), [4]);
    assert.deepEqual(passing({ themes: ['Mecha', 'Seinen'] }), [1], 'a theme and a demographic together');
  });

  it('excludeThemes drops titles with the theme or demographic', () => {
    assert.deepEqual(passing({ excludeThemes: ['School'] }), [1, 2, 5, 6]);
    assert.deepEqual(passing({ excludeThemes: ['Shoujo'] }), [1, 2, 4, 5, 6]);
    assert.deepEqual(passing({ themes: ['Mecha'], excludeThemes: ['School'] }), [1]);
  });

  it('an unknown genre or theme is a FilterError naming the field and the value, with suggestions', () => {
    const typo = filterError(() => compileFilters({ genres: ['Acton'] }, catalog));
    assert.equal(typo.field, 'genres');
    assert.equal(typo.name, 'FilterError');
    assert.deepEqual(typo.suggestions[0], 'Action');
    assert.match(typo.message, /unknown genre "Acton"\. Did you mean "Action"/);
    assert.match(typo.message, /GET \/v1\/tags lists every genre/);

    const theme = filterError(() => compileFilters({ excludeThemes: ['Mecah'] }, catalog));
    assert.equal(theme.field, 'excludeThemes');
    assert.deepEqual(theme.suggestions, ['Mecha']);
    assert.match(theme.message, /unknown theme "Mecah"\. Did you mean "Mecha"\?/);

    const nothingClose = filterError(() => compileFilters({ themes: ['Zzzzqx'] }, catalog));
    assert.equal(nothingClose.field, 'themes');
    assert.deepEqual(nothingClose.suggestions, []);
    assert.doesNotMatch(nothingClose.message, /Did you mean/);

    assert.equal(filterError(() => compileFilters({ excludeGenres: ['Nope'] }, catalog)).field, 'excludeGenres');
    // Genres and themes are separate vocabularies: a theme is not a genre.
    assert.equal(filterError(() => compileFilters({ genres: ['Mecha'] }, catalog)).field, 'genres');
    assert.equal(filterError(() => compileFilters({ themes: ['Action'] }, catalog)).field, 'themes');
  });

  it('formats and status: one of the listed values; an empty list restricts nothing; unknown values never pass', () => {
    assert.deepEqual(passing({ formats: ['TV'] }), [1, 3, 5]);
    assert.deepEqual(passing({ formats: ['Movie', 'OVA'] }), [2, 4]);
    assert.deepEqual(passing({ formats: [] }), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(passing({ status: ['airing'] }), [3]);
    assert.deepEqual(passing({ status: ['airing', 'upcoming'] }), [3, 5]);
    assert.deepEqual(passing({ status: ['finished'] }), [1, 2, 4], 'the title of unknown status is left out');
    assert.deepEqual(passing({ status: [] }), [1, 2, 3, 4, 5, 6]);
  });

  it('year range is inclusive, either end optional, and titles of unknown year do not pass', () => {
    assert.deepEqual(passing({ yearMin: 2020 }), [1, 2, 3, 5]);
    assert.deepEqual(passing({ yearMax: 2020 }), [1, 4]);
    assert.deepEqual(passing({ yearMin: 2020, yearMax: 2021 }), [1, 2]);
    assert.deepEqual(passing({ yearMin: 2021, yearMax: 2021 }), [2]);
    const error = filterError(() => compileFilters({ yearMin: 2022, yearMax: 2020 }, catalog));
    assert.equal(error.field, 'year');
    assert.match(error.message, /yearMin \(2022\) is greater than yearMax \(2020\)/);
  });

  it('episode range is inclusive, and titles of unknown length do not pass', () => {
    assert.deepEqual(passing({ episodesMin: 12 }), [1, 3]);
    assert.deepEqual(passing({ episodesMax: 6 }), [2, 4]);
    assert.deepEqual(passing({ episodesMin: 6, episodesMax: 12 }), [3, 4]);
    assert.equal(filterError(() => compileFilters({ episodesMin: 13, episodesMax: 12 }, catalog)).field, 'episodes');
  });

  it('minScore is inclusive, and unscored titles do not pass', () => {
    assert.deepEqual(passing({ minScore: 7.9 }), [1, 3]);
    assert.deepEqual(passing({ minScore: 1 }), [1, 2, 3, 4]);
    assert.deepEqual(passing({ minScore: 9 }), []);
  });

  it('popularity ranks come from member counts (1 = most); both bounds inclusive; unranked titles do not pass', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7].map((id) => catalog.popularityRank.get(id) ?? null),
      [1, 2, 3, 4, 5, null, null],
    );
    assert.deepEqual(passing({ maxPopularityRank: 2 }), [1, 2]);
    assert.deepEqual(passing({ minPopularityRank: 4 }), [4, 5], 'hidden gems: skips the 3 most popular, not the unranked');
    assert.deepEqual(passing({ minPopularityRank: 2, maxPopularityRank: 3 }), [2, 3]);
    assert.deepEqual(passing({ minPopularityRank: 3, maxPopularityRank: 3 }), [3]);
    const error = filterError(() => compileFilters({ minPopularityRank: 10, maxPopularityRank: 5 }, catalog));
    assert.equal(error.field, 'popularityRank');
    assert.match(error.message, /\(10\) is greater than .*\(5\)/);
  });

  // The API returns this message as is, so it must name the fields the request has (it once
  // said popularityRankMin/Max, built like yearMin/yearMax).
  it('a reversed popularity range names the request fields minPopularityRank and maxPopularityRank', () => {
    const error = filterError(() => compileFilters({ minPopularityRank: 10, maxPopularityRank: 5 }, catalog));
    assert.match(error.message, /minPopularityRank \(10\) is greater than maxPopularityRank \(5\)/);
  });

  it('season matches year and season together', () => {
    assert.deepEqual(passing({ season: '2020-fall' }), [1]);
    assert.deepEqual(passing({ season: '2020-fall', includeAdult: true }), [1, 7]);
    assert.deepEqual(passing({ season: '2025-fall' }), [3]);
    assert.deepEqual(passing({ season: '2021-fall' }), [], 'the right year in another season does not pass');
    assert.deepEqual(passing({ season: '2019-winter' }), []);
  });

  it('a malformed season is a FilterError that says what a season looks like', () => {
    for (const season of ['2025-autumn', 'fall-2025', '2025', '2025-Fall', '1850-fall', '2200-spring', '']) {
      const error = filterError(() => compileFilters({ season }, catalog));
      assert.equal(error.field, 'season', season);
      assert.ok(error.message.includes(JSON.stringify(season)), `${error.message} names ${season}`);
      assert.ok(error.message.includes(SEASON_FILTER_FORM), error.message);
    }
  });

  it('season "current" reaching compileFilters is a programming error, not a FilterError', () => {
    assert.throws(
      () => compileFilters({ season: 'current' }, catalog),
      (error: unknown) => error instanceof Error && !(error instanceof FilterError) && /resolveSeasonFilter/.test(error.message),
    );
  });

  it('every condition must hold at once', () => {
    const filters: RecommendationFilters = {
      genres: ['Action'],
      themes: ['Mecha'],
      formats: ['TV'],
      yearMin: 2020,
      minScore: 8,
      maxPopularityRank: 1,
      status: ['finished'],
    };
    assert.deepEqual(passing(filters), [1]);
    for (const [key, value] of Object.entries({
      formats: ['OVA'],
      yearMin: 2021,
      minScore: 8.6,
      status: ['airing'],
      excludeThemes: ['Seinen'],
    })) {
      assert.deepEqual(passing({ ...filters, [key]: value }), [], `changing ${key} alone drops it`);
    }
  });

  it('excludeListed and excludePlanned do not touch the title predicate (the engine applies them to the user list)', () => {
    assert.deepEqual(passing({ excludeListed: false, excludePlanned: false }), passing({}));
    assert.deepEqual(passing({ excludeListed: true, excludePlanned: true }), passing({}));
  });

  it('a compiled filter does not change when the request object does', () => {
    const filters: RecommendationFilters = { genres: ['Sci-Fi'] };
    const passes = compileFilters(filters, catalog);
    filters.genres!.push('Drama');
    filters.minScore = 9;
    assert.deepEqual(
      TITLES.filter((a) => passes(a)).map((a) => a.animeId),
      [1, 2],
    );
  });
});

describe('seasons', () => {
  it('parseSeason reads YEAR-SEASON and nothing else; formatSeason writes it back', () => {
    assert.deepEqual(parseSeason('2025-fall'), { year: 2025, season: 'fall' });
    assert.deepEqual(parseSeason('1999-winter'), { year: 1999, season: 'winter' });
    for (const bad of ['current', '2025-autumn', '2025-Fall', '25-fall', '2025_fall', ' 2025-fall', '2025-fall ', ''])
      assert.equal(parseSeason(bad), null, bad);
    for (const value of ['2025-winter', '2024-spring', '2023-summer', '2006-fall']) assert.equal(formatSeason(parseSeason(value)!), value);
  });

  it('seasonOfDate splits the year in quarters, in UTC', () => {
    assert.deepEqual(seasonOfDate(new Date('2025-01-01T00:00:00Z')), { year: 2025, season: 'winter' });
    assert.deepEqual(seasonOfDate(new Date('2025-03-31T23:59:59Z')), { year: 2025, season: 'winter' });
    assert.deepEqual(seasonOfDate(new Date('2025-04-01T00:00:00Z')), { year: 2025, season: 'spring' });
    assert.deepEqual(seasonOfDate(new Date('2025-07-15T12:00:00Z')), { year: 2025, season: 'summer' });
    assert.deepEqual(seasonOfDate(new Date('2025-10-01T00:00:00Z')), { year: 2025, season: 'fall' });
    assert.deepEqual(seasonOfDate(new Date('2025-12-31T23:59:59Z')), { year: 2025, season: 'fall' });
    // Already New Year in Tokyo, still fall in UTC.
    assert.deepEqual(seasonOfDate(new Date('2026-01-01T08:00:00+09:00')), { year: 2025, season: 'fall' });
  });

  it('resolveSeasonFilter turns "current" into the clock\'s season and keeps the other fields', () => {
    const request: RecommendationFilters = { season: 'current', genres: ['Comedy'], minScore: 7 };
    const resolved = resolveSeasonFilter(request, new Date('2025-11-02T10:00:00Z'));
    assert.deepEqual(resolved, { season: '2025-fall', genres: ['Comedy'], minScore: 7 });
    assert.equal(request.season, 'current', 'the request is not modified');
    assert.equal(resolveSeasonFilter(request, new Date('2026-02-01T00:00:00Z')).season, '2026-winter');
    assert.deepEqual(passing(resolved), [3]);
  });

  it('resolveSeasonFilter leaves filters without "current" as they are', () => {
    const explicit: RecommendationFilters = { season: '2020-fall' };
    assert.equal(resolveSeasonFilter(explicit, new Date('2025-11-02T00:00:00Z')), explicit);
    const none: RecommendationFilters = { yearMin: 2000 };
    assert.equal(resolveSeasonFilter(none, new Date('2025-11-02T00:00:00Z')), none);
  });
});

describe('compileFilters on the bundled catalogue', () => {
  let real: Catalog;
  let ids: (filters: RecommendationFilters) => Set<number>;

  before(async () => {
    real = await realCatalog();
    ids = (filters) => {
      const passes = compileFilters(filters, real);
      return new Set(real.anime.filter((a) => passes(a)).map((a) => a.animeId));
    };
  });

  it('a time-travel sci-fi TV series of 2011 finds Steins;Gate, and every title found fits', () => {
    const steinsGate = realTitle(real, 9253, 'Steins;Gate');
    const filters: RecommendationFilters = { genres: ['sci-fi'], themes: ['time travel'], formats: ['TV'], yearMin: 2011, yearMax: 2011 };
    const found = ids(filters);
    assert.ok(found.has(steinsGate.animeId));
    for (const id of found) {
      const a = real.get(id)!;
      assert.ok(a.genres.includes('Sci-Fi') && a.themes.includes('Time Travel') && a.format === 'TV' && a.year === 2011, a.title);
    }
    assert.ok(!ids({ ...filters, yearMin: 2012, yearMax: 2020 }).has(steinsGate.animeId));
  });

  it('the fall 2023 season has Sousou no Frieren, not its 2026 sequel; "current" resolves the same way', () => {
    const frieren = realTitle(real, 52991, 'Sousou no Frieren');
    const sequel = realTitle(real, 59978, 'Sousou no Frieren 2nd Season');
    const fall2023 = ids({ season: '2023-fall' });
    assert.ok(fall2023.size > 20, `fall 2023 has a full season of titles (${fall2023.size})`);
    assert.ok(fall2023.has(frieren.animeId) && !fall2023.has(sequel.animeId));
    assert.deepEqual(ids(resolveSeasonFilter({ season: 'current' }, new Date('2023-11-20T00:00:00Z'))), fall2023);
    assert.ok(ids({ season: '2026-winter', status: ['airing'] }).has(sequel.animeId));
  });

  it('a typo of a real theme suggests it', () => {
    const error = filterError(() => compileFilters({ themes: ['Mecah'] }, real));
    assert.equal(error.suggestions[0], 'Mecha');
    assert.equal(filterError(() => compileFilters({ genres: ['Romcom'] }, real)).field, 'genres');
  });

  it('adult titles are in the catalogue but excluded unless asked for', () => {
    const adult = real.anime.filter((a) => a.adult);
    assert.ok(adult.length > 100, `the bundled catalogue has adult titles (${adult.length})`);
    const plain = compileFilters({}, real);
    const withAdult = compileFilters({ includeAdult: true }, real);
    assert.ok(adult.every((a) => !plain(a) && withAdult(a)));
    assert.ok(!ids({ genres: ['Hentai'] }).size, 'asking for the genre alone does not include them');
    assert.ok(ids({ genres: ['Hentai'], includeAdult: true }).size > 0);
  });

  it('minScore and maxPopularityRank over real scores and member counts', () => {
    const top = ids({ minScore: 9 });
    assert.ok(top.has(52991) && top.has(9253), 'Frieren (9.29) and Steins;Gate (9.07)');
    for (const id of top) assert.ok(real.get(id)!.malScore! >= 9);
    const ten = ids({ maxPopularityRank: 10, includeAdult: true });
    assert.equal(ten.size, 10);
    for (const id of ten) assert.ok(real.popularityRank.get(id)! <= 10);
    assert.ok(ten.has(16498), 'Shingeki no Kyojin is among the ten most listed');
    assert.ok(!ids({ minPopularityRank: 11 }).has(16498));
  });
});
