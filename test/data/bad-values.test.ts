/** Issue 11: ids survive exactly, and bad values are reported readably (cut, "empty", not "NaN"). */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readAll } from './read-all.js';

const dir = mkdtempSync(join(tmpdir(), 'anirec-bad-values-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('ratings files', () => {
  it('keeps long numeric user ids apart instead of rounding them into one user', async () => {
    const r = await readAll(file('long-ids.csv', 'user_id,anime_id,rating\n12345678901234567,1,8\n12345678901234568,1,9\n00042,5,7\n42,6,7\n'));
    assert.deepEqual(
      r.interactions.map((i) => [i.user, i.animeId, i.score]),
      [['12345678901234567', 1, 8], ['12345678901234568', 1, 9], ['42', 5, 7], ['42', 6, 7]],
    );
    assert.deepEqual(r.problems, []);
  });

  it('reports an empty rating as empty and cuts a huge bad value', async () => {
    const huge = '9'.repeat(100) + 'x'.repeat(1_000_000);
    const r = await readAll(file('bad.csv', `user_id,anime_id,rating\n1,20,\n${huge},20,5\n1,,5\n`));
    assert.deepEqual(r.interactions, []);
    assert.equal(r.problems.length, 3);
    assert.equal(r.problems[0]!.message, 'rating is empty; expected an integer');
    assert.equal(r.problems[0]!.column, 'rating');
    assert.equal(r.problems[1]!.column, 'user_id');
    assert.ok(r.problems[1]!.message.length < 200, `the message quotes a cut value (${r.problems[1]!.message.length} characters)`);
    assert.match(r.problems[1]!.message, /1,000,100 characters/);
    assert.equal(r.problems[2]!.message, 'anime_id is empty; expected a positive integer');
    for (const p of r.problems) assert.doesNotMatch(p.message, /NaN/);
  });

  it('refuses a user id of digits longer than an id can be', async () => {
    const r = await readAll(file('too-long.csv', `user_id,anime_id,rating\n${'1'.repeat(65)},20,5\n`));
    assert.equal(r.interactions.length, 0);
    assert.match(r.problems[0]!.message, /at most 64 digits/);
  });
});

describe('MAL exports', () => {
  it('refuses a DOCTYPE, naming the file and the fix', async () => {
    const path = file('dtd.xml', '<?xml version="1.0"?>\n<!DOCTYPE myanimelist [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<myanimelist><myinfo><user_name>x</user_name></myinfo></myanimelist>');
    await assert.rejects(readAll(path), (error: Error) => {
      assert.ok(error.message.startsWith(`${path}: has a DOCTYPE`), error.message);
      assert.match(error.message, /DOCTYPE\/entities are not allowed in a list export; upload the file exactly as MyAnimeList exported it/);
      return true;
    });
  });
});
