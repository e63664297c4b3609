import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBatchLine } from '../../src/recommend/batch-input.js';

describe('parseBatchLine', () => {
  it('reads the contract format, with -1/0/null/absent as "no score"', () => {
    const { request, problems } = parseBatchLine(
      '{"user":"u1","history":[{"anime_id":32281,"rating":9},{"anime_id":5114,"rating":-1},{"anime_id":1,"rating":null},{"anime_id":2}]}',
      3,
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(request, {
      line: 3,
      user: 'u1',
      history: [
        { animeId: 32281, score: 9 },
        { animeId: 5114, score: null },
        { animeId: 1, score: null },
        { animeId: 2, score: null },
      ],
    });
  });

  it('keeps numeric user ids as numbers so the output echoes them unchanged', () => {
    assert.equal(parseBatchLine('{"user":17,"history":[]}', 1).request?.user, 17);
  });

  it('drops lines with no readable user, naming the line', () => {
    for (const text of ['{"user":', '[1,2]', '{"history":[]}', '{"user":"","history":[]}', '{"user":"a","history":{}}']) {
      const { request, problems } = parseBatchLine(text, 9);
      assert.equal(request, null, text);
      assert.equal(problems.length, 1);
      assert.equal(problems[0]!.line, 9);
      assert.equal(problems[0]!.dropped, true);
    }
  });

  it('skips bad history entries but keeps the user', () => {
    const { request, problems } = parseBatchLine(
      '{"user":"u","history":[{"anime_id":"x"},{"anime_id":5,"rating":11},7,{"anime_id":5,"rating":3},{"anime_id":6,"rating":8}]}',
      2,
    );
    assert.deepEqual(request?.history, [
      { animeId: 5, score: null },
      { animeId: 6, score: 8 },
    ]);
    assert.deepEqual(
      problems.map((p) => p.message.split(' ')[0]),
      ['history[0].anime_id', 'history[1].rating', 'history[2]', 'history[3]:'],
    );
    assert.ok(problems.every((p) => !p.dropped && p.line === 2));
  });
});
