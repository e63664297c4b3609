/**
 * Bad input to the interactive commands: each gets one message saying what is wrong, where and how
 * to fix it, a non-zero exit code, and never a stack trace. The child-process cases run the real
 * `main` as a person would; the rest run in-process for speed.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ReplayServer } from '../data/anilist/replay-server.js';
import { createWorld, FIXTURES, type TestWorld } from '../server/setup.js';
import { anirec, anirecChild, type ChildResult } from './helpers.js';

let world: TestWorld;
let anilist: ReplayServer;
const scratch = mkdtempSync(join(tmpdir(), 'anirec-cli-errors-'));

before(async () => {
  world = await createWorld();
  anilist = await new ReplayServer().start();
});

after(async () => {
  await anilist.close();
  await world.cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

/** A port nothing listens on: a server is bound, its port read, and the server closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Rejects with a message (not the error's string form, which starts with its class name) matching `re`. */
async function rejects(promise: Promise<unknown>, re: RegExp): Promise<void> {
  await assert.rejects(promise, (error: Error) => {
    assert.match(error.message, re);
    return true;
  });
}

function assertCleanFailure(result: ChildResult, message: RegExp): void {
  assert.notEqual(result.code, 0, `exit code ${result.code}; stderr: ${result.stderr}`);
  assert.equal(result.stdout, '', 'nothing on stdout');
  assert.match(result.stderr, /^anirec: /);
  assert.match(result.stderr, message);
  assert.doesNotMatch(result.stderr, /\n\s+at |\.ts:\d+/, 'no stack trace');
  assert.equal(result.stderr.trim().split('\n').length, 1, `one line: ${result.stderr}`);
}

