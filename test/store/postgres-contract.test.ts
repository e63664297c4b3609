import { after } from 'node:test';
import { openStore, type Store } from '../../src/store/index.js';
import { freshPostgresDatabase } from '../support/postgres.js';
import { describeStoreContract } from './contract.js';

// The same suite as SQLite's, on a real PostgreSQL (the throw-away cluster run-tests starts):
// every test gets its own empty database, opened through openStore as every command opens it.
const drops: Array<() => Promise<void>> = [];
after(async () => {
  for (const drop of drops) await drop();
});

async function openFresh(): Promise<Store> {
  const { url, drop } = await freshPostgresDatabase();
  drops.push(drop);
  return openStore(url);
}

describeStoreContract('PostgreSQL (postgres://)', openFresh);
