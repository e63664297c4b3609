import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { FastifyInstance, HTTPMethods } from 'fastify';
import { buildServer } from '../../src/server/app.js';
import { createWorld, type TestWorld } from './setup.js';

let world: TestWorld;
let app: FastifyInstance;

/** AniList stand-in that knows nobody: the fuzzer must not reach the real network. */
const fetchNobody: typeof fetch = async () =>
  new Response(JSON.stringify({ data: { MediaListCollection: null }, errors: [{ message: 'Not Found.', status: 404 }] }), {
    status: 404,
    headers: { 'content-type': 'application/json' },
  });

before(async () => {
  world = await createWorld({ ratingLines: 20_000 });
  ({ app } = await buildServer({
    store: world.store,
    modelsDir: world.modelsDir,
    fetch: fetchNobody,
    config: { apiKeys: ['k'], modelPollMs: 0, rateLimitPerMinute: 0, loopbackOnly: true },
  }));
});

after(async () => {
  await app.close();
  await world.cleanup();
});

const ROUTES: [HTTPMethods, string][] = [
  ['GET', '/v1/users/{user}/recommendations'],
  ['POST', '/v1/recommendations/from-titles'],
  ['POST', '/v1/recommendations/from-preferences'],
  ['GET', '/v1/recommendations/starter'],
  ['GET', '/v1/similar'],
  ['GET', '/v1/search'],
  ['GET', '/v1/anime/{id}'],
  ['GET', '/v1/tags'],
  ['GET', '/v1/users/{user}/similar-users'],
  ['GET', '/v1/users/{user}/profile'],
  ['GET', '/v1/users/{user}/list'],
  ['PUT', '/v1/users/{user}/list/{id}'],
  ['DELETE', '/v1/users/{user}/list/{id}'],
  ['POST', '/v1/import/mal'],
  ['POST', '/v1/import/anilist'],
  ['GET', '/v1/monitoring'],
  ['GET', '/v1/admin/model'],
  ['POST', '/v1/admin/reload'],
  ['GET', '/health/ready'],
];

const QUERY_KEYS = [
  'days',
  'k',
  'offset',
  'diversity',
  'genres',
  'excludeGenres',
  'themes',
  'formats',
  'yearMin',
  'yearMax',
  'episodesMin',
  'minScore',
  'minPopularityRank',
  'maxPopularityRank',
  'status',
  'includeAdult',
  'seed',
  'id',
  'title',
  'mode',
  'q',
  'limit',
  'excludeListed',
];
/** Numbers a careless or hostile client sends: Ajv's coercion turns some into Infinity. */
const NASTY_NUMBERS = [
  'Infinity',
  '-Infinity',
  'NaN',
  '1e400',
  '-1e400',
  '1e309',
  '-0',
  '0x10',
  '0b11',
  '1e2',
  '+5',
  '5.0',
  '9007199254740993',
];
const segment = fc.oneof(
  fc.constantFrom(
    '1',
    'kaggle2016:1',
    'local:fuzz',
    '5114',
    '0',
    '-1',
    ':',
    'a:b:c',
    '%00',
    'a\u0000b',
    '99999999999999999999',
    ...NASTY_NUMBERS,
  ),
  fc.string({ maxLength: 12 }),
);
const queryValue = fc.oneof(
  fc.constantFrom('', '0', '-1', 'Action', 'TV', 'hybrid', 'true', 'null', '[]', '{}', '5', '0.5', 'Action,,Mecha', ...NASTY_NUMBERS),
  fc.string({ maxLength: 10 }),
  fc.integer().map(String),
);
/** Headers a foreign page, a rebinding attack or a proxy might bring. */
const browserHeaders = fc.record(
  {
    origin: fc.constantFrom('https://evil.example', 'null', 'http://127.0.0.1:8080', 'http://localhost:5173', 'not a url'),
    host: fc.constantFrom('evil.example', '127.0.0.1:8080', 'localhost', '[::1]:80', '', 'a:b:c'),
    referer: fc.constantFrom('https://evil.example/x', '::::'),
  },
  { requiredKeys: [] },
);
const DOCTYPE_XML =
  '<?xml version="1.0"?><!DOCTYPE myanimelist [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><myanimelist><myinfo><user_name>&b;</user_name></myinfo></myanimelist>';
