/** Filter flags: one per API filter field, validated as the API validates, merged with --filters. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Command } from 'commander';
import { addFilterOptions, filtersFromFlags, flagOf } from '../../src/cli/filter-flags.js';
import { FILTER_FIELDS } from '../../src/wire/filters.js';

const SPRING_2016 = new Date('2016-05-01T00:00:00Z');

/** Parses `args` with the shared filter options and returns the merged filters. */
function parse(...args: string[]) {
  const command = addFilterOptions(new Command('x').exitOverride());
  command.parse(args, { from: 'user' });
  return filtersFromFlags(command.opts(), SPRING_2016).filters;
}

describe('filter flags', () => {
  it('has one flag per API filter field, named after it', () => {
    const command = addFilterOptions(new Command('x'));
    const longs = new Set(command.options.map((o) => o.long));
    assert.ok(FILTER_FIELDS.length >= 17);
    for (const field of FILTER_FIELDS) assert.ok(longs.has(flagOf(field)), `no ${flagOf(field)} for ${field}`);
    assert.equal(flagOf('minPopularityRank'), '--min-popularity-rank');
  });

  it('turns flags into the filters the API would build from the same query', () => {
    assert.deepEqual(
      parse(
        '--genres',
        'Action, Comedy',
        '--genres',
        'Drama',
        '--formats',
        'TV',
        '--year-min',
        '2010',
        '--min-score',
        '7.5',
        '--season',
        'current',
        '--no-exclude-listed',
        '--include-adult',
      ),
      {
        genres: ['Action', 'Comedy', 'Drama'],
        formats: ['TV'],
        yearMin: 2010,
        minScore: 7.5,
        season: '2016-spring',
        excludeListed: false,
        includeAdult: true,
      },
    );
    assert.deepEqual(parse(), {}, 'no flag, no filter: the API defaults apply');
  });

  it('merges --filters JSON with flags for other fields, and means the same as the flags', () => {
    assert.deepEqual(parse('--filters', '{"themes": "Mecha", "yearMax": 2015}', '--status', 'airing'), {
      themes: ['Mecha'],
      yearMax: 2015,
      status: ['airing'],
    });
    assert.deepEqual(parse('--filters', '{"yearMin": 2010, "excludePlanned": false}'), parse('--year-min', '2010', '--no-exclude-planned'));
    assert.throws(() => parse('--year-min', '2010', '--filters', '{"yearMin": 2011}'), /--year-min and --filters both set yearMin/);
    assert.throws(
      () => parse('--include-adult', '--filters', '{"includeAdult": false}'),
      /--include-adult and --filters both set includeAdult/,
    );
  });
});
