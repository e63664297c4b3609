/**
 * `anirec eval` end to end on a 300-user slice of the bundled ratings: the default protocol prints
 * exactly what it printed before the cold-title protocols existed, and the protocols run, report
 * and reject bad flags with a message that says what to pass.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { createContext, type CliContext } from '../../src/cli/context.js';
import { buildProgram } from '../../src/cli/main.js';
import { BUNDLED_DATA } from '../../src/data/bundled.js';

const GOLDEN = fileURLToPath(new URL('./protocols-default.golden.txt', import.meta.url));
const FIXTURE_CATALOGUE = fileURLToPath(new URL('../fixtures/data/kaggle2016-anime.csv', import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'anirec-protocols-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Users 1–300 of the bundled ratings file. */
function slice(): string {
  const lines = gunzipSync(readFileSync(BUNDLED_DATA.ratings2016)).toString('utf8').split('\n');
  const kept = [lines[0]!];
  for (const line of lines.slice(1)) {
    const user = Number(line.split(',')[0]);
    if (user >= 1 && user <= 300) kept.push(line);
  }
  const path = join(dir, 'ratings.csv');
  writeFileSync(path, `${kept.join('\n')}\n`);
  return path;
}

const ratings = slice();

async function anirec(...args: string[]): Promise<string> {
  const lines: string[] = [];
  const ctx: CliContext = { ...createContext(), out: (l) => lines.push(l), err: () => {} };
  await buildProgram(ctx).parseAsync(args, { from: 'user' });
  return lines.join('\n');
}

const defaultArgs = [
  'eval',
  '--ratings',
  ratings,
  '--no-bundled-catalogue',
  '--anime',
  FIXTURE_CATALOGUE,
  '--models',
  'popularity,itemknn',
  '--test-users',
  '60',
];
const withoutTimings = (text: string) => text.replace(/^(Training seconds: ).*$/m, '$1(varies)');

describe('anirec eval --protocol', () => {
  it('prints the default protocol exactly as before (golden output of the code before the protocols)', async () => {
    const text = await anirec(...defaultArgs);
    // The franchise-aware table (issue 16) comes after everything the golden output holds.
    const franchise = text.indexOf('Franchise-aware lists:');
    assert.ok(franchise > 0, 'the franchise-aware table is printed');
    assert.equal(withoutTimings(text.slice(0, franchise)), readFileSync(GOLDEN, 'utf8'));
    assert.match(text.slice(franchise), /\npopularity +\d+ +0\.\d{4} +0\.\d{4} +[+-]0\.\d{4} /);
    assert.match(text.slice(franchise), /\nitemknn +\d+ +0\.\d{4} +0\.\d{4} +[+-]0\.\d{4} /);
    assert.equal(withoutTimings(await anirec(...defaultArgs, '--protocol', 'strong-generalisation')), withoutTimings(text));
  });

  it('runs cold-items and mixed, prints both variants with the selection and seed, and writes the reports', async () => {
    const report = join(dir, 'report');
    const text = await anirec(
      'eval',
      '--ratings',
      ratings,
      '--no-bundled-catalogue',
      '--anime',
      FIXTURE_CATALOGUE,
      '--anime',
      BUNDLED_DATA.catalogueJikan,
      '--protocol',
      'cold-items,mixed',
      '--models',
      'popularity',
      '--test-users',
      '60',
      '--validation-users',
      '60',
      '--report',
      report,
    );
    for (const title of ['Cold items, random', 'Cold items, recent', 'Mixed, random', 'Mixed, recent'])
      assert.ok(text.includes(title), `missing table ${title}`);
    assert.match(text, /Cold titles: random 10% of the \d+ rated titles \(seed 42\)/);
    assert.match(text, /Cold titles: the rated titles of the latest 4 seasons \(2016 fall, 2016 summer, 2016 spring, 2016 winter\)/);
    assert.match(text, /\d+ of 60 test users evaluated, \d+ skipped \(\d+ had no liked \(score ≥ 7\) cold title/);
    assert.match(text, /^content +\d\.\d{4}/m);
    assert.match(text, /^ease +0\.0000/m);
    assert.match(text, /anime_2016\.csv\.gz/);
    for (const file of ['cold-items.txt', 'cold-items.json', 'cold-items-random.svg', 'mixed-recent.svg'])
      assert.ok(existsSync(join(report, file)), `no ${file}`);
    const json = JSON.parse(readFileSync(join(report, 'mixed.json'), 'utf8')) as { tables: { models: { name: string }[] }[] };
    assert.deepEqual(
      json.tables[0]!.models.map((m) => m.name),
      ['members-popularity', 'tag-profile', 'blend', 'content', 'ease', 'popularity'],
    );
  });

  it('rejects unknown protocols and impossible settings with what to pass instead', async () => {
    await assert.rejects(
      anirec(...defaultArgs, '--protocol', 'cold'),
      /unknown protocol "cold"; choose strong-generalisation \(the default\), or any of cold-items, mixed, short-history/,
    );
    await assert.rejects(
      anirec(...defaultArgs, '--protocol', 'cold-items', '--cold-share', '2'),
      /--cold-share 2: expected a share in \(0, 1\)/,
    );
    await assert.rejects(
      anirec(...defaultArgs, '--protocol', 'short-history', '--history-lengths', '3,x'),
      /--history-lengths 3,x: expected fold-in lengths/,
    );
    await assert.rejects(anirec(...defaultArgs, '--protocol', 'mixed', '--members-catalogue', join(dir, 'none.csv')), /no such file/);
    // The fixture catalogue has no airing seasons, so the recent variant cannot pick anything.
    await assert.rejects(
      anirec(...defaultArgs, '--protocol', 'cold-items', '--models', 'popularity', '--validation-users', '60'),
      /no rated title has a year and season/,
    );
    await assert.rejects(
      anirec(...defaultArgs, '--protocol', 'cold-items'),
      /only 285 users have ≥ 5 entries; ask for fewer test users \(--test-users\) or validation users/,
    );
  });
});