const jsonValue = fc.jsonValue({ maxDepth: 4 });
const body = fc.oneof(
  jsonValue,
  fc.record(
    {
      titles: fc.array(
        fc.oneof(
          fc.record({ id: fc.oneof(fc.integer(), jsonValue) }),
          fc.record({ title: fc.string(), score: fc.oneof(fc.integer({ min: -2, max: 12 }), jsonValue) }),
          jsonValue,
        ),
        { maxLength: 5 },
      ),
      k: fc.oneof(fc.integer({ min: -5, max: 200 }), jsonValue),
    },
    { requiredKeys: [] },
  ),
  fc.record(
    {
      likedGenres: fc.array(fc.oneof(fc.constantFrom('Action', 'Mecha', 'comedy'), fc.string()), { maxLength: 3 }),
      era: fc.oneof(fc.record({ from: fc.integer(), to: fc.integer() }), jsonValue),
      score: fc.oneof(fc.integer(), jsonValue),
      status: fc.oneof(fc.constantFrom('completed', 'dropped'), fc.string()),
      userName: fc.string(),
    },
    { requiredKeys: [] },
  ),
);
const contentType = fc.constantFrom('application/json', 'application/xml', 'text/plain', 'application/x-www-form-urlencoded', undefined);

describe('fuzz', () => {
  it('every route answers 2xx or 4xx (or 502-504 for an unreachable upstream) with a JSON error body and no internals, whatever it is sent', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        segment,
        segment,
        fc.array(fc.tuple(fc.constantFrom(...QUERY_KEYS), queryValue), { maxLength: 5 }),
        body,
        contentType,
        fc.boolean(),
        browserHeaders,
        fc.boolean(),
        async ([method, template], user, id, query, payload, type, withKey, extraHeaders, doctype) => {
          const path = template.replace('{user}', encodeURIComponent(user)).replace('{id}', encodeURIComponent(id));
          const qs = query.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
          const headers: Record<string, string> = { ...extraHeaders, ...(withKey ? { 'x-api-key': 'k' } : {}) };
          let raw: string | undefined;
          if (method !== 'GET' && method !== 'DELETE') {
            raw =
              type === 'application/xml'
                ? doctype
                  ? DOCTYPE_XML
                  : `<myanimelist>${JSON.stringify(payload)}</myanimelist>`
                : JSON.stringify(payload);
            if (type) headers['content-type'] = type;
          }
          const res = await app.inject({
            method,
            url: `${path}${qs ? `?${qs}` : ''}`,
            headers,
            ...(raw !== undefined ? { payload: raw } : {}),
          });
          const upstream = res.statusCode >= 502 && res.statusCode <= 504;
          assert.ok(
            (res.statusCode >= 200 && res.statusCode < 500) || upstream,
            `${method} ${path}?${qs} ${JSON.stringify(headers)} ${raw ?? ''} → ${res.statusCode} ${res.body.slice(0, 300)}`,
          );
          // No stack frames, module paths or store/model paths in any answer.
          assert.doesNotMatch(
            res.body,
            /\.ts:\d+|node_modules|anirec-api-test-|\/tmp\/|\/models\//,
            `${method} ${path}: ${res.body.slice(0, 300)}`,
          );
          if (res.statusCode >= 400) {
            const parsed = res.json();
            assert.equal(typeof parsed.error, 'string');
            assert.equal(typeof parsed.message, 'string');
          }
        },
      ),
      { numRuns: 800, seed: 42 },
    );
  });
});