describe('errors from the real CLI process: one clear line, exit code 1', () => {
  it('no store, no trained model', async () => {
    const empty = join(scratch, 'empty');
    mkdirSync(empty);
    assertCleanFailure(await anirecChild(empty, 'recommend', '--user', '1'), /No store at .*anirec\.db\. Run `anirec import` first/);
    const noModel = join(scratch, 'no-model');
    mkdirSync(noModel);
    symlinkSync(join(world.dir, 'anirec.db'), join(noModel, 'anirec.db'));
    assertCleanFailure(
      await anirecChild(noModel, 'recommend', '--titles', 'Monster'),
      /No trained model yet \(nothing in .*models\)\. Run `anirec train`/,
    );
    assertCleanFailure(await anirecChild(noModel, 'similar', 'Monster'), /No trained model yet/);
  });

  it('unknown title, unknown filter value, unreadable list file', async () => {
    assertCleanFailure(
      await anirecChild(world.dir, 'recommend', '--titles', 'Steins;Gate, Qwxzzyv Plmkj'),
      /No title matches "Qwxzzyv Plmkj".*; check the spelling .* Matched: "Steins;Gate" → Steins;Gate\./,
    );
    assertCleanFailure(
      await anirecChild(world.dir, 'recommend', '--user', '1', '--genres', 'Mecah'),
      /--genres: unknown genre "Mecah"\..* The catalogue's genres: Action, /,
    );
    assertCleanFailure(await anirecChild(world.dir, 'recommend', '--list', join(FIXTURES, 'utf16.csv')), /^anirec: --list .*utf16\.csv: /);
  });

  it('AniList unreachable', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}/`;
    assertCleanFailure(
      await anirecChild(world.dir, 'recommend', '--anilist', 'yuki', '--anilist-endpoint', endpoint),
      /--anilist yuki: Could not reach AniList \(http:\/\/127\.0\.0\.1:\d+\/\): .*If AniList cannot be reached from here, export the list on AniList and use --list FILE/,
    );
  });
});

describe('messages for bad input (in-process)', () => {
  const run = (...args: string[]) => anirec(world.dir, ...args);

  it('titles: every unmatched name at once, with suggestions', async () => {
    await assert.rejects(run('recommend', '--titles', 'cowboy bebob, Qwxzzyv, Xkcdqqq Zzzp'), (error: Error) => {
      assert.match(error.message, /^No title matches "Qwxzzyv"(?: \(did you mean [^)]*\))?, "Xkcdqqq Zzzp"/);
      assert.match(error.message, /Matched: "cowboy bebob" → Cowboy Bebop\.$/);
      return true;
    });
    await rejects(run('recommend', '--titles', ' , '), /--titles is empty/);
    await rejects(run('recommend', '--titles', '=9'), /has a score but no title/);
    await rejects(run('similar', 'Qwxzzyv Plmkj'), /No title matches "Qwxzzyv Plmkj"/);
    await rejects(run('similar', '--id', '999999'), /--id 999999: no anime with that MAL id in the catalogue/);
    await rejects(run('similar'), /Say which title/);
  });

  it('filters: the flag is named, ranges and seasons explained, flag + --filters on one field refused', async () => {
    await rejects(run('recommend', '--user', '1', '--formats', 'tv'), /^--formats\[0\] must be one of "TV", "Movie"/);
    await rejects(run('recommend', '--user', '1', '--year-min', 'abc'), /^--year-min must be integer\.$/);
    await rejects(
      run('recommend', '--user', '1', '--year-min', '2018', '--year-max', '2010'),
      /^--year-min \(2018\) is greater than --year-max \(2010\); swap them or drop one\.$/,
    );
    await rejects(
      run('recommend', '--user', '1', '--season', '2016-autumn'),
      /^--season must be YEAR-SEASON with the season one of winter, spring, summer, fall/,
    );
    await rejects(run('recommend', '--user', '1', '--status', 'aired'), /^--status\[0\] must be one of "finished", "airing", "upcoming"/);
    await rejects(
      run('recommend', '--user', '1', '--themes', 'Mecah'),
      /^--themes: unknown theme "Mecah"\. Did you mean "Mecha"( or "[^"]+")?\? The catalogue.s themes: .*Mecha, /,
    );
    await rejects(run('recommend', '--user', '1', '--filters', '{"themes":["Mecah"]}'), /^--filters themes: unknown theme "Mecah"/);
    await rejects(
      run('recommend', '--user', '1', '--filters', '{"gernes":["Action"]}'),
      /^--filters: unknown field filters\.gernes; the known fields here are genres, /,
    );
    await rejects(run('recommend', '--user', '1', '--filters', '[1]'), /^--filters: filters must be a JSON object of filter fields/);
    await rejects(
      run('recommend', '--user', '1', '--genres', 'Action', '--filters', '{"genres":["Comedy"]}'),
      /^--genres and --filters both set genres; give it once/,
    );
    await rejects(run('similar', 'Monster', '--min-score', '11'), /^--min-score must be <= 10\.$/);
    await rejects(run('similar', 'Monster', '--mode', 'audience'), /--mode must be collaborative, content or hybrid/);
  });

  it('lists: which one, which user, which file', async () => {
    await rejects(run('recommend'), /^Say whose list to use: --user ID/);
    await rejects(run('profile', '--user', '1', '--anilist', 'yuki'), /^Give one list, not --user and --anilist\./);
    await rejects(run('recommend', '--user', 'kaggle2016:999999'), /^No user "kaggle2016:999999" in the store\./);
    await rejects(run('recommend', '--user', 'mal:1'), /^No user "mal:1" in the store\. Did you mean kaggle2016:1\?/);
    await rejects(run('recommend', '--list', join(scratch, 'missing.xml')), /^--list .*missing\.xml: no such file/);
    await rejects(
      run('recommend', '--list', join(FIXTURES, 'kaggle2016-anime.csv')),
      /this is a catalogue .*, not a list of someone's titles/,
    );
    await rejects(
      run('recommend', '--list', join(FIXTURES, 'unknown-format.csv')),
      /unrecognised format \(first line: "id;title;score"\); run `anirec formats` to see the headers anirec knows$/,
    );
    await rejects(
      run('recommend', '--list', join(FIXTURES, 'kaggle2016-rating.csv'), '--list-user', '77'),
      /--list-user 77: .* has no user "77" \(it lists 4: /,
    );
    await rejects(run('recommend', '--user', '1', '--list-user', '1'), /--list-user picks a user in a --list file/);
    await rejects(run('recommend', '--user', '1', '--model', join(scratch, 'nope')), /^--model .*nope: no such directory/);
  });

  it('AniList: unknown user, private list, server errors', async () => {
    const args = (name: string) => ['recommend', '--anilist', name, '--anilist-endpoint', anilist.endpoint];
    await rejects(run(...args('nobody_here')), /^--anilist nobody_here: AniList has no user "nobody_here"/);
    await rejects(
      run(...args('private')),
      /^--anilist private: the list is private\. Make it public in AniList's settings, or export it and use --list FILE\./,
    );
    await rejects(run(...args('bad name!')), /an AniList user name has only letters, digits, _ and -/);
    anilist.failNext(3, { status: 500 });
    await rejects(
      run(...args('yuki')),
      /^--anilist yuki: AniList \(.*\) answered HTTP 500 \(server error\)\. If AniList cannot be reached from here/,
    );
  });
});
