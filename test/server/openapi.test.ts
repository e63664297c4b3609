/**
 * The OpenAPI document is built from the same TypeBox schemas Fastify validates and serialises
 * with (src/wire/), and the web page imports its types from them; the type provider makes each
 * handler's return value type-check against its answer schema. These tests hold the rest of the
 * promise at run time: every route documents a typed answer (no open `{}` object, whose fields the
 * page would have to guess), and real answers of every route the page and the CLI use come back
 * (no 500 from the serialiser refusing a missing required field) and validate against the schema
 * the document gives.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { buildServer } from '../../src/server/app.js';
import { createWorld, type TestWorld } from './setup.js';

let world: TestWorld;
let app: Awaited<ReturnType<typeof buildServer>>['app'];
let doc: { paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema: object }> }> }>> };

before(async () => {
  world = await createWorld({ ratingLines: 30_000 });
  ({ app } = await buildServer({
    store: world.store,
    modelsDir: world.modelsDir,
    config: { modelPollMs: 0, allowWritesWithoutKey: true },
  }));
  doc = (await app.inject('/openapi.json')).json();
});

after(async () => {
  await app.close();
  await world.cleanup();
});

/** Each object schema that lets anything through (no declared properties, no typed values), as a path into the schema. */
function openObjects(schema: unknown, at: string, out: string[]): string[] {
  if (schema === null || typeof schema !== 'object') return out;
  const s = schema as Record<string, unknown>;
  const isObject = s.type === 'object' || (Array.isArray(s.type) && s.type.includes('object'));
  const declared = s.properties !== undefined && Object.keys(s.properties as object).length > 0;
  // A map (patternProperties, or additionalProperties with a schema) types its values: not open.
  const typedMap = s.patternProperties !== undefined || (typeof s.additionalProperties === 'object' && s.additionalProperties !== null);
  if (isObject && !declared && !typedMap && s.additionalProperties !== false) out.push(at);
  for (const [key, value] of Object.entries(s)) openObjects(value, `${at}/${key}`, out);
  return out;
}

function successSchema(path: string, method: string): object {
  const operation = doc.paths[path]?.[method];
  assert.ok(operation, `OpenAPI documents ${method.toUpperCase()} ${path}`);
  const ok = Object.entries(operation.responses ?? {}).find(([status]) => /^2\d\d$/.test(status));
  assert.ok(ok, `${method.toUpperCase()} ${path} documents a 2xx answer`);
  const schema = ok[1].content?.['application/json']?.schema;
  assert.ok(schema, `${method.toUpperCase()} ${path} documents the 2xx answer's JSON schema`);
  return schema;
}

const ajv = new Ajv({ strict: false, allErrors: true });

async function checkAnswer(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, docPath: string, payload?: unknown): Promise<unknown> {
  const res = await app.inject({ method, url, ...(payload !== undefined ? { payload: payload as object } : {}) });
  assert.ok(res.statusCode >= 200 && res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
  const body = res.json();
  const validate = ajv.compile(successSchema(docPath, method.toLowerCase()));
  assert.ok(validate(body), `${method} ${url} answers what OpenAPI documents: ${ajv.errorsText(validate.errors)}`);
  return body;
}

describe('the OpenAPI document and the answers', () => {
  it('documents a typed answer for every route, with no open objects', () => {
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => ({ path, method: m })));
    assert.ok(operations.length >= 25, `the document lists the routes (${operations.length})`);
    const open: string[] = [];
    for (const { path, method } of operations) openObjects(successSchema(path, method), `${method.toUpperCase()} ${path}`, open);
    assert.deepEqual(open, [], 'every answer declares its fields');
  });

  it('real answers match their documented schema (the types the web page imports)', async () => {
    const user = '1';
    const recs = (await checkAnswer('GET', `/v1/users/${user}/recommendations?k=5`, '/v1/users/{user}/recommendations')) as {
      items: { anime: { id: number } }[];
    };
    assert.ok(recs.items.length > 0, 'the known user gets a list');
    const id = recs.items[0]!.anime.id;
    const fromTitles = (await checkAnswer('POST', '/v1/recommendations/from-titles', '/v1/recommendations/from-titles', {
      titles: [{ title: 'Cowboy Bebop', score: 9 }, { id }],
      k: 5,
    })) as { items: unknown[]; resolved: unknown[] };
    assert.ok(fromTitles.items.length > 0 && fromTitles.resolved.length === 1, 'a typed name is resolved and a list comes back');
    await checkAnswer('POST', '/v1/recommendations/from-preferences', '/v1/recommendations/from-preferences', {
      likedGenres: ['Action'],
      k: 5,
    });
    await checkAnswer('GET', '/v1/recommendations/starter?k=5', '/v1/recommendations/starter');
    const similar = (await checkAnswer('GET', '/v1/similar?title=Cowboy%20Bebop&k=5', '/v1/similar')) as { match: { id: number } };
    assert.equal(typeof similar.match.id, 'number');
    await checkAnswer('GET', '/v1/search?q=bebop', '/v1/search');
    await checkAnswer('GET', `/v1/anime/${id}`, '/v1/anime/{id}');
    await checkAnswer('GET', `/v1/anime?ids=${id},1`, '/v1/anime');
    await checkAnswer('GET', '/v1/tags', '/v1/tags');
    await checkAnswer('GET', '/v1/page-config', '/v1/page-config');
    await checkAnswer('GET', `/v1/users/${user}/profile`, '/v1/users/{user}/profile');
    await checkAnswer('POST', '/v1/profile/from-titles', '/v1/profile/from-titles', { titles: [{ id, score: 8 }] });
    const similarUsers = (await checkAnswer('GET', `/v1/users/${user}/similar-users?k=3`, '/v1/users/{user}/similar-users')) as {
      users: unknown[];
    };
    assert.ok(similarUsers.users.length > 0, 'similar users are found');
    await checkAnswer('GET', `/v1/users/${user}/continue?k=5`, '/v1/users/{user}/continue');
    await checkAnswer('POST', '/v1/continue/from-titles', '/v1/continue/from-titles', { titles: [{ id }], k: 5 });
    await checkAnswer('GET', '/v1/monitoring?days=7', '/v1/monitoring');
    await checkAnswer('PUT', `/v1/users/local:openapi/list/${id}`, '/v1/users/{user}/list/{animeId}', { score: 7 });
    const list = (await checkAnswer('GET', '/v1/users/local:openapi/list', '/v1/users/{user}/list')) as { entries: unknown[] };
    assert.equal(list.entries.length, 1);
    await checkAnswer('DELETE', `/v1/users/local:openapi/list/${id}`, '/v1/users/{user}/list/{animeId}');
    await checkAnswer('GET', '/v1/admin/model', '/v1/admin/model');
    await checkAnswer('GET', '/health/live', '/health/live');
    await checkAnswer('GET', '/health/ready', '/health/ready');
  });
});
