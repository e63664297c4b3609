// The retrain job's registry steps on the shared registry: the candidate is registered in the
// database (staged under the registry's staging root, which is left empty), production is read
// through the cache, and the gate's decision is recorded and applied there. Real PostgreSQL.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_OPS_CONFIG, runRetrain } from '../../src/ops/index.js';
import { PostgresRegistry } from '../../src/registry/index.js';
import { freshPostgresDatabase } from '../support/postgres.js';
import { createWorld, type TestWorld } from '../server/setup.js';

let world: TestWorld;
let db: { url: string; drop: () => Promise<void> };
let registry: PostgresRegistry;

before(async () => {
  world = await createWorld({ ratingLines: 20_000 });
  db = await freshPostgresDatabase('anirec_registry_retrain');
  registry = await PostgresRegistry.open(db.url, { cacheDir: join(world.dir, 'model-cache') });
});
after(async () => {
  await registry.close();
  await db.drop();
  await world.cleanup();
});

describe('runRetrain on the shared registry', () => {
  it('registers the candidate in the database, records the gate and promotes or archives it there', async () => {
    const production = await registry.register(join(world.modelsDir, 'itemknn-1'));
    const gate = await runRetrain(world.store, registry, { ...DEFAULT_OPS_CONFIG.retrain, model: 'popularity', testUsers: 40 });
    assert.equal(gate.production, production.id);
    assert.ok(gate.testUsers > 0 && gate.test !== null, 'the candidate was compared with production on held-out users');
    const versions = await registry.list();
    assert.deepEqual(
      versions.map((v) => v.kind),
      ['itemknn', 'popularity'],
    );
    const candidate = versions[1]!;
    assert.equal(candidate.id, gate.candidate);
    assert.equal((candidate.metrics?.gate as { decision: string }).decision, gate.decision);
    assert.equal(candidate.status, gate.decision === 'promoted' ? 'production' : 'archived');
    assert.equal((await registry.production())?.id, gate.decision === 'promoted' ? candidate.id : production.id);
    assert.ok(existsSync(join(world.dir, 'model-cache', production.id, 'bundle.json')), 'production was read through the cache');
    assert.deepEqual(readdirSync(registry.stagingRoot), [], 'the staging directory was cleaned up');
  });
});
