import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createContext, type CliContext } from '../../src/cli/context.js';
import { buildProgram } from '../../src/cli/main.js';
import { DEFAULT_OPS_CONFIG, jobLogPath, monitoringHistory, readJobLog, RetrainCancelledError, runRetrain } from '../../src/ops/index.js';
import { ModelRegistry, resolveCurrentPointer } from '../../src/registry/index.js';
import { SqliteStore } from '../../src/store/index.js';
import { ReplayServer } from '../data/anilist/replay-server.js';
import { bundledStore, tempPaths } from './helpers.js';

/**
 * End to end on the bundled real data (5k Kaggle users): retrain → promoted, retrain with a
 * worse model → rejected, a cancelled retrain, ingestion from the replay server, monitoring
 * against the production model, and a rollback.
 */
const paths = tempPaths('anirec-retrain-');
const server = new ReplayServer();
const registry = new ModelRegistry(paths.models);
const current = () => resolveCurrentPointer(paths.models, readFileSync(join(paths.models, 'CURRENT'), 'utf8'));

async function anirec(...args: string[]): Promise<string[]> {
  const lines: string[] = [];
  const ctx: CliContext = { ...createContext(), paths, out: (l) => lines.push(l), err: () => {} };
  await buildProgram(ctx).parseAsync(args, { from: 'user' });
  return lines;
}

before(async () => {
  await server.start();
  await (await bundledStore(paths.database)).close();
});
after(async () => {
  await server.close();
  rmSync(paths.home, { recursive: true, force: true });
});

describe('gated retraining, monitoring and rollback on the bundled data', () => {
  it('first retrain: no production yet, so the candidate serves', async () => {
    const out = (await anirec('retrain', '--model', 'popularity', '--test-users', '300')).join('\n');
    assert.match(out, /^PROMOTED: v0001-popularity-\S+ \(first model\)/);
    assert.match(current(), /v0001-popularity-/);
  });

  it('a better candidate (item-kNN vs popularity) is promoted, with its numbers recorded', async () => {
    const out = (await anirec('retrain', '--model', 'itemknn', '--test-users', '300')).join('\n');
    assert.match(out, /^PROMOTED: v0002-itemknn-\S+ \(against production v0001-popularity-\S+\)/);
    assert.match(out, /not significantly worse at α = 0.05: ndcg@20 candidate/);
    assert.match(current(), /v0002-itemknn-/);
    const gate = registry.show('v0002').metrics!.gate as { decision: string; test: { meanDifference: number; n: number } };
    assert.equal(gate.decision, 'promoted');
    assert.ok(gate.test.meanDifference > 0.02, `item-kNN should beat popularity clearly (Δ ${gate.test.meanDifference})`);
    assert.ok(gate.test.n > 100);
  });

  it('a significantly worse candidate is rejected and archived; production keeps serving', async () => {
    const out = (await anirec('retrain', '--model', 'popularity', '--test-users', '300', '--test', 't')).join('\n');
    assert.match(out, /^REJECTED: v0003-popularity-\S+ \(against production v0002-itemknn-\S+\)/);
    assert.match(out, /significantly worse at α = 0.05.*paired-t/);
    assert.match(current(), /v0002-itemknn-/);
    const v3 = registry.show('v0003');
    assert.equal(v3.status, 'archived');
    assert.match(v3.history.at(-1)!.reason, /rejected by the retraining gate/);
    const log = readJobLog(jobLogPath(paths)).filter((e) => e.job === 'retrain');
    assert.deepEqual(
      log.map((e) => (e.summary as { decision: string }).decision),
      ['promoted', 'promoted', 'rejected'],
    );
  });

  it('a cancelled retrain leaves production and the registry untouched', async () => {
    const abort = new AbortController();
    const store = SqliteStore.open(paths.database);
    try {
      await assert.rejects(
        runRetrain(store, registry, {
          ...DEFAULT_OPS_CONFIG.retrain,
          model: 'itemknn',
          testUsers: 300,
          signal: abort.signal,
          log: (line) => {
            if (line.startsWith('training candidate')) abort.abort();
          },
        }),
        RetrainCancelledError,
      );
    } finally {
      await store.close();
    }
    assert.equal(registry.list().length, 3);
    assert.match(current(), /v0002-itemknn-/);
  });

  it('ingests an AniList user and monitors the production model on their scored titles', async () => {
    const ingested = (await anirec('ingest', '--users', 'Yuki', '--endpoint', server.endpoint)).join('\n');
    assert.match(ingested, /Yuki: 8 entries, 8 new/);
    const first = await anirec('monitor', '--since', '2000-01-01', '--days', '100000');
    assert.match(first[0]!, /^DAY\s+MODEL\s+COUNT\s+MAE\s+RMSE\s+HIT@20\s+MEAN RANK\s+DRIFT/);
    // Yuki scored 6 titles on 6 different days; Boruto (34566) is newer than the 2016 catalogue
    // the model knows, so 5 days get a row.
    assert.equal(first.length, 1 + 5);
    for (const line of first.slice(1)) assert.match(line, /^20\d\d-\d\d-\d\d\s+v0002-itemknn-\S+\s+1\s/);

    const store = SqliteStore.open(paths.database);
    try {
      const history = await monitoringHistory(store, { days: 100000 });
      assert.equal(history.length, 5);
      for (const day of history) {
        assert.equal(day.count, 1);
        assert.equal(day.hitRate === 1, day.meanRank <= 20, 'hit@20 agrees with the rank');
        if (day.mae !== null) assert.ok(day.mae >= 0 && day.mae <= 9 && Math.abs(day.rmse! - day.mae) < 1e-9);
        assert.equal(day.drift, false, 'one prediction a day is below minCount: no verdict');
      }
      assert.ok(
        history.some((d) => d.mae !== null),
        'later titles have ≥ 3 earlier scores to calibrate with',
      );
    } finally {
      await store.close();
    }
    // A second run finds nothing new: no duplicated monitoring rows.
    const again = await anirec('monitor', '--since', '2000-01-01', '--days', '100000');
    assert.deepEqual(again, first);
  });

  it('rolls back to the previous production version', async () => {
    const out = (await anirec('models', 'rollback')).join('\n');
    assert.match(out, /v0001-popularity-\S+ is production again/);
    assert.match(current(), /v0001-popularity-/);
  });
});
