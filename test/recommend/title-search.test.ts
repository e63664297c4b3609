/**
 * Title search (src/recommend/title-search.ts): what people type, over the bundled catalogue's
 * real main, English, Japanese and alternative titles (exact, case and punctuation, prefixes,
 * word order, typos, adult titles, no match), plus the string helpers on small inputs.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Catalog } from '../../src/recommend/catalog.js';
import {
  buildTitleIndexData,
  closestWords,
  jaroWinkler,
  jaroWinklerBound,
  normalizeTitle,
  TitleIndex,
  type TitleMatch,
} from '../../src/recommend/title-search.js';
import { anime } from '../models/content/fixtures.js';
import { realCatalog, realTitle } from './real-catalog.js';

let catalog: Catalog;
let index: TitleIndex;

before(async () => {
  catalog = await realCatalog();
  index = new TitleIndex(catalog);
});

/** The search's best match, which must exist. */
function best(query: string, options?: Parameters<TitleIndex['search']>[1]): TitleMatch {
  const matches = index.search(query, options);
  assert.ok(matches.length > 0, `"${query}" finds something`);
  return matches[0]!;
}

/** Asserts the best match of `query` is `animeId` (named `title` in the catalogue). */
function assertFinds(query: string, animeId: number, title: string, field?: TitleMatch['matchedField']): TitleMatch {
  realTitle(catalog, animeId, title);
  const match = best(query);
  assert.equal(match.animeId, animeId, `"${query}" → ${title}, got ${catalog.get(match.animeId)?.title} (${match.matchedName})`);
  if (field !== undefined) assert.equal(match.matchedField, field, `"${query}" matched the ${field}`);
  return match;
}

