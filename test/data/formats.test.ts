import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixture, readAll } from './read-all.js';

describe('format detection and mapping', () => {
  it('reads the Kaggle 2016 catalogue, sorting mixed genres and decoding HTML entities', async () => {
    const r = await readAll(fixture('kaggle2016-anime.csv'));
    assert.equal(r.format, 'kaggle2016-anime');
    assert.equal(r.problems.length, 0);
    assert.equal(r.anime.length, 11);
    const fmab = r.anime.find((a) => a.animeId === 5114)!;
    assert.deepEqual(fmab.genres, ['Action', 'Adventure', 'Drama', 'Fantasy']);
    assert.deepEqual(fmab.themes, ['Magic', 'Military']);
    assert.deepEqual(fmab.demographics, ['Shounen']);
    assert.equal(fmab.format, 'TV');
    assert.equal(fmab.episodes, 64);
    assert.equal(fmab.malScore, 9.26);
    assert.equal(fmab.members, 793665);
    assert.equal(r.anime.find((a) => a.animeId === 9969)!.title, "Gintama'");
    // Old names map to MAL's current ones.
    assert.deepEqual(r.anime.find((a) => a.animeId === 9253)!.genres, ['Sci-Fi', 'Suspense']);
    assert.equal(r.anime.find((a) => a.animeId === 21)!.episodes, null, '"Unknown" episodes become null');
  });

  it('reads Kaggle 2016 ratings, plain and gzipped (detected by magic bytes), -1 as listed without score', async () => {
    for (const name of ['kaggle2016-rating.csv', 'kaggle2016-rating.csv.gz']) {
      const r = await readAll(fixture(name));
      assert.equal(r.format, 'ratings');
      assert.equal(r.rowsRead, 9);
      assert.equal(r.interactions.length, 9);
      assert.deepEqual(r.interactions[0], { user: '1', animeId: 1535, score: 9, status: null, updatedAt: null, line: 2 });
      assert.equal(r.interactions.find((i) => i.user === '4' && i.animeId === 1535)!.score, null);
    }
  });

  it('handles CRLF line ends and a last line without newline', async () => {
    const r = await readAll(fixture('kaggle2016-rating-crlf-no-final-newline.csv'));
    assert.deepEqual(
      r.interactions.map((i) => [i.user, i.animeId, i.score, i.line]),
      [['7', 20, 7, 2], ['7', 1535, 8, 3]],
    );
  });

  it('reads the Jikan catalogue with multi-line synopses, studios and English titles', async () => {
    const r = await readAll(fixture('jikan-catalogue.csv'));
    assert.equal(r.format, 'jikan-csv');
    assert.equal(r.problems.length, 0);
    assert.equal(r.anime.length, 4);
    const fmab = r.anime.find((a) => a.animeId === 5114)!;
    assert.equal(fmab.titleEnglish, 'Fullmetal Alchemist: Brotherhood');
    assert.deepEqual(fmab.studios, ['Bones']);
    assert.equal(fmab.source, 'Manga');
    assert.equal(fmab.year, 2009);
    assert.equal(fmab.season, 'spring');
    assert.equal(fmab.status, 'finished');
    assert.ok(fmab.synonyms!.includes('FMAB'));
    assert.match(fmab.synopsis!, /Elric/);
    assert.ok(fmab.synopsis!.includes('\n'), 'multi-line quoted field kept whole');
  });

  it('reads the Kaggle 2020 catalogue, synopses, animelist and rating_complete', async () => {
    const anime = await readAll(fixture('kaggle2020-anime.csv'));
    assert.equal(anime.format, 'kaggle2020-anime');
    assert.equal(anime.problems.length, 0);
    const bebop = anime.anime.find((a) => a.animeId === 1)!;
    assert.equal(bebop.titleJapanese, 'カウボーイビバップ');
    assert.equal(bebop.year, 1998);
    assert.equal(bebop.season, 'spring');
    assert.deepEqual(bebop.studios, ['Sunrise']);
    assert.deepEqual(bebop.themes, ['Space']);
    const movie = anime.anime.find((a) => a.animeId === 5)!;
    assert.equal(movie.year, 2001, 'year from Aired when Premiered is Unknown');
    assert.equal(movie.format, 'Movie');
    const upcoming = anime.anime.find((a) => a.animeId === 48492)!;
    assert.equal(upcoming.malScore, null);
    assert.equal(upcoming.titleEnglish, null);

    const synopsis = await readAll(fixture('kaggle2020-synopsis.csv'));
    assert.equal(synopsis.format, 'kaggle2020-synopsis');
    assert.match(synopsis.anime[0]!.synopsis!, /"Cowboys\."/);
    assert.match(synopsis.anime[1]!.synopsis!, /bounty on his head\.\nThe reason/);

    const list = await readAll(fixture('kaggle2020-animelist.csv'));
    assert.equal(list.format, 'kaggle2020-animelist');
    assert.deepEqual(
      list.interactions.map((i) => [i.user, i.animeId, i.score, i.status]),
      [['0', 1, 9, 'completed'], ['0', 5, null, 'plan_to_watch'], ['0', 6, 7, 'watching'], ['1', 1, 10, 'completed'], ['1', 6, 3, 'dropped'], ['1', 5, 8, 'on_hold']],
    );
    assert.deepEqual(
      list.problems.map((p) => [p.line, p.reason, p.column]),
      [[7, 'unknown_status', 'watching_status'], [9, 'duplicate_row', undefined]],
    );

    const complete = await readAll(fixture('kaggle2020-rating-complete.csv'));
    assert.equal(complete.format, 'ratings');
    assert.equal(complete.interactions.length, 3);
  });

  it("reads a user's MyAnimeList XML export: user name, scores, statuses, finish dates, bad entries with lines", async () => {
    const r = await readAll(fixture('mal-export.xml'));
    assert.equal(r.format, 'mal-xml');
    assert.deepEqual(
      r.interactions.map((i) => [i.user, i.animeId, i.score, i.status]),
      [['bebop_fan', 5114, 10, 'completed'], ['bebop_fan', 1535, 8, 'completed'], ['bebop_fan', 11061, null, 'watching'], ['bebop_fan', 20, null, 'plan_to_watch']],
    );
    assert.equal(r.interactions[0]!.updatedAt, Date.UTC(2021, 2, 14));
    assert.equal(r.interactions[1]!.updatedAt, null);
    assert.deepEqual(r.anime, [], 'a user list carries no catalogue data: titles and episode counts there are whatever the uploader wrote');
    assert.equal(r.interactions[2]!.title, 'Hunter x Hunter (2011)', 'the title is kept only to tell the user which titles are unknown');
    assert.deepEqual(
      r.problems.map((p) => [p.reason, p.column]),
      [['score_out_of_range', 'my_score'], ['unknown_status', 'my_status']],
    );
    const lines = r.problems.map((p) => p.line);
    assert.ok(lines[0]! > 60 && lines[1]! > lines[0]!, `problems point at their <anime> element (lines ${lines.join(', ')})`);
  });

  it('can be forced to a format with --format', async () => {
    const r = await readAll(fixture('kaggle2020-rating-complete.csv'), 'ratings');
    assert.equal(r.format, 'ratings');
    await assert.rejects(readAll(fixture('kaggle2016-rating.csv'), 'jikan-csv'), /header lacks column\(s\) mal_id/);
    await assert.rejects(readAll(fixture('kaggle2016-rating.csv'), 'mal-csv'), /unknown --format "mal-csv"; known formats: .*ratings/);
  });
});
