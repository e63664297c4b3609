/**
 * Helper process for the crash test: ingests from the replay server and hangs on the request
 * for titles page 2, after the user list and page 1 are committed, so the parent can SIGKILL it
 * at a known point. Args: <db> <endpoint> <updatedSince ms>.
 */
import { runIngest } from '../../src/ops/index.js';
import { SqliteStore } from '../../src/store/index.js';

const [db, endpoint, since] = process.argv.slice(2) as [string, string, string];
const store = SqliteStore.open(db);
const hangingFetch: typeof fetch = async (input, init) => {
  const body = JSON.parse(String(init?.body)) as { variables: { page?: number } };
  if (body.variables.page === 2) {
    process.stdout.write('hanging on page 2\n');
    return new Promise<Response>(() => {});
  }
  return fetch(input, init);
};
await runIngest(store, {
  users: ['Yuki'],
  titles: true,
  initialLookbackDays: 0,
  now: () => Number(since),
  client: { endpoint, fetch: hangingFetch, timeoutMs: 600_000 },
});
