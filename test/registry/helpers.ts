import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh directory holding `models/` for one test. */
export function tempHome(): { home: string; models: string } {
  const home = mkdtempSync(join(tmpdir(), 'anirec-registry-'));
  return { home, models: join(home, 'models') };
}

/**
 * A model directory with a bundle.json in the real bundle format. The registry only reads the
 * manifest; the CLI test below registers a really trained model.
 */
export function bundleDir(parent: string, name: string, kind = 'anirec', dataHash = 'feedc0ffee123456'): string {
  const dir = join(parent, name);
  mkdirSync(join(dir, 'model'), { recursive: true });
  writeFileSync(join(dir, 'model', 'weights.bin'), Buffer.from([1, 2, 3, 4]));
  writeFileSync(
    join(dir, 'bundle.json'),
    JSON.stringify({
      format: 'anirec-model-bundle',
      formatVersion: 1,
      kind,
      createdAt: '2026-11-25T16:00:00.000Z',
      params: { factors: 64 },
      dataHash,
      nUsers: 5000,
      nItems: 9000,
      nInteractions: 520000,
      trainingSeconds: 12.5,
    }),
  );
  return dir;
}
