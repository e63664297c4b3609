// Spawned by the concurrency test: registers one copy of a bundle and prints the new id.
import { ModelRegistry } from '../../src/registry/index.js';

const [models, source] = process.argv.slice(2);
const version = new ModelRegistry(models!, { lockTimeoutMs: 20_000 }).register(source!);
process.stdout.write(`${version.id}\n`);
