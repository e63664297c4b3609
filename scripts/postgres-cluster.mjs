// A throw-away PostgreSQL cluster for the tests and benchmarks: initdb into a fresh temporary
// directory, start it on a free loopback port, stop it and delete it afterwards. The tests run
// against a real server (no mocks), so this is what `npm test` and .ci/run rely on.
//
//   import { startPostgresCluster } from './postgres-cluster.mjs';
//   const cluster = await startPostgresCluster();   // cluster.url = postgres://anirec@127.0.0.1:PORT/postgres
//   ...; await cluster.stop();
//
// Run directly (`node scripts/postgres-cluster.mjs`) it starts a cluster, prints its URL and
// keeps it until Ctrl-C: handy for trying `anirec --store postgres://…` by hand.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const INSTALL_HINT = 'Install PostgreSQL (Debian: apt-get install postgresql) or set ANIREC_TEST_POSTGRES_URL to a server you own.';

/** The directory holding initdb/pg_ctl: PATH first, then Debian's versioned /usr/lib/postgresql/N/bin (newest). */
export function findPostgresBin() {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir !== '' && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) {
      const dir = join(root, v, 'bin');
      if (existsSync(join(dir, 'initdb'))) return dir;
    }
  }
  return null;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(address.port));
    });
  });
}

/** PostgreSQL refuses to run as root: as root, run its tools as the `postgres` system user. */
function postgresUser() {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  const passwd = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((line) => line.startsWith('postgres:'));
  if (passwd === undefined) throw new Error(`Running as root, but there is no "postgres" user to run the test cluster as. ${INSTALL_HINT}`);
  const [, , uid, gid] = passwd.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function run(user, command, args) {
  const [cmd, argv] = user === null ? [command, args] : ['runuser', ['-u', 'postgres', '--', command, ...args]];
  const result = spawnSync(cmd, argv, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stdout}${result.stderr}`);
  }
}

/**
 * Starts a fresh cluster; resolves to `{ url, port, dataDir, stop }`. `stop()` is idempotent and
 * also runs on process exit, so an interrupted test run leaves no server behind.
 */
export async function startPostgresCluster() {
  const bin = findPostgresBin();
  if (bin === null)
    throw new Error(`The tests need PostgreSQL's initdb and pg_ctl, and neither is on PATH nor under /usr/lib/postgresql. ${INSTALL_HINT}`);
  const user = postgresUser();
  const dir = mkdtempSync(join(tmpdir(), 'anirec-pg-'));
  const dataDir = join(dir, 'data');
  if (user !== null) {
    chownSync(dir, user.uid, user.gid);
    chmodSync(dir, 0o700);
  }
  const port = await freePort();
  run(user, join(bin, 'initdb'), ['-D', dataDir, '-U', 'anirec', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  // The socket lives in the cluster's own directory (not /var/run/postgresql, which may not exist);
  // fsync is off because a test cluster is deleted afterwards anyway.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  run(user, join(bin, 'pg_ctl'), ['-D', dataDir, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);

  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', stop);
    try {
      run(user, join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // already gone (a test restarted or killed it): deleting the directory is what matters
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', stop);
  return {
    url: `postgres://anirec@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    bin,
    /** Runs pg_ctl on this cluster (`restart`, `stop`, `start`), for tests of a database that goes away. */
    pgCtl: (...args) =>
      run(user, join(bin, 'pg_ctl'), ['-D', dataDir, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '60', ...args]),
    stop,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const cluster = await startPostgresCluster();
  console.log(cluster.url);
  const end = () => {
    cluster.stop();
    process.exit(0);
  };
  process.on('SIGINT', end);
  process.on('SIGTERM', end);
  setInterval(() => {}, 1 << 30);
}
