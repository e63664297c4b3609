// Runs every *.test.ts under test/ and src/ with node's test runner (Node 20 has no --test globbing).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function collect(dir, out) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const filter = process.argv.slice(2);
let files = [...collect('test', []), ...collect('src', [])].sort();
if (filter.length > 0) files = files.filter((f) => filter.some((part) => f.includes(part)));
if (files.length === 0) {
  console.error('run-tests: no test files matched');
  process.exit(1);
}

// Tests that use test/support/postgres.ts run against a real PostgreSQL: start a throw-away
// cluster for them unless the caller already points ANIREC_TEST_POSTGRES_URL at a server.
const env = { ...process.env };
let cluster = null;
const needsPostgres = files.some((f) => /support\/postgres\.js/.test(readFileSync(f, 'utf8')));
if (needsPostgres && !env.ANIREC_TEST_POSTGRES_URL) {
  const { startPostgresCluster } = await import('./postgres-cluster.mjs');
  cluster = await startPostgresCluster();
  env.ANIREC_TEST_POSTGRES_URL = cluster.url;
  env.ANIREC_TEST_POSTGRES_DATA = cluster.dataDir;
  console.log(`run-tests: PostgreSQL test cluster on port ${cluster.port}`);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], { stdio: 'inherit', env });
cluster?.stop();
process.exit(result.status ?? 1);
