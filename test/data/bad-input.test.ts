import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DataFileError } from '../../src/data/index.js';
import { fixture, readAll } from './read-all.js';

const dir = mkdtempSync(join(tmpdir(), 'anirec-bad-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('unusable files are refused with what, where and how to fix', () => {
  const cases: Array<[string, RegExp]> = [
    ['empty.csv', /empty.csv: is empty; expected a header line/],
    ['utf16.csv', /utf16.csv: is UTF-16 .* re-save it as UTF-8/],
    ['latin1-anime.csv', /latin1-anime.csv: is not valid UTF-8 .* convert it to UTF-8/],
    ['unknown-format.csv', /unknown-format.csv: unrecognised format \(first line: "id;title;score"\); run `anirec formats`/],
    ['does-not-exist.csv', /does-not-exist.csv: no such file; check the path/],
  ];
  for (const [name, message] of cases) {
    it(name, async () => {
      await assert.rejects(readAll(fixture(name)), (error: unknown) => {
        assert.ok(error instanceof DataFileError);
        assert.match(error.message, message);
        return true;
      });
    });
  }

  it('a corrupt gzip file', async () => {
    const path = join(dir, 'broken.csv.gz');
    writeFileSync(path, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    await assert.rejects(readAll(path), /broken.csv.gz: (is not a valid gzip file|read failed part-way)/);
  });

  it('a file with only a header is read as zero rows, not an error', async () => {
    const path = join(dir, 'header-only.csv');
    writeFileSync(path, 'user_id,anime_id,rating\n');
    const r = await readAll(path);
    assert.equal(r.rowsRead, 0);
  });
});

describe('bad rows become problems with file, line, column and reason', () => {
  it('ratings: out-of-range scores, non-numbers, wrong field counts, duplicates', async () => {
    const r = await readAll(fixture('kaggle2016-rating-bad.csv'));
    assert.deepEqual(
      r.problems.map((p) => [p.line, p.column, p.reason]),
      [
        [3, 'rating', 'score_out_of_range'],
        [4, 'rating', 'bad_number'],
        [5, undefined, 'malformed_row'],
        [6, undefined, 'duplicate_row'],
        [8, 'rating', 'score_out_of_range'],
        [9, undefined, 'malformed_row'],
        [10, 'user_id', 'bad_number'],
      ],
    );
    for (const p of r.problems) assert.ok(p.file.endsWith('kaggle2016-rating-bad.csv') && p.message.length > 10);
    assert.match(r.problems[0]!.message, /rating 11 is outside 1–10/);
    assert.match(r.problems[3]!.message, /user 1 already rated anime 1535/);
    assert.deepEqual(
      r.interactions.map((i) => [i.user, i.animeId, i.line]),
      [['1', 1535, 2], ['2', 99999999, 7], ['3', 32281, 11]],
      'good rows around bad ones survive; unknown ids are checked by the store against the catalogue',
    );
    assert.equal(r.rowsRead, 10);
  });

  it('catalogue: broken quoting, short rows, bad numbers', async () => {
    const r = await readAll(fixture('kaggle2016-anime-bad.csv'));
    assert.deepEqual(
      r.problems.map((p) => [p.line, p.column, p.reason]),
      [
        [3, undefined, 'malformed_row'],
        [4, 'episodes', 'bad_number'],
        [5, 'rating', 'score_out_of_range'],
        [6, undefined, 'malformed_row'],
      ],
    );
    assert.match(r.problems[1]!.message, /episodes "twelve" is not a number/);
    assert.match(r.problems[3]!.message, /lines 6–7 read as one record.*Quote Not Closed/);
    assert.deepEqual(r.anime.map((a) => a.animeId), [2]);
  });

  it('catalogue: invalid UTF-8 after the detection window is flagged on its row', async () => {
    const path = join(dir, 'late-latin1.csv');
    const header = 'anime_id,name,genre,type,episodes,rating,members\n';
    const good = Array.from({ length: 3000 }, (_, i) => `${i + 1},Title ${i + 1},Comedy,TV,12,7.0,100\n`).join('');
    writeFileSync(path, Buffer.concat([Buffer.from(header + good), Buffer.from('3001,Caf'), Buffer.from([0xe9]), Buffer.from(',Comedy,TV,12,7.0,100\n')]));
    const r = await readAll(path);
    assert.equal(r.anime.length, 3000);
    assert.deepEqual(r.problems.map((p) => [p.line, p.reason]), [[3002, 'bad_encoding']]);
  });
});
