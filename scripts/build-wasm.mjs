// Assembles every src/**/wasm/*.wat into a sibling NAME.wasm.ts that exports its bytes, so the
// kernels load with the modules that use them (no asset to copy into dist/, no runtime
// assembler). `npm run build:wasm` rewrites them; `--check` only verifies they are current.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import wabtFactory from 'wabt';

const check = process.argv.includes('--check');
const wabt = await wabtFactory();
// Shared memory (threads) lets worker threads run a kernel on one matrix.
const features = { simd: true, threads: true };
const dirs = ['src/models/wasm'];
let stale = 0;
for (const dir of dirs) {
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.wat'))) {
    const path = join(dir, name);
    const module = wabt.parseWat(name, readFileSync(path, 'utf8'), features);
    module.validate(features);
    const { buffer } = module.toBinary({});
    module.destroy();
    const target = join(dir, name.replace(/\.wat$/, '.wasm.ts'));
    const text =
      `// Generated from ${name} by \`npm run build:wasm\`; do not edit.\n` +
      `export const WASM_BASE64 = '${Buffer.from(buffer).toString('base64')}';\n`;
    let current = '';
    try {
      current = readFileSync(target, 'utf8');
    } catch {
      /* not built yet */
    }
    if (current === text) continue;
    stale++;
    if (check) console.error(`${target} is not what ${path} assembles to; run npm run build:wasm`);
    else writeFileSync(target, text);
  }
}
if (check && stale > 0) process.exit(1);
