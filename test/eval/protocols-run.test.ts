import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderProtocolJson, renderProtocolRun, renderProtocolSvg } from '../../src/eval/protocols/protocol-report.js';
import { heldOutRows } from '../../src/eval/protocols/protocol-users.js';
import { runProtocols, type ProtocolOptions } from '../../src/eval/protocols/run-protocols.js';
import type { TrainingData } from '../../src/models/types.js';
import { world } from './protocols-fixture.js';

const { data, catalogue, members } = world(200, 60, 11);
const numbers = { source: 'fixture-2016', byId: new Map([...members].map(([id, m]) => [id, { members: m, malScore: 7 }])) };
const options: ProtocolOptions = {
  protocols: ['cold-items', 'mixed', 'short-history'],
  models: ['popularity'],
  seed: 42,
  testUsers: 50,
  validationUsers: 50,
  coldShare: 0.25,
  recentSeasons: 2,
  historyLengths: [3, 5],
};

/** The same data with every test user's scores changed (same titles, so the same cold titles and users). */
function withTestScoresChanged(d: TrainingData, testRows: Int32Array): TrainingData {
  const scores = d.scores.slice();
  for (const u of testRows) for (let e = d.indptr[u]!; e < d.indptr[u + 1]!; e++) scores[e] = scores[e]! > 0 ? 11 - scores[e]! : 0;
  return { ...d, scores };
}

describe('runProtocols on a small world', async () => {
  const runs = await runProtocols(data, catalogue, numbers, options);
  const tables = runs.flatMap((r) => r.tables);

  it('gives every protocol its tables with baselines, content, EASE and the models asked for', () => {
    assert.deepEqual(
      runs.map((r) => r.protocol),
      ['cold-items', 'mixed', 'short-history'],
    );
    assert.deepEqual(
      tables.map((t) => t.id),
      ['cold-items-random', 'cold-items-recent', 'mixed-random', 'mixed-recent', 'short-history-3', 'short-history-5'],
    );
    for (const table of tables) {
      assert.deepEqual(
        table.rows.map((r) => r.name),
        ['members-popularity', 'tag-profile', 'blend', 'content', 'ease', 'popularity'],
      );
      assert.ok(table.usersEvaluated > 0, `${table.id} evaluated nobody`);
      assert.equal(table.usersEvaluated + table.usersSkipped, 50);
      assert.equal(table.context.seed, 42);
      assert.ok(table.comparisons.some((c) => c.against === 'blend'));
    }
  });

  it('ranks cold titles with no signal for the interaction-only models', () => {
    const cold = tables.find((t) => t.id === 'cold-items-random')!;
    for (const name of ['ease', 'popularity'])
      assert.equal(cold.rows.find((r) => r.name === name)!.metrics['ndcg@20']!.mean, 0, `${name} cannot know a title nobody rated`);
    assert.ok(cold.rows.find((r) => r.name === 'members-popularity')!.metrics['ndcg@20']!.mean > 0);
    const mixed = tables.find((t) => t.id === 'mixed-random')!;
    assert.equal(mixed.rows.find((r) => r.name === 'ease')!.metrics['coldShare@20']!.mean, 0);
    assert.ok(mixed.rows.find((r) => r.name === 'ease')!.metrics['ndcgAll@20']!.mean > 0, 'EASE still finds the warm targets');
    assert.ok(mixed.rows[0]!.metrics.coldShareOfTargets!.mean > 0);
  });

  it('compares every model with tuned EASE per history length', () => {
    for (const table of tables.filter((t) => t.id.startsWith('short-history'))) {
      const vsEase = table.comparisons.filter((c) => c.against === 'ease');
      assert.equal(vsEase.length, table.rows.length - 1);
      for (const c of vsEase) assert.ok(Number.isFinite(c.test.low) && Number.isFinite(c.test.high));
    }
  });

  it("tunes the blend on validation users only: changing the test users' data changes no weight", async () => {
    const rows = heldOutRows(data, { seed: 42, testUsers: 50, validationUsers: 50 });
    const changed = withTestScoresChanged(data, rows.test);
    const again = (await runProtocols(changed, catalogue, numbers, options)).flatMap((r) => r.tables);
    const test = new Set(rows.test);
    let moved = 0;
    for (const [i, table] of tables.entries()) {
      assert.deepEqual(again[i]!.blend, table.blend, `${table.id}: the blend tuning saw test users`);
      assert.ok(table.blend.validationRows.length > 0);
      for (const u of table.blend.validationRows) assert.ok(!test.has(u), `${table.id}: test user ${u} was tuned on`);
      if (again[i]!.rows[2]!.metrics['ndcg@20']!.mean !== table.rows[2]!.metrics['ndcg@20']!.mean) moved++;
    }
    assert.ok(moved > 0, 'the test numbers did change, so the test users were really different');
  });

  it('writes the split, seed, data hash and cold titles next to the numbers', () => {
    const text = renderProtocolRun(runs[0]!);
    assert.match(text, /seed 42, data [0-9a-f]{16}/);
    assert.match(text, /Cold titles: random 25% of the 60 rated titles \(seed 42\)/);
    assert.match(text, /Cold titles: the rated titles of the latest 2 seasons \(2016 fall, 2016 summer\)/);
    assert.match(text, /members and MAL scores from fixture-2016/);
    assert.match(text, /Blend weight [0-9.]+ \(popularity share\), chosen on \d+ validation users/);
    const json = JSON.parse(renderProtocolJson(runs[0]!, 'anirec eval --protocol cold-items')) as {
      tables: { context: { dataHash: string; trainDataHash: string }; models: { metrics: Record<string, { mean: number }> }[] }[];
      coldSelections: { animeIds: number[]; seed: number | null }[];
    };
    assert.equal(json.tables.length, 2);
    assert.match(json.tables[0]!.context.trainDataHash, /^[0-9a-f]{16}$/);
    assert.equal(json.coldSelections[0]!.seed, 42);
    assert.ok(json.coldSelections[0]!.animeIds.length > 0);
    assert.match(renderProtocolSvg(runs[0]!.tables[0]!), /^<svg[\s\S]*members-popularity[\s\S]*<\/svg>\n$/);
    assert.match(renderProtocolRun(runs[2]!), /Summary: ndcg@20 per fold-in length, gain over ease/);
  });
});
