import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mmr } from '../../src/recommend/diversity.js';
import fc from 'fast-check';
import { closestWords, jaroWinkler, jaroWinklerBound, normalizeTitle } from '../../src/recommend/title-search.js';
import { createRng as seededRandom } from '../../src/models/random.js';

describe('title matching helpers', () => {
  it('normalises punctuation, accents and case', () => {
    assert.equal(normalizeTitle('Re:Zero − Kara Hajimeru'), 're zero kara hajimeru');
    assert.equal(normalizeTitle('Pokémon'), 'pokemon');
  });

  it('Jaro-Winkler matches the textbook values', () => {
    assert.equal(jaroWinkler('same', 'same'), 1);
    assert.equal(jaroWinkler('', 'x'), 0);
    assert.ok(Math.abs(jaroWinkler('martha', 'marhta') - 0.961) < 0.001);
    assert.ok(Math.abs(jaroWinkler('dixon', 'dicksonx') - 0.813) < 0.001);
  });

  it('bounds Jaro-Winkler from above (searches skip names the bound rules out)', () => {
    // Small alphabets make shared characters, transpositions and common prefixes frequent.
    const word = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd', 'é', 'ー', ' '), maxLength: 14 });
    fc.assert(
      fc.property(word, word, (a, b) => {
        assert.ok(jaroWinklerBound(a, b) >= jaroWinkler(a, b), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
      }),
      { numRuns: 3000, seed: 11 },
    );
    assert.equal(jaroWinklerBound('sol', 'absolute duo'), jaroWinkler('sol', 'absolute duo'), 'tight when nothing is transposed');
  });

  it('suggests close words', () => {
    assert.deepEqual(closestWords('Mecah', ['Mecha', 'Music', 'Mystery'], 1), ['Mecha']);
    assert.deepEqual(closestWords('zzz', ['Mecha']), []);
  });
});

describe('MMR diversity', () => {
  const sameGroup = (a: number, b: number): number => (Math.floor(a / 10) === Math.floor(b / 10) ? 1 : 0);

  it('keeps relevance order at diversity 0', () => {
    assert.deepEqual(mmr([1, 2, 3, 11], [4, 3, 2, 1], 3, 0, sameGroup), [1, 2, 3]);
  });

  it('spreads picks across groups when diversity is high', () => {
    assert.deepEqual(mmr([1, 2, 3, 11, 21], [5, 4, 3, 2, 1], 3, 0.8, sameGroup), [1, 11, 21]);
  });
});

describe('seeded random', () => {
  it('repeats for a seed and differs across seeds', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const c = seededRandom(8);
    const xs = [a(), a(), a()];
    assert.deepEqual(xs, [b(), b(), b()]);
    assert.notDeepEqual(xs, [c(), c(), c()]);
    assert.ok(xs.every((x) => x >= 0 && x < 1));
  });
});
