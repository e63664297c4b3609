import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { resolvePaths } from '../../src/config.js';
import { createContext, type CliContext } from '../../src/cli/context.js';
import { buildProgram } from '../../src/cli/main.js';
import { tempHome } from './helpers.js';
import { resolveCurrentPointer } from '../../src/registry/index.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/data/', import.meta.url));
const { home, models } = tempHome();
after(() => rmSync(home, { recursive: true, force: true }));

/** Runs `anirec ...` in-process against the temp home, returning what it printed. */
async function anirec(...args: string[]): Promise<string[]> {
  const lines: string[] = [];
  const ctx: CliContext = { ...createContext(), paths: resolvePaths({ ANIREC_HOME: home }), out: (l) => lines.push(l), err: () => {} };
  await buildProgram(ctx).parseAsync(args, { from: 'user' });
  return lines;
}

const trainArgs = (model: string) => [
  'train',
  '--model',
  model,
  '--ratings',
  join(FIXTURES, 'kaggle2016-rating.csv'),
  '--anime',
  join(FIXTURES, 'kaggle2016-anime.csv'),
  '--no-bundled-catalogue',
];
const current = () => resolveCurrentPointer(models, readFileSync(join(models, 'CURRENT'), 'utf8'));

describe('anirec train + anirec models (real training on the fixture data)', () => {
  it('registers trained models, lists, shows, promotes and rolls back', async () => {
    const first = await anirec(...trainArgs('popularity'));
    assert.match(first.join('\n'), /registered v0001-popularity-\d{8}T\d{4} as production/);
    const v1dir = current();
    assert.match(v1dir, /models\/v0001-popularity-/);

    const second = await anirec(...trainArgs('itemknn'));
    assert.match(second.join('\n'), /registered v0002-itemknn-.* as a candidate; production stays v0001/);
    assert.equal(current(), v1dir);

    const list = await anirec('models', 'list');
    assert.match(list[0]!, /ID\s+STATUS\s+KIND\s+TRAINED \(UTC\)\s+DATA\s+METRICS/);
    assert.match(list[1]!, /^\*\s+v0001-popularity-\S+\s+production\s+popularity/);
    assert.match(list[2]!, /^\s+v0002-itemknn-\S+\s+candidate\s+itemknn/);

    const shown = (await anirec('models', 'show', 'v0002')).join('\n');
    assert.match(shown, /status:\s+candidate/);
    assert.match(shown, /data snapshot: [0-9a-f]+ \(4 users × 11 titles, 9 list entries\)/);
    assert.match(shown, /source:\s+anirec train --model itemknn --ratings/);

    const promoted = (await anirec('models', 'promote', 'v0002', '--reason', 'better NDCG')).join('\n');
    assert.match(promoted, /v0002-itemknn-\S+ is now production \(was v0001-popularity-\S+, now archived\)/);
    assert.match(current(), /v0002-itemknn-/);

    const rolled = (await anirec('models', 'rollback')).join('\n');
    assert.match(rolled, /v0001-popularity-\S+ is production again/);
    assert.equal(current(), v1dir);

    await assert.rejects(anirec('models', 'rollback'), /Cannot roll back: v0001/);
    await assert.rejects(anirec('models', 'show', 'v0042'), /No model version "v0042"/);

    // --out keeps its old meaning (a plain directory, not registered) unless --register is given.
    const out = join(home, 'exported');
    await anirec(...trainArgs('popularity'), '--out', out);
    assert.equal((await anirec('models', 'list', '--json')).join('\n').includes(out), false);
    const adopted = (await anirec('models', 'register', out)).join('\n');
    assert.match(adopted, /registered v0003-popularity-\S+ as candidate; promote it with/);
    const registered = (await anirec(...trainArgs('popularity'), '--out', join(home, 'exported2'), '--register', '--promote')).join('\n');
    assert.match(registered, /registered v0004-popularity-\S+ as production/);
    assert.match(current(), /v0004-popularity-/);
  });
});
