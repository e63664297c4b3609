// `anirec train|models … --store postgres://…` on the shared registry, from homes that hold no
// model files: what one machine registers and promotes, another lists, shows and serves.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createContext, type CliContext } from '../../src/cli/context.js';
import { buildProgram } from '../../src/cli/main.js';
import { openModelDir } from '../../src/cli/session.js';
import { resolvePaths } from '../../src/config.js';
import { freshPostgresDatabase } from '../support/postgres.js';
import { tempHome } from './helpers.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/data/', import.meta.url));
const trainer = tempHome();
const reader = tempHome();
let db: { url: string; drop: () => Promise<void> };

before(async () => {
  db = await freshPostgresDatabase('anirec_registry_cli');
});
after(async () => {
  await db.drop();
  for (const h of [trainer.home, reader.home]) rmSync(h, { recursive: true, force: true });
});

function context(home: string, lines: string[]): CliContext {
  return { ...createContext(), paths: resolvePaths({ ANIREC_HOME: home }), out: (l) => lines.push(l), err: () => {} };
}

async function anirec(home: string, ...args: string[]): Promise<string[]> {
  const lines: string[] = [];
  await buildProgram(context(home, lines)).parseAsync(args, { from: 'user' });
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
  '--store',
  db.url,
];

describe('anirec train + models on the shared registry (--store postgres://…)', () => {
  it('registers into the database, and another home lists, shows, promotes, rolls back and loads it', async () => {
    const first = (await anirec(trainer.home, ...trainArgs('popularity'))).join('\n');
    assert.match(first, /registered v0001-popularity-\d{8}T\d{4} as production \(every replica on postgres:\/\/.* switches to it\)/);
    assert.doesNotMatch(first, /secret|password/i);
    const second = (await anirec(trainer.home, ...trainArgs('itemknn'))).join('\n');
    assert.match(
      second,
      /registered v0002-itemknn-\S+ as a candidate; production stays v0001-popularity-\S+\. Promote it with `anirec models promote v0002-itemknn-\S+` \(with the same --store\)/,
    );
    assert.deepEqual(
      existsSync(trainer.models) ? readdirSync(trainer.models) : [],
      [],
      "nothing is registered in the trainer's models directory",
    );

    const list = await anirec(reader.home, 'models', 'list', '--store', db.url);
    assert.match(list[0]!, /ID\s+STATUS\s+KIND/);
    assert.match(list[1]!, /^\*\s+v0001-popularity-\S+\s+production\s+popularity/);
    assert.match(list[2]!, /^\s+v0002-itemknn-\S+\s+candidate\s+itemknn/);
    const shown = (await anirec(reader.home, 'models', 'show', 'v0002', '--store', db.url)).join('\n');
    assert.match(shown, /source:\s+anirec train --model itemknn --ratings/);
    assert.match(shown, /stored in:\s+postgres:\/\/.*#v0002-itemknn-/);

    const promoted = (await anirec(reader.home, 'models', 'promote', 'v0002', '--store', db.url)).join('\n');
    assert.match(
      promoted,
      /v0002-itemknn-\S+ is now production \(was v0001-popularity-\S+, now archived\); every replica on this database switches to it/,
    );
    const opened = await openModelDir(context(reader.home, []), undefined, db.url);
    assert.match(opened.version, /^v0002-itemknn-/);
    assert.equal(opened.bundle.manifest.kind, 'itemknn');
    assert.ok(existsSync(join(reader.home, 'model-cache', opened.version, 'bundle.json')), "downloaded into the reader's own cache");

    const rolled = (await anirec(reader.home, 'models', 'rollback', '--store', db.url)).join('\n');
    assert.match(rolled, /rolled back: v0001-popularity-\S+ is production again \(v0002-itemknn-\S+ archived\)/);
    await assert.rejects(anirec(reader.home, 'models', 'rollback', '--store', db.url), /Cannot roll back: v0001/);
    await assert.rejects(
      anirec(reader.home, 'models', 'show', 'v0042', '--store', db.url),
      /No model version "v0042" in the registry in postgres:\/\//,
    );
  });
});
