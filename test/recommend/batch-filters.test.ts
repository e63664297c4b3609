/**
 * `anirec recommend-batch --filters`: the API's filter fields with the API's validation and
 * messages, the catalogue read from --db, --k up to 1000. On the real test world (bundled
 * catalogues, ~600 users of the bundled ratings, item-kNN).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { resolvePaths } from '../../src/config.js';
import { parseFiltersFlag } from '../../src/cli/commands/recommend-batch.js';
import { createContext, type CliContext } from '../../src/cli/context.js';
import { buildProgram } from '../../src/cli/main.js';
import { compileBatchFilter, recommendBatch } from '../../src/recommend/batch.js';
import { Catalog } from '../../src/recommend/catalog.js';
import { compileFilters } from '../../src/recommend/filters.js';
import { buildServer } from '../../src/server/app.js';
import { FilterValidationError, validateFilters } from '../../src/server/filter-validation.js';
import { FILTER_FIELDS } from '../../src/wire/filters.js';
import { createWorld, type TestWorld } from '../server/setup.js';

let world: TestWorld;
let app: FastifyInstance;
let catalog: Catalog;
let modelDir: string;
let input: string;

const USERS = [
  {
    user: 'a',
    history: [
      { anime_id: 1, rating: 10 },
      { anime_id: 5114, rating: 9 },
      { anime_id: 2001, rating: 8 },
    ],
  },
  {
    user: 'b',
    history: [
      { anime_id: 20, rating: 9 },
      { anime_id: 1535, rating: 10 },
    ],
  },
  {
    user: 7,
    history: [
      { anime_id: 9253, rating: 10 },
      { anime_id: 11061, rating: -1 },
    ],
  },
  { user: 'cold', history: [{ anime_id: 99999999, rating: 9 }] },
];

/** Runs `anirec recommend-batch ...` in-process; returns the output lines as JSON. */
async function batch(...args: string[]): Promise<{ user: string | number; items: number[] }[]> {
  const output = join(world.dir, `out-${Math.random().toString(36).slice(2)}.jsonl`);
  const ctx: CliContext = { ...createContext(), paths: resolvePaths({ ANIREC_HOME: world.dir }), out: () => {}, err: () => {} };
  await buildProgram(ctx).parseAsync(['recommend-batch', '--model', modelDir, '--input', input, '--output', output, ...args], {
    from: 'user',
  });
  return readFileSync(output, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

async function runBatch(k: number, filters?: object): Promise<{ user: string | number; items: number[] }[]> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const filter = filters === undefined ? undefined : compileBatchFilter(world.bundle, catalog, validateFilters(filters));
  await recommendBatch(world.bundle, Readable.from(USERS.map((u) => `${JSON.stringify(u)}\n`)), out, { k, ...(filter ? { filter } : {}) });
  return Buffer.concat(chunks)
    .toString('utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

before(async () => {
  world = await createWorld();
  modelDir = join(world.modelsDir, 'itemknn-1');
  input = join(world.dir, 'users.jsonl');
  writeFileSync(input, USERS.map((u) => JSON.stringify(u)).join('\n'));
  catalog = await Catalog.load(world.store);
  ({ app } = await buildServer({ store: world.store, modelsDir: world.modelsDir, config: { modelPollMs: 0, rateLimitPerMinute: 0 } }));
});

after(async () => {
  await app.close();
  await world.cleanup();
});

describe('recommend-batch --filters', () => {
  it('keeps only titles that pass, in the order of the unfiltered ranking, never the history', async () => {
    const filters = { yearMin: 2010, formats: ['TV' as const], excludeGenres: ['Comedy'] };
    const lines = await batch('--k', '15', '--filters', JSON.stringify(filters), '--db', join(world.dir, 'anirec.db'));
    assert.deepEqual(
      lines.map((l) => l.user),
      USERS.map((u) => u.user),
      'every user, in input order',
    );
    const allowed = compileFilters(filters, catalog);
    const unfiltered = await runBatch(1000);
    lines.forEach((line, u) => {
      assert.equal(line.items.length, 15, `user ${line.user}`);
      const history = new Set(USERS[u]!.history.map((h) => h.anime_id));
      for (const id of line.items) {
        const anime = catalog.get(id)!;
        assert.ok(allowed(anime), `${anime.title} (${anime.format}, ${anime.year}) passes`);
        assert.ok(anime.year! >= 2010 && anime.format === 'TV' && !anime.genres.includes('Comedy'));
        assert.ok(!history.has(id));
      }
      // Item-kNN scores a title the same whatever else is eligible, so the filtered list is the
      // unfiltered one with what does not pass removed.
      assert.deepEqual(line.items, unfiltered[u]!.items.filter((id) => allowed(catalog.get(id))).slice(0, 15));
    });
  });

  it('resolves season "current" with the clock, like the API', () => {
    assert.deepEqual(parseFiltersFlag('{"season":"current","yearMin":2010}', new Date('2016-05-01T00:00:00Z')), {
      season: '2016-spring',
      yearMin: 2010,
    });
  });

  it('without --filters the contract is unchanged: no store needed, adult titles not filtered', async () => {
    const lines = await batch('--k', '10', '--db', join(world.dir, 'missing.db'));
    assert.deepEqual(lines, await runBatch(10));
  });

  it('needs the store for its catalogue, and says so', async () => {
    await assert.rejects(
      batch('--filters', '{"yearMin":2017}', '--db', join(world.dir, 'missing.db')),
      /--filters needs the catalogue, read from the store .*missing\.db, which does not exist/,
    );
  });

  it('takes --k up to 1000 and refuses more with a clear error', async () => {
    assert.ok(world.bundle.itemIds.length > 1010, 'the model knows enough titles for 1000 per user');
    const lines = await batch('--k', '1000');
    assert.ok(
      lines.every((l) => l.items.length === 1000),
      '1000 per user',
    );
    await assert.rejects(batch('--k', '1001'), /--k can be at most 1000 \(got 1001\)/);
    await assert.rejects(runBatch(1001), /k must be a whole number from 1 to 1000/);
  });
});

describe('filter validation: the API schema, the API messages', () => {
  it('an unknown field is an error naming it and the known fields', async () => {
    await assert.rejects(batch('--filters', '{"gernes":["Action"]}', '--db', join(world.dir, 'anirec.db')), (error: Error) => {
      assert.match(error.message, /^--filters: unknown field filters\.gernes; the known fields here are genres, excludeGenres, /);
      for (const field of ['season', 'yearMin', 'excludeListed', 'includeAdult']) assert.ok(error.message.includes(field), field);
      return true;
    });
    assert.ok(FILTER_FIELDS.includes('season'));
  });

  it('an unknown genre is the error the API gives, suggestions included', async () => {
    const api = await app.inject({
      method: 'POST',
      url: '/v1/recommendations/from-titles',
      payload: { titles: [{ id: 1 }], filters: { genres: ['Acton'] } },
    });
    assert.equal(api.statusCode, 400);
    const apiMessage = api.json().message as string;
    assert.match(apiMessage, /unknown genre "Acton"\. Did you mean "Action"/);
    await assert.rejects(
      batch('--filters', '{"genres":["Acton"]}', '--db', join(world.dir, 'anirec.db')),
      (error: Error) => error.message === `--filters: genres: ${apiMessage}`,
    );
    await assert.rejects(
      batch('--filters', '{"yearMin":2018,"yearMax":2010}', '--db', join(world.dir, 'anirec.db')),
      /--filters: year: yearMin \(2018\) is greater than yearMax \(2010\)/,
    );
  });

  it('refuses and accepts exactly what the API does, with the same field and message', async () => {
    const cases: unknown[] = [
      { gernes: ['Action'] },
      { yearMin: 'soon' },
      { yearMin: 1800 },
      { yearMax: 2017.5 },
      { formats: ['Tv'] },
      { status: ['airing', 'someday'] },
      { season: '2025-autumn' },
      { season: 2025 },
      { includeAdult: 'maybe' },
      { minScore: 11 },
      { genres: ['x'.repeat(101)] },
      { genres: [] },
      { genres: 'Action' },
      { yearMin: '2010' },
      { season: '2016-spring', status: ['finished'], excludeListed: false },
    ];
    let refused = 0;
    for (const filters of cases) {
      const api = await app.inject({
        method: 'POST',
        url: '/v1/recommendations/from-titles',
        payload: { titles: [{ id: 1, score: 9 }], k: 3, filters },
      });
      let batchError: FilterValidationError | null = null;
      try {
        validateFilters(filters);
      } catch (error) {
        if (!(error instanceof FilterValidationError)) throw error;
        batchError = error;
      }
      const what = JSON.stringify(filters);
      if (api.statusCode === 200) {
        assert.equal(batchError, null, `${what}: the API accepts it`);
        continue;
      }
      assert.equal(api.statusCode, 400, what);
      refused++;
      assert.ok(batchError !== null, `${what}: the API refuses it (${api.json().message})`);
      const body = api.json();
      assert.equal(`body.${batchError.field}`, body.field, what);
      assert.equal(batchError.message.replaceAll('filters.', 'body.filters.'), body.message, what);
    }
    assert.equal(refused, 11, 'the first eleven cases are bad input');
  });

  it('coerces as the API does and leaves the caller’s object alone', () => {
    const raw = { genres: 'Action', yearMin: '2010' };
    assert.deepEqual(validateFilters(raw), { genres: ['Action'], yearMin: 2010 });
    assert.deepEqual(raw, { genres: 'Action', yearMin: '2010' });
    assert.throws(() => validateFilters([1, 2]), /must be a JSON object of filter fields/);
  });
});
