/**
 * --store URL, --db PATH and ANIREC_STORE: declared once (options.ts), honoured by every command
 * that opens the store, flag before environment before the default file.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Command } from 'commander';
import { createContext, type CliContext } from '../../src/cli/context.js';
import { buildProgram } from '../../src/cli/main.js';
import { storeUrlOf } from '../../src/cli/options.js';
import { resolvePaths } from '../../src/config.js';
import { openStore } from '../../src/store/index.js';
import { anirec, anirecChild } from './helpers.js';

const home = mkdtempSync(join(tmpdir(), 'anirec-store-option-'));
const other = join(home, 'other', 'elsewhere.db');
after(() => rmSync(home, { recursive: true, force: true }));

before(async () => {
  // A store with one title, away from the default file, so a command that reads it is seen to.
  const store = await openStore(`sqlite:${other}`);
  await store.withImport((tx) => tx.upsertAnime([{ animeId: 1, title: 'Cowboy Bebop' }]));
  await store.close();
});

async function run(env: NodeJS.ProcessEnv, ...args: string[]): Promise<string[]> {
  const out: string[] = [];
  const ctx: CliContext = {
    ...createContext(),
    paths: resolvePaths({ ANIREC_HOME: home, ...env }),
    out: (l) => out.push(l),
    err: () => {},
  };
  await buildProgram(ctx).parseAsync(args, { from: 'user' });
  return out;
}

describe('the store a command opens', () => {
  it('is --store or --db, else ANIREC_STORE, else ANIREC_DB, else $ANIREC_HOME/anirec.db', () => {
    const paths = resolvePaths({ ANIREC_HOME: '/h' });
    assert.equal(storeUrlOf({}, paths), 'sqlite:/h/anirec.db');
    assert.equal(storeUrlOf({}, resolvePaths({ ANIREC_HOME: '/h', ANIREC_DB: '/d/x.db' })), 'sqlite:/d/x.db');
    const env = resolvePaths({ ANIREC_HOME: '/h', ANIREC_DB: '/d/x.db', ANIREC_STORE: 'sqlite:/s/y.db' });
    assert.equal(storeUrlOf({}, env), 'sqlite:/s/y.db');
    assert.equal(
      storeUrlOf({}, resolvePaths({ ANIREC_HOME: '/h', ANIREC_STORE: '' })),
      'sqlite:/h/anirec.db',
      'an empty ANIREC_STORE is unset',
    );
    assert.equal(storeUrlOf({ store: 'sqlite::memory:' }, env), 'sqlite::memory:');
    assert.equal(storeUrlOf({ db: '/f/z.db' }, env), 'sqlite:/f/z.db');
    assert.throws(
      () => storeUrlOf({ db: '/f/z.db', store: 'postgres://u:pw@h/db' }, env),
      (error: Error) => /both name the store; give one/.test(error.message) && !error.message.includes('pw'),
    );
  });

  it('is read from the same flags by stats, and by a read-only command', async () => {
    assert.deepEqual((await run({}, 'stats', '--store', `sqlite:${other}`)).slice(0, 2), [`store: ${other}`, 'anime: 1']);
    assert.deepEqual((await run({}, 'stats', '--db', other)).slice(0, 2), [`store: ${other}`, 'anime: 1']);
    assert.deepEqual((await run({ ANIREC_STORE: other }, 'stats')).slice(0, 2), [`store: ${other}`, 'anime: 1']);
    assert.equal((await run({}, 'search', 'bebop', '--store', other, '--json')).length, 1);
    const defaultFile = join(home, 'anirec.db');
    assert.deepEqual((await run({}, 'stats')).slice(0, 2), [`store: ${defaultFile}`, 'anime: 0']);
  });

  it('is refused with the reason for an unreachable PostgreSQL and for an unknown scheme', async () => {
    await assert.rejects(
      anirec(home, 'stats', '--store', 'postgres://anirec:s3cret@127.0.0.1:1/anirec'),
      (error: Error) =>
        /does not answer \(postgres:\/\/anirec:\*\*\*@127\.0\.0\.1:1\/anirec: connection refused\)/.test(error.message) &&
        !error.message.includes('s3cret'),
    );
    await assert.rejects(anirec(home, 'import', '--store', 'redis://localhost'), /Unknown store scheme "redis:".*sqlite:PATH/);
    await assert.rejects(anirec(home, 'stats', '--store', 'sqlite:/x.db', '--db', '/y.db'), /both name the store/);
  });

  it('must exist for the commands that only read it, and is not created by them', async () => {
    const missing = join(home, 'missing', 'none.db');
    await assert.rejects(anirec(home, 'search', 'bebop', '--store', `sqlite:${missing}`), (error: Error) =>
      error.message.startsWith(`No store at ${missing}. Run \`anirec import\` first`),
    );
    // continue once read --db only and ignored --store.
    await assert.rejects(anirec(home, 'continue', '--titles', 'Cowboy Bebop', '--store', `sqlite:${missing}`), (error: Error) =>
      error.message.startsWith(`No store at ${missing}.`),
    );
    assert.equal(existsSync(join(home, 'missing')), false);
  });

  it('is declared by one helper on every command that opens the store', () => {
    const program = buildProgram({ ...createContext(), paths: resolvePaths({ ANIREC_HOME: home }) });
    const opening = [
      'import',
      'stats',
      'train',
      'tune',
      'precompute',
      'serve',
      'quickstart',
      'recommend',
      'similar',
      'search',
      'profile',
      'continue',
      'eval',
      'recommend-batch',
      'ingest',
      'monitor',
      'retrain',
      'worker',
    ];
    const byName = new Map(program.commands.map((c: Command) => [c.name(), c]));
    for (const name of opening) {
      const flags = byName.get(name)?.options.map((o) => o.long);
      assert.ok(flags?.includes('--store') && flags.includes('--db'), `${name} takes --store and --db (has ${flags?.join(' ')})`);
    }
  });

  it('works the same through the real main, in a child process', async () => {
    const result = await anirecChild(home, 'stats', '--store', `sqlite:${other}`);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`store: ${other.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\nanime: 1`));
  });
});
