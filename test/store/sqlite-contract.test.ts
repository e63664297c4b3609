import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { openStore } from '../../src/store/index.js';
import { describeStoreContract } from './contract.js';

const dir = mkdtempSync(join(tmpdir(), 'anirec-contract-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

// Through openStore, as every command opens it. A file as well as memory: only a file has WAL
// and the write lock other connections see.
describeStoreContract('SQLite in memory (sqlite::memory:)', () => openStore('sqlite::memory:'));
describeStoreContract('SQLite file (sqlite:PATH)', () => openStore(`sqlite:${join(dir, `store-${++files}.db`)}`));
