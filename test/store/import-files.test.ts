import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { importFiles, ImportAbortedError } from '../../src/store/import-files.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { fixture } from '../data/read-all.js';

describe('importFiles', () => {
  it('imports catalogues before ratings whatever the order, skips ids missing from the catalogue, and is idempotent', async () => {
    const store = SqliteStore.open(':memory:');
    const files = [{ path: fixture('kaggle2016-rating-bad.csv'), userSource: 'k16' }, { path: fixture('kaggle2016-anime.csv') }];
    const first = await importFiles(store, files);
    assert.deepEqual(
      first.files.map((f) => f.format),
      ['kaggle2016-anime', 'ratings'],
    );
    assert.equal(first.counts.interactionsInserted, 2);
    assert.equal(first.skippedByReason.unknown_anime, 1);
    const unknown = first.problems.find((p) => p.reason === 'unknown_anime')!;
    assert.equal(unknown.line, 7);
    assert.match(unknown.message, /anime id 99999999 is not in the catalogue; import a catalogue that has it first/);
    assert.equal(first.skippedTotal, 8);

    const again = await importFiles(store, files);
    assert.equal(again.counts.interactionsInserted, 0);
    assert.equal(again.counts.interactionsUpdated, 0);
    assert.equal(again.counts.interactionsUnchanged, 2);
    assert.equal(await store.countInteractions(), 2);
    await store.close();
  });

  it('keeps rows of titles missing from the catalogue as placeholders when asked (training from files)', async () => {
    const store = SqliteStore.open(':memory:');
    const summary = await importFiles(store, [{ path: fixture('kaggle2016-anime.csv') }, { path: fixture('kaggle2016-rating-bad.csv') }], {
      unknownAnime: 'placeholder',
    });
    assert.equal(summary.skippedByReason.unknown_anime, 0);
    assert.equal(summary.placeholderAnime, 1);
    assert.equal((await store.getAnime(99999999))!.title, 'MAL anime 99999999');
    assert.equal(await store.countInteractions(), 3);
    await store.close();
  });

  it('--strict makes the first bad row fatal and writes nothing', async () => {
    const store = SqliteStore.open(':memory:');
    await assert.rejects(
      importFiles(store, [{ path: fixture('kaggle2016-anime.csv') }, { path: fixture('kaggle2016-rating-bad.csv') }], { strict: true }),
      (error: unknown) => {
        assert.ok(error instanceof ImportAbortedError);
        assert.match(
          error.message,
          /--strict: .*kaggle2016-rating-bad.csv:3, column rating: score_out_of_range: rating 11 is outside 1–10.*Nothing was imported/,
        );
        return true;
      },
    );
    assert.equal(await store.countAnime(), 0, 'the catalogue of the same run is rolled back too');
    assert.equal(await store.countInteractions(), 0);
    await store.close();
  });

  it('an unusable file anywhere in the run leaves the store as it was', async () => {
    const store = SqliteStore.open(':memory:');
    await importFiles(store, [{ path: fixture('kaggle2016-anime.csv') }]);
    await assert.rejects(
      importFiles(store, [{ path: fixture('jikan-catalogue.csv') }, { path: fixture('unknown-format.csv') }]),
      /unrecognised format/,
    );
    assert.equal((await store.getAnime(5114))!.studios.length, 0, 'the Jikan rows of the failed run were not kept');
    assert.equal(await store.countAnime(), 11);
    await store.close();
  });

  it('merges a MAL export and two catalogues into one title record', async () => {
    const store = SqliteStore.open(':memory:');
    const summary = await importFiles(store, [
      { path: fixture('mal-export.xml') },
      { path: fixture('jikan-catalogue.csv') },
      { path: fixture('kaggle2016-anime.csv') },
    ]);
    assert.equal(summary.counts.interactionsInserted, 4);
    const fmab = (await store.getAnime(5114))!;
    assert.deepEqual(fmab.studios, ['Bones']);
    assert.equal(fmab.members !== null, true);
    const users = await store.findUser('mal', 'bebop_fan');
    assert.equal(users.length, 1);
    const list = await store.userInteractions(users[0]!.userId);
    assert.deepEqual(
      list.map((i) => [i.animeId, i.score, i.status]).sort((a, b) => Number(a[0]) - Number(b[0])),
      [
        [20, null, 'plan_to_watch'],
        [1535, 8, 'completed'],
        [5114, 10, 'completed'],
        [11061, null, 'watching'],
      ],
    );
    await store.close();
  });
});
