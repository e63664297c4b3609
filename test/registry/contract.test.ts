// The registry's shared rules, run against both implementations: the files in models/ (the
// SQLite default) and the shared registry in a real PostgreSQL (test/support/postgres.ts).
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  FileRegistry,
  ModelRegistry,
  PostgresRegistry,
  RegistryError,
  type ModelVersion,
  type Registry,
} from '../../src/registry/index.js';
import { bundleFiles } from '../../src/registry/postgres/artifacts.js';
import { freshPostgresDatabase } from '../support/postgres.js';
import { bundleDir, tempHome } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

interface Opened {
  registry: Registry;
  home: string;
}

const IMPLEMENTATIONS: { name: string; open: () => Promise<Opened> }[] = [
  {
    name: 'files',
    open: async () => {
      const { home, models } = tempHome();
      cleanups.push(async () => rmSync(home, { recursive: true, force: true }));
      return { registry: new FileRegistry(new ModelRegistry(models, { lockTimeoutMs: 0 })), home };
    },
  },
  {
    name: 'postgres',
    open: async () => {
      const { home } = tempHome();
      const db = await freshPostgresDatabase('anirec_registry');
      // A tiny chunk size: every artifact of the test bundles spans several rows.
      const registry = await PostgresRegistry.open(db.url, { cacheDir: join(home, 'model-cache'), chunkBytes: 3 });
      cleanups.push(async () => {
        await registry.close();
        await db.drop();
        rmSync(home, { recursive: true, force: true });
      });
      return { registry, home };
    },
  },
];

async function statuses(registry: Registry): Promise<string[]> {
  return (await registry.list()).map((v) => `${v.seq}:${v.status}`);
}

