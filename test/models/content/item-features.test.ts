import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildItemFeatures, episodesBucket, featureRow, itemTokens } from '../../../src/models/content/item-features.js';
import { sparseDot } from '../../../src/models/content/text-embeddings.js';
import { anime, MECHA_2016, MECHA_A, MECHA_B, ROMANCE, ROMANCE_B, SPORTS } from './fixtures.js';

describe('item metadata features', () => {
  const items = [MECHA_A, MECHA_B, ROMANCE, ROMANCE_B, SPORTS, MECHA_2016, undefined];
  const m = buildItemFeatures(items);
  const cos = (a: number, b: number) => sparseDot(featureRow(m, a), featureRow(m, b));

  it('puts two mecha titles closer than mecha vs. shoujo romance', () => {
    assert.ok(cos(0, 1) > cos(0, 2) + 0.2, `mecha–mecha ${cos(0, 1)} vs mecha–romance ${cos(0, 2)}`);
    assert.ok(cos(2, 3) > cos(2, 0), 'romance–romance beats romance–mecha');
  });

  it('matches a 2016 "Mecha" genre with a Jikan "Mecha" theme and handles sparse titles', () => {
    assert.ok(cos(5, 0) > cos(5, 2), `2016 mecha–mecha ${cos(5, 0)} vs 2016 mecha–romance ${cos(5, 2)}`);
    assert.ok(cos(5, 0) > 0.3);
  });

  it('gives unit rows, and an empty row for a title absent from the catalogue', () => {
    for (let r = 0; r < 6; r++) assert.ok(Math.abs(cos(r, r) - 1) < 1e-5, `row ${r} norm ${cos(r, r)}`);
    assert.equal(featureRow(m, 6).indices.length, 0);
  });

  it('tokenises fields into namespaced, weighted tokens with IDF', () => {
    const tokens = itemTokens(
      anime(9, { genres: ['Slice of Life'], studios: ['Madhouse'], year: 2013, episodes: 25, source: 'Light novel' }),
    );
    assert.ok(tokens.has('tag:slice of life'));
    assert.ok(tokens.has('studio:madhouse'));
    assert.ok(tokens.has('era:2010'));
    assert.ok(tokens.has('episodes:17-30'));
    assert.ok(tokens.has('source:light novel'));
    assert.ok(tokens.has('format:tv'));
    assert.equal(episodesBucket(1), '1');
    assert.equal(episodesBucket(100), '61+');
    // A token shared by every item (format:tv) weighs less than a rarer one (tag:mecha) after IDF.
    const row = featureRow(m, 0);
    const value = (t: string) => row.values[[...row.indices].indexOf(m.vocabulary.indexOf(t))]!;
    assert.ok(value('tag:mecha') > value('format:tv'));
  });
});
