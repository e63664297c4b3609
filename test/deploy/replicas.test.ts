// A reduced run of bench/replicas.ts (issue 14): two `anirec serve` replicas on one PostgreSQL
// database behind the benchmark's balancer, 100 req/s of mixed reads and feedback writes while
// one replica is SIGKILLed and restarted and a new model is promoted. Every acknowledged write
// must be in the database afterwards, and no replica may answer a 5xx of its own (the balancer's
// 502/503/504 for a request cut by the kill are expected).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { checkWrites, prepareStore, runReplicaScenario, type PreparedStore } from '../../bench/replicas.js';
import { freshPostgresDatabase } from '../support/postgres.js';

describe('replicas under a kill and a promotion (bench/replicas.ts, reduced)', { timeout: 240_000 }, () => {
  let db: { url: string; drop: () => Promise<void> };
  let prepared: PreparedStore;
  before(async () => {
    db = await freshPostgresDatabase('anirec_replicas');
    prepared = await prepareStore(db.url);
  });
  after(async () => db?.drop());

  it('loses no acknowledged feedback write, and every replica swaps to the promoted model', async () => {
    const result = await runReplicaScenario({
      storeUrl: db.url,
      prepared,
      replicas: 2,
      rate: 100,
      seconds: 16,
      warmupSeconds: 2,
      phases: [{ name: 'steady', from: 0 }, { name: 'kill + restart', from: 3 }, { name: 'promote', from: 9 }],
      events: [{ at: 4, action: 'kill', replica: 0 }, { at: 5, action: 'restart', replica: 0 }, { at: 10, action: 'promote' }],
      log: () => {},
    });
    const { gate } = result;
    assert.ok(gate.writes > 200, `writes were sent (${gate.writes})`);
    assert.ok(gate.acknowledged > gate.writes * 0.8, `most writes were acknowledged (${gate.acknowledged} of ${gate.writes})`);
    assert.equal(gate.lost, 0, `acknowledged writes missing from PostgreSQL: ${JSON.stringify(gate.lostExamples)}`);

    for (const phase of result.phases) {
      assert.ok(phase.requests > 0, `${phase.name} sent requests`);
      const own5xx = Object.keys(phase.causes).filter((c) => /^5\d\d/.test(c) && !/^50[234]/.test(c));
      assert.deepEqual(own5xx, [], `${phase.name}: a replica answered ${own5xx.join(', ')} (${JSON.stringify(phase.causes)})`);
      assert.equal(phase.causes.timeout ?? 0, 0, `${phase.name}: requests timed out`);
    }
    assert.equal(result.phases[0]!.failed, 0, `no failures before any fault: ${JSON.stringify(result.phases[0]!.causes)}`);

    const events = new Map(result.events.map((e) => [e.action, e]));
    assert.equal(events.get('kill')?.error, undefined);
    assert.ok(typeof events.get('restart')?.inBalancerAfterMs === 'number', `the killed replica came back: ${JSON.stringify(events.get('restart'))}`);
    const swaps = events.get('promote')?.swaps as Array<number | null> | undefined;
    assert.ok(swaps && swaps.length === 2 && swaps.every((ms) => ms !== null), `every replica serves the promoted model: ${JSON.stringify(events.get('promote'))}`);
    // The balancer saw the kill: the replica went out and came back in.
    const killed = result.balancer.filter((s) => !s.in);
    assert.ok(killed.length > 0, 'the balancer took the killed replica out');

    // The gate can fail: change one acknowledged write's score behind the API's back and it counts as lost.
    const victim = result.writes.find((w) => w.cause === 'ok')!.write!;
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const changed = await client.query("UPDATE interactions i SET score = CASE WHEN i.score = 10 THEN 1 ELSE i.score + 1 END FROM users u WHERE u.user_id = i.user_id AND u.source = 'bench' AND u.external_id = $1 AND i.anime_id = $2", [victim.user, victim.animeId]);
      assert.equal(changed.rowCount, 1);
    } finally {
      await client.end();
    }
    const again = await checkWrites(db.url, result.writes);
    assert.equal(again.lost, 1);
    assert.deepEqual(again.lostExamples.map((e) => (e as { user: string }).user), [victim.user]);
  });
});