describe('TitleIndex.search over the bundled catalogue', () => {
  it('an exact main title is the best match, scored near 1, with the name as the catalogue spells it', () => {
    const match = assertFinds('Steins;Gate', 9253, 'Steins;Gate', 'title');
    assert.equal(match.matchedName, 'Steins;Gate');
    assert.ok(match.score > 0.97 && match.score <= 1, `score ${match.score}`);
    assertFinds('Cowboy Bebop', 1, 'Cowboy Bebop', 'title');
    assertFinds('Fullmetal Alchemist: Brotherhood', 5114, 'Fullmetal Alchemist: Brotherhood', 'title');
  });

  it('case, punctuation and accents do not matter', () => {
    for (const query of ['steins gate', 'STEINS;GATE', '  Steins ; Gate!  ']) assertFinds(query, 9253, 'Steins;Gate');
    assertFinds('fullmetal alchemist brotherhood', 5114, 'Fullmetal Alchemist: Brotherhood');
    const movie = assertFinds('steins gate movie fuka ryouiki no deja vu', 11577, 'Steins;Gate Movie: Fuka Ryouiki no Déjà vu');
    assert.equal(movie.matchedName, 'Steins;Gate Movie: Fuka Ryouiki no Déjà vu');
  });

  it('finds titles by their English, Japanese and alternative names, and says which matched', () => {
    const english = assertFinds('Attack on Titan', 16498, 'Shingeki no Kyojin', 'titleEnglish');
    assert.equal(english.matchedName, 'Attack on Titan');
    assertFinds("Frieren: Beyond Journey's End", 52991, 'Sousou no Frieren', 'titleEnglish');
    assertFinds('Code Geass: Lelouch of the Rebellion', 1575, 'Code Geass: Hangyaku no Lelouch', 'titleEnglish');
    assertFinds('進撃の巨人', 16498, 'Shingeki no Kyojin', 'titleJapanese');
    assertFinds('葬送のフリーレン', 52991, 'Sousou no Frieren', 'titleJapanese');
    const synonym = assertFinds('SnK', 16498, 'Shingeki no Kyojin', 'synonym');
    assert.equal(synonym.matchedName, 'SnK');
    assertFinds('aot', 16498, 'Shingeki no Kyojin', 'synonym');
  });

  it('a name several seasons share goes to the most popular one', () => {
    // "ReZero" is a synonym of the first and of the fourth season.
    const matches = index.search('ReZero', { limit: 5 });
    assert.equal(matches[0]!.animeId, realTitle(catalog, 31240, 'Re:Zero kara Hajimeru Isekai Seikatsu').animeId);
    assert.ok(
      matches.slice(1).some((m) => m.matchedName === 'ReZero'),
      'the other season with the same synonym is also found, below',
    );
    assertFinds('Naruto', 20, 'Naruto', 'title');
  });

  it('a prefix finds the title (autocomplete), and a longer title of the same stem comes after it', () => {
    assertFinds('Sousou no Fri', 52991, 'Sousou no Frieren', 'title');
    assertFinds('Frieren', 52991, 'Sousou no Frieren');
    const codeGeass = index.search('Code Geass', { limit: 10 }).map((m) => m.animeId);
    assert.ok(codeGeass.includes(1575) && codeGeass.includes(2904), 'both Code Geass seasons');
    const sequel = index.search('Sousou no Frieren', { limit: 3 }).map((m) => m.animeId);
    assert.deepEqual(sequel.slice(0, 2), [52991, 59978]);
  });

  it('word order and missing words still find the title', () => {
    assertFinds('attack titan', 16498, 'Shingeki no Kyojin', 'titleEnglish');
    assertFinds('titan attack', 16498, 'Shingeki no Kyojin', 'titleEnglish');
    assertFinds('Frieren Beyond Journeys End', 52991, 'Sousou no Frieren');
    assertFinds('Lelouch of the Rebellion', 1575, 'Code Geass: Hangyaku no Lelouch');
  });

  it('typos and transpositions still find the title', () => {
    assertFinds('naurto', 20, 'Naruto');
    assertFinds('cowboy bebpo', 1, 'Cowboy Bebop');
    assertFinds('shingeki no kyojn', 16498, 'Shingeki no Kyojin');
    assertFinds('Steins Gaet', 9253, 'Steins;Gate');
  });

  it('nothing close, or nothing but punctuation, finds nothing', () => {
    assert.deepEqual(index.search('xqzvw'), []);
    assert.deepEqual(index.search(''), []);
    assert.deepEqual(index.search('   '), []);
    assert.deepEqual(index.search('!?;:'), []);
  });

  it('results are one per title, best first, within limit and above minScore', () => {
    const matches = index.search('Naruto', { limit: 30 });
    assert.equal(matches.length, 30, 'the Naruto franchise has 30+ matching titles');
    assert.equal(new Set(matches.map((m) => m.animeId)).size, matches.length, 'one match per title');
    for (let i = 1; i < matches.length; i++) assert.ok(matches[i - 1]!.score >= matches[i]!.score, 'best first');
    assert.equal(index.search('Naruto').length, 10, 'the default limit is 10');
    assert.deepEqual(index.search('Naruto', { limit: 3 }), matches.slice(0, 3));
    const strict = index.search('Naruto', { limit: 30, minScore: 0.95 });
    assert.ok(strict.length >= 1 && strict.length < matches.length, `a higher minScore keeps fewer (${strict.length})`);
    assert.equal(strict[0]!.animeId, 20);
    // Scores are 0.97 × match + up to 0.03 for popularity, so a kept match scores at least 0.97 × minScore.
    for (const m of strict) assert.ok(m.score >= 0.97 * 0.95, `${m.matchedName}: ${m.score}`);
  });

  it('adult titles are found only when asked for', () => {
    const adult = realTitle(catalog, 1639, 'Boku no Pico');
    assert.ok(adult.adult);
    assert.ok(!index.search(adult.title, { limit: 50 }).some((m) => m.animeId === adult.animeId));
    const match = best(adult.title, { includeAdult: true });
    assert.equal(match.animeId, adult.animeId);
    assert.ok(
      index.search('Bible Black', { includeAdult: true, limit: 50 }).some((m) => catalog.get(m.animeId)!.adult),
      'the query does find adult titles when asked',
    );
    assert.ok(index.search('Bible Black', { limit: 50 }).every((m) => !catalog.get(m.animeId)!.adult));
  });

  it('an index built from data made elsewhere (a worker thread) answers the same', () => {
    const shipped = new TitleIndex(catalog, buildTitleIndexData(catalog.anime));
    for (const query of ['Attack on Titan', 'naurto', 'Sousou no Fri', '進撃の巨人'])
      assert.deepEqual(shipped.search(query), index.search(query), query);
  });

  // A user typing the common short name gets Ga-Rei: Zero first: "re" is a prefix of its word
  // "rei" and its name is short, so it outscores Re:Zero's long main title (whose prefix score
  // shrinks with length) by 0.0002.
  it('"Re:Zero" finds Re:Zero kara Hajimeru Isekai Seikatsu first', () => {
    assertFinds('Re:Zero', 31240, 'Re:Zero kara Hajimeru Isekai Seikatsu');
  });
});