for (const impl of IMPLEMENTATIONS) {
  describe(`registry contract (${impl.name})`, () => {
    it('makes the first model production and later ones candidates, with ids and manifests', async () => {
      const { registry, home } = await impl.open();
      assert.equal(await registry.production(), null);
      const first = await registry.register(bundleDir(home, 'a'), { reason: 'nightly' });
      assert.match(first.id, /^v0001-anirec-\d{8}T\d{4}$/);
      assert.equal(first.status, 'production');
      assert.deepEqual(
        first.history.map((h) => `${h.from}->${h.to}`),
        ['null->candidate', 'candidate->production'],
      );
      assert.equal(first.history[0]!.reason, 'nightly');
      const second = await registry.register(bundleDir(home, 'b', 'ease', 'abcabcabc'), { source: 'anirec train --model ease' });
      assert.match(second.id, /^v0002-ease-/);
      assert.equal(second.status, 'candidate');
      const shown = await registry.show('v0002');
      assert.equal(shown.kind, 'ease');
      assert.equal(shown.dataHash, 'abcabcabc');
      assert.equal(shown.source, 'anirec train --model ease');
      assert.deepEqual(shown.params, { factors: 64 });
      assert.equal(shown.metrics, null);
      assert.equal((await registry.show('2')).id, second.id);
      assert.equal((await registry.production())?.id, first.id);
      await assert.rejects(
        registry.show('v0042'),
        (e: Error) => e instanceof RegistryError && /No model version "v0042".*Known versions: v0001/.test(e.message),
      );
      assert.deepEqual(await registry.reconcile(), [], 'a consistent registry needs no repair');
    });

    it('promote and register --promote archive the old production; promoting production is refused', async () => {
      const { registry, home } = await impl.open();
      const v1 = await registry.register(bundleDir(home, 'a'));
      await registry.register(bundleDir(home, 'b'), { promote: true });
      assert.deepEqual(await statuses(registry), ['1:archived', '2:production']);
      const v3 = await registry.register(bundleDir(home, 'c'));
      await registry.promote(v3.id, 'gate passed');
      assert.deepEqual(await statuses(registry), ['1:archived', '2:archived', '3:production']);
      const archived = (await registry.show('v0002')).history.at(-1)!;
      assert.equal(archived.to, 'archived');
      assert.match(archived.reason, new RegExp(`replaced by ${v3.id}: gate passed`));
      await assert.rejects(registry.promote(v3.id), /already the production version/);
      await registry.promote(v1.id, 'manual pick');
      assert.equal((await registry.production())?.id, v1.id);
    });

    it('rolls back to the previous production, walks further back, and errors when none is left', async () => {
      const { registry, home } = await impl.open();
      await assert.rejects(registry.rollback(), (e: Error) => e instanceof RegistryError && /no production model/.test(e.message));
      const v1 = await registry.register(bundleDir(home, 'a'));
      await assert.rejects(registry.rollback(), /Cannot roll back: v0001/);
      const v2 = await registry.register(bundleDir(home, 'b'), { promote: true });
      const candidate = await registry.register(bundleDir(home, 'c'));
      const v4 = await registry.register(bundleDir(home, 'd'), { promote: true });
      const back = await registry.rollback('latency regression');
      assert.equal(back.from.id, v4.id);
      assert.equal(back.to.id, v2.id);
      assert.equal((await registry.production())?.id, v2.id);
      assert.equal((await registry.show(candidate.id)).status, 'candidate', 'candidates are never rollback targets');
      assert.equal((await registry.rollback()).to.id, v1.id, 'a second rollback goes further back, not to the rolled-back v4');
      await assert.rejects(registry.rollback(), /no earlier production version/);
      assert.equal((await registry.production())?.id, v1.id, 'a refused rollback changes nothing');
      assert.deepEqual(await statuses(registry), ['1:production', '2:archived', '3:candidate', '4:archived']);
      assert.deepEqual(
        (await registry.show(v4.id)).history.map((h) => h.action),
        ['register', 'promote', 'rollback'],
      );
    });

    it('archives candidates but not production; merges metrics; refuses non-object metrics', async () => {
      const { registry, home } = await impl.open();
      const v1 = await registry.register(bundleDir(home, 'a'));
      const v2 = await registry.register(bundleDir(home, 'b'));
      await assert.rejects(registry.archive(v1.id, 'x'), /production version; promote another/);
      assert.equal((await registry.archive(v2.id, 'gate rejected')).status, 'archived');
      assert.equal(
        (await registry.archive(v2.id, 'again')).history.length,
        (await registry.show(v2.id)).history.length,
        'archiving twice changes nothing',
      );
      await registry.recordMetrics(v1.id, { 'ndcg@20': 0.31, users: 1000 });
      await registry.recordMetrics(v1.id, { 'ndcg@20': 0.32, gate: { pValue: 0.2 } });
      const m = await registry.show(v1.id);
      assert.deepEqual(m.metrics, { 'ndcg@20': 0.32, users: 1000, gate: { pValue: 0.2 } });
      assert.ok(m.metricsUpdatedAt);
      await assert.rejects(registry.recordMetrics(v1.id, [1, 2] as unknown as Record<string, unknown>), /must be a plain object/);
      await assert.rejects(registry.recordMetrics('v0009', {}), /No model version "v0009"/);
    });

    it('prunes archived versions beyond the newest ones, keeping production, its rollback target and candidates', async () => {
      const { registry, home } = await impl.open();
      const v = [];
      for (const name of ['a', 'b', 'c', 'd', 'e']) v.push(await registry.register(bundleDir(home, name), { promote: true }));
      const candidate = await registry.register(bundleDir(home, 'f'));
      const rejected = await registry.register(bundleDir(home, 'g'));
      await registry.archive(rejected.id, 'gate rejected');
      const last = await registry.register(bundleDir(home, 'h'));
      assert.deepEqual(await statuses(registry), [
        '1:archived',
        '2:archived',
        '3:archived',
        '4:archived',
        '5:production',
        '6:candidate',
        '7:archived',
        '8:candidate',
      ]);
      await assert.rejects(
        registry.prune({ keep: 0 }),
        (e: Error) => e instanceof RegistryError && /keep must be a whole number/.test(e.message),
      );

      const planned = await registry.prune({ keep: 1, dryRun: true });
      assert.deepEqual(
        planned.map((x) => x.seq),
        [1, 2, 3, 7],
        'archived versions go, the rejected v7 too; v4 (a rollback from v5 returns to it), v5 (production), the candidates and the newest stay',
      );
      assert.equal((await registry.list()).length, 8, 'a dry run deletes nothing');

      const pruned = await registry.prune({ keep: 1 });
      assert.deepEqual(
        pruned.map((x) => x.id),
        planned.map((x) => x.id),
      );
      assert.deepEqual(await statuses(registry), ['4:archived', '5:production', '6:candidate', '8:candidate']);
      await assert.rejects(registry.show(v[0]!.id), /No model version/);
      assert.equal((await registry.prune({ keep: 1 })).length, 0, 'a second prune finds nothing');

      // What is left still works: the next version gets a new number, rollback returns to v4, and it loads.
      assert.equal((await registry.register(bundleDir(home, 'i'))).seq, 9);
      assert.equal((await registry.rollback()).to.id, v[3]!.id);
      const dir = await registry.materialize((await registry.production())!);
      assert.deepEqual(bundleFiles(dir), ['bundle.json', 'model/weights.bin']);
      assert.equal((await registry.show(candidate.id)).status, 'candidate');
      assert.equal((await registry.show(last.id)).status, 'candidate');
    });

    it('refuses a directory that is not a trained model and registers nothing', async () => {
      const { registry, home } = await impl.open();
      await assert.rejects(registry.register(join(home, 'nope')), /not a trained anirec model/);
      assert.deepEqual(await registry.list(), []);
    });

    it('materialises a version as a local directory holding the bundle byte for byte', async () => {
      const { registry, home } = await impl.open();
      const source = bundleDir(home, 'a');
      const v = await registry.register(source);
      const dir = await registry.materialize(v);
      const files = bundleFiles(source);
      assert.deepEqual(files, ['bundle.json', 'model/weights.bin']);
      assert.deepEqual(bundleFiles(dir), files);
      for (const f of files) assert.deepEqual(readFileSync(join(dir, f)), readFileSync(join(source, f)), f);
    });

    it('gives every one of several concurrent registrations its own version, and one production', async () => {
      const { registry, home } = await impl.open();
      const source = bundleDir(home, 'a');
      const versions: ModelVersion[] = await Promise.all(Array.from({ length: 4 }, () => registry.register(source)));
      assert.equal(new Set(versions.map((v) => v.id)).size, 4);
      assert.deepEqual(
        (await registry.list()).map((v) => v.seq),
        [1, 2, 3, 4],
      );
      assert.equal((await registry.list()).filter((v) => v.status === 'production').length, 1);
    });
  });
}
