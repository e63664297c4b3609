/**
 * `npm run bench [-- NAME...]`: runs the named benchmarks (default: all), each printing a table
 * and writing bench/results/NAME.json. Summaries with the commands live in docs/benchmarks.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ALL = [
  'import',
  'train-models',
  'recommend-batch',
  'hybrid-stages',
  'api',
  'swap',
  'twotower-epoch',
  'numerics',
  'ranker',
  'replicas',
];
const wanted = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ALL;
let failed = 0;
for (const name of wanted) {
  const script = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  if (!existsSync(script)) {
    console.error(`bench: no benchmark named ${name} (known: ${ALL.join(', ')})`);
    failed++;
    continue;
  }
  const result = spawnSync(process.execPath, ['--import', 'tsx', script], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
