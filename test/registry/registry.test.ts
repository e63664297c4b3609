import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ModelRegistry, RegistryError, resolveCurrentPointer, type VersionManifest } from '../../src/registry/index.js';
import { bundleDir, tempHome } from './helpers.js';

const homes: string[] = [];
after(() => homes.forEach((h) => rmSync(h, { recursive: true, force: true })));

function setup(): { registry: ModelRegistry; home: string; models: string } {
  const { home, models } = tempHome();
  homes.push(home);
  return { registry: new ModelRegistry(models, { lockTimeoutMs: 0 }), home, models };
}

function current(models: string): string {
  return resolveCurrentPointer(models, readFileSync(join(models, 'CURRENT'), 'utf8'));
}

function statuses(registry: ModelRegistry): string[] {
  return registry.list().map((v) => `${v.seq}:${v.status}`);
}

describe('ModelRegistry', () => {
  it('writes CURRENT relative to the registry, so a copied models directory serves its own version', () => {
    const { registry, home, models } = setup();
    const first = registry.register(bundleDir(home, 'a'));
    assert.equal(readFileSync(join(models, 'CURRENT'), 'utf8').trim(), first.id);
    const copy = join(home, 'restored-models');
    cpSync(models, copy, { recursive: true });
    rmSync(models, { recursive: true, force: true });
    assert.equal(new ModelRegistry(copy).currentPointer(), join(copy, first.id));
    assert.equal(
      resolveCurrentPointer(copy, '/elsewhere/v0001\n'),
      '/elsewhere/v0001',
      'an absolute pointer (older registries) is read as it is',
    );
  });

  it('makes the first model production and later ones candidates, with ids, manifests and CURRENT', () => {
    const { registry, home, models } = setup();
    const first = registry.register(bundleDir(home, 'a'), { reason: 'nightly' });
    assert.match(first.id, /^v0001-anirec-\d{8}T\d{4}$/);
    assert.equal(first.status, 'production');
    assert.deepEqual(
      first.history.map((h) => `${h.from}->${h.to}`),
      ['null->candidate', 'candidate->production'],
    );
    assert.equal(current(models), first.dir, 'CURRENT names the production directory');
    assert.ok(existsSync(join(first.dir, 'model', 'weights.bin')), 'the bundle files were copied in');
    assert.ok(existsSync(join(home, 'a', 'bundle.json')), 'copy mode leaves the source alone');

    const second = registry.register(bundleDir(home, 'b', 'ease', 'abcabcabc'));
    assert.match(second.id, /^v0002-ease-/);
    assert.equal(second.status, 'candidate');
    assert.equal(current(models), first.dir, 'a candidate does not change what is served');

    const shown = registry.show('v0002');
    assert.equal(shown.kind, 'ease');
    assert.equal(shown.dataHash, 'abcabcabc');
    assert.deepEqual(shown.params, { factors: 64 });
    assert.equal(shown.metrics, null);
    assert.equal(registry.show('2').id, second.id);
    assert.equal(registry.production()?.id, first.id);
  });

  it('register --promote and promote(id) archive the old production and move CURRENT', () => {
    const { registry, home, models } = setup();
    const v1 = registry.register(bundleDir(home, 'a'));
    const v2 = registry.register(bundleDir(home, 'b'), { promote: true });
    assert.deepEqual(statuses(registry), ['1:archived', '2:production']);
    assert.equal(current(models), v2.dir);
    const v3 = registry.register(bundleDir(home, 'c'));
    registry.promote(v3.id, 'gate passed');
    assert.deepEqual(statuses(registry), ['1:archived', '2:archived', '3:production']);
    assert.equal(current(models), v3.dir);
    const archived = registry.show(v2.id).history.at(-1)!;
    assert.equal(archived.to, 'archived');
    assert.match(archived.reason, new RegExp(`replaced by ${v3.id}: gate passed`));
    assert.throws(() => registry.promote(v3.id), /already the production version/);
    // An archived version can be promoted again by hand.
    registry.promote(v1.id, 'manual pick');
    assert.equal(registry.production()?.id, v1.id);
    assert.equal(current(models), v1.dir);
  });

  it('rolls back to the previous production, walks further back, and errors when none is left', () => {
    const { registry, home, models } = setup();
    assert.throws(
      () => registry.rollback(),
      (e: Error) => e instanceof RegistryError && /no production model/.test(e.message) && /models promote/.test(e.message),
    );
    const v1 = registry.register(bundleDir(home, 'a'));
    assert.throws(
      () => registry.rollback(),
      (e: Error) => e instanceof RegistryError && /Cannot roll back: v0001/.test(e.message),
    );
    const v2 = registry.register(bundleDir(home, 'b'), { promote: true });
    const candidate = registry.register(bundleDir(home, 'c'));
    const v4 = registry.register(bundleDir(home, 'd'), { promote: true });

    const back = registry.rollback('latency regression');
    assert.equal(back.from.id, v4.id);
    assert.equal(back.to.id, v2.id);
    assert.equal(current(models), v2.dir);
    assert.equal(registry.show(v4.id).status, 'archived');
    assert.equal(registry.show(candidate.id).status, 'candidate', 'candidates are never rollback targets');

    // A second rollback goes to v1, not back to the rolled-back v4.
    assert.equal(registry.rollback().to.id, v1.id);
    assert.equal(current(models), v1.dir);
    assert.throws(() => registry.rollback(), /no earlier production version/);
    assert.equal(current(models), v1.dir, 'a refused rollback changes nothing');
    assert.deepEqual(statuses(registry), ['1:production', '2:archived', '3:candidate', '4:archived']);
  });

  it('archives candidates but refuses to archive production; records metrics by merging', () => {
    const { registry, home } = setup();
    const v1 = registry.register(bundleDir(home, 'a'));
    const v2 = registry.register(bundleDir(home, 'b'));
    assert.throws(() => registry.archive(v1.id, 'x'), /production version; promote another/);
    assert.equal(registry.archive(v2.id, 'gate rejected: NDCG@20 worse, p=0.01').status, 'archived');
    registry.recordMetrics(v1.id, { 'ndcg@20': 0.31, users: 1000 });
    registry.recordMetrics(v1.id, { 'ndcg@20': 0.32, gate: { pValue: 0.2 } });
    const m = registry.show(v1.id);
    assert.deepEqual(m.metrics, { 'ndcg@20': 0.32, users: 1000, gate: { pValue: 0.2 } });
    assert.ok(m.metricsUpdatedAt);
    assert.throws(() => registry.recordMetrics('v0009', {}), /No model version "v0009".*Known versions: v0001/);
  });

  it('gives a clear error for a corrupt version.json, naming the file and the fix', () => {
    const { registry, home } = setup();
    const v1 = registry.register(bundleDir(home, 'a'));
    const file = join(v1.dir, 'version.json');
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, good.slice(0, 40));
    assert.throws(
      () => registry.list(),
      (e: Error) => e instanceof RegistryError && e.message.includes(file) && /not valid JSON/.test(e.message) && /Restore/.test(e.message),
    );
    assert.throws(() => registry.register(bundleDir(home, 'b')), /not valid JSON/, 'writes refuse to work over a corrupt registry');

    const parsed = JSON.parse(good) as VersionManifest;
    writeFileSync(file, JSON.stringify({ ...parsed, status: 'live' }));
    assert.throws(() => registry.list(), /"status" is "live", expected one of candidate, production, archived/);
    writeFileSync(file, JSON.stringify({ ...parsed, id: 'v0042-x-20260101T0000' }));
    assert.throws(() => registry.list(), /does not match its directory name/);
    rmSync(file);
    assert.throws(() => registry.list(), /has no readable .*version\.json \(ENOENT\)/);
  });

  it('refuses directories that are not trained models', () => {
    const { registry, home } = setup();
    assert.throws(() => registry.register(join(home, 'nope')), /not a trained anirec model.*anirec train --out/);
    const dir = bundleDir(home, 'old');
    writeFileSync(join(dir, 'bundle.json'), JSON.stringify({ format: 'anirec-model-bundle', formatVersion: 0 }));
    assert.throws(() => registry.register(dir), /v0; the registry takes anirec-model-bundle v1/);
    assert.deepEqual(registry.list(), []);
  });

  it('moves a staging directory in with move: true', () => {
    const { registry, models } = setup();
    const staging = bundleDir(models, '.train-x');
    const v = registry.register(staging, { move: true, source: 'anirec train --model anirec' });
    assert.ok(!existsSync(staging));
    assert.equal(v.source, 'anirec train --model anirec');
    assert.ok(existsSync(join(v.dir, 'bundle.json')));
  });

  it('finishes an interrupted promotion: the later promotion wins and CURRENT is repaired', () => {
    const { registry, home, models } = setup();
    const v1 = registry.register(bundleDir(home, 'a'));
    const v2 = registry.register(bundleDir(home, 'b'));
    // Simulate a crash right after v2's version.json was written as production.
    const file = join(v2.dir, 'version.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as VersionManifest;
    manifest.status = 'production';
    manifest.history.push({
      at: new Date(Date.now() + 1000).toISOString(),
      from: 'candidate',
      to: 'production',
      action: 'promote',
      reason: 'interrupted',
    });
    writeFileSync(file, JSON.stringify(manifest));
    assert.equal(registry.production()?.id, v2.id, 'readers already see the newer promotion');
    assert.equal(current(models), v1.dir);
    const notes = registry.reconcile();
    assert.equal(notes.length, 2);
    assert.deepEqual(statuses(registry), ['1:archived', '2:production']);
    assert.equal(current(models), v2.dir);
    assert.equal(registry.show(v1.id).history.at(-1)!.action, 'recover');
  });
});
