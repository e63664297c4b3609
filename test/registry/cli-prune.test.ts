import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { resolvePaths } from '../../src/config.js';
import { createContext, type CliContext } from '../../src/cli/context.js';
import { buildProgram } from '../../src/cli/main.js';
import { ModelRegistry } from '../../src/registry/index.js';
import { bundleDir, tempHome } from './helpers.js';

const { home, models } = tempHome();
after(() => rmSync(home, { recursive: true, force: true }));

async function anirec(...args: string[]): Promise<string[]> {
  const lines: string[] = [];
  const ctx: CliContext = { ...createContext(), paths: resolvePaths({ ANIREC_HOME: home }), out: (l) => lines.push(l), err: () => {} };
  await buildProgram(ctx).parseAsync(args, { from: 'user' });
  return lines;
}

describe('anirec models prune', () => {
  it('lists with --dry-run, then deletes archived versions beyond --keep, keeping production and its rollback target', async () => {
    const registry = new ModelRegistry(models);
    const ids = ['a', 'b', 'c', 'd'].map((name) => registry.register(bundleDir(home, name), { promote: true }).id);
    const versionDirs = () => readdirSync(models).filter((name) => /^v\d{4}-/.test(name));

    const planned = await anirec('models', 'prune', '--keep', '1', '--dry-run');
    assert.deepEqual(
      planned.map((line) => line.split(' (')[0]),
      [`would delete ${ids[0]}`, `would delete ${ids[1]}`, '2 version(s) would be deleted; run without --dry-run to delete them.'],
    );
    assert.equal(versionDirs().length, 4, 'a dry run deletes nothing');

    const done = await anirec('models', 'prune', '--keep', '1');
    assert.deepEqual(done.at(-1), '2 version(s) deleted.');
    assert.deepEqual(versionDirs().sort(), [ids[2], ids[3]].sort(), 'v3 stays: a rollback from v4 returns to it');
    assert.ok(!existsSync(`${models}/${ids[0]}`));
    assert.match((await anirec('models', 'prune', '--keep', '1')).join('\n'), /Nothing to prune/);
    assert.match((await anirec('models', 'rollback')).join('\n'), new RegExp(`${ids[2]} is production again`));
    await assert.rejects(anirec('models', 'prune', '--keep', '0'), /--keep/);
  });
});