describe('TitleIndex on a hand-built catalogue', () => {
  const small = new Catalog([
    anime(1, { title: 'Hoshi no Umi', titleEnglish: 'Sea of Stars', synonyms: ['HnU', 'Starsea'], members: 10 }),
    anime(2, { title: 'Hoshi no Umi 2', titleEnglish: 'Sea of Stars 2', members: 1000 }),
    anime(3, { title: 'Umi', titleEnglish: null, members: 5 }),
    anime(4, { title: 'Hoshi Hidden', adult: true, members: 100_000 }),
  ]);
  const search = new TitleIndex(small);

  it('an exact match beats a more popular longer title; popularity only breaks near-ties', () => {
    assert.equal(search.search('Hoshi no Umi')[0]!.animeId, 1);
    assert.equal(search.search('Sea of Stars')[0]!.animeId, 1);
    assert.equal(search.search('Sea of Stars')[0]!.matchedField, 'titleEnglish');
  });

  it('each synonym is searchable and reported as the name that matched', () => {
    for (const synonym of ['HnU', 'Starsea']) {
      const [match] = search.search(synonym);
      assert.deepEqual({ ...match!, score: undefined }, { animeId: 1, score: undefined, matchedName: synonym, matchedField: 'synonym' });
    }
  });

  it('an adult title is left out even when it is the only exact match', () => {
    assert.ok(!search.search('Hoshi Hidden').some((m) => m.animeId === 4));
    assert.equal(search.search('Hoshi Hidden', { includeAdult: true })[0]!.animeId, 4);
  });
});

describe('string helpers', () => {
  it('normalizeTitle lower-cases, strips accents and punctuation, collapses spaces', () => {
    assert.equal(normalizeTitle('Re:Zero − Kara'), 're zero kara');
    assert.equal(normalizeTitle('Fuka Ryouiki no Déjà vu'), 'fuka ryouiki no deja vu');
    assert.equal(normalizeTitle('  Steins;Gate  0 '), 'steins gate 0');
    assert.equal(normalizeTitle('進撃の巨人'), '進撃の巨人');
    assert.equal(normalizeTitle('?!'), '');
  });

  it('jaroWinkler matches the textbook values, and jaroWinklerBound never falls below it', () => {
    assert.equal(jaroWinkler('abc', 'abc'), 1);
    assert.equal(jaroWinkler('', 'abc'), 0);
    assert.equal(jaroWinkler('abc', 'xyz'), 0);
    assert.ok(Math.abs(jaroWinkler('martha', 'marhta') - 0.9611) < 1e-4);
    assert.ok(Math.abs(jaroWinkler('dwayne', 'duane') - 0.84) < 1e-4);
    const pairs = [
      ['martha', 'marhta'],
      ['naruto', 'naurto'],
      ['shingeki', 'kyojin'],
      ['re zero', 'ga rei zero'],
      ['a', 'ab'],
      ['abc', 'cba'],
    ] as const;
    for (const [a, b] of pairs) assert.ok(jaroWinklerBound(a, b) >= jaroWinkler(a, b) - 1e-12, `${a} / ${b}`);
  });

  it('closestWords suggests near spellings, best first, and nothing for an unrelated word', () => {
    assert.deepEqual(closestWords('Mecah', ['Music', 'Mecha', 'Magic']), ['Mecha']);
    assert.equal(closestWords('scifi', ['Sci-Fi', 'Slice of Life', 'Sports'])[0], 'Sci-Fi');
    assert.deepEqual(closestWords('zzzz', ['Action', 'Drama']), []);
    assert.equal(closestWords('Acion', ['Action', 'Actions', 'Acting', 'Acid'], 2).length, 2);
  });
});
