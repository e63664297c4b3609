import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate } from '../../src/eval/evaluate.js';
import { escapeXml, renderJson, renderSvgChart, renderTable } from '../../src/eval/report.js';
import { splitUsers } from '../../src/eval/split.js';
import { FixedScoreRecommender, syntheticData } from './helpers.js';

/** Minimal XML well-formedness check: balanced tags, quoted attributes, no stray '<' or '&'. */
function assertWellFormed(xml: string): string[] {
  const stack: string[] = [];
  const names: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  for (let m = tag.exec(xml); m !== null; m = tag.exec(xml)) {
    const text = xml.slice(last, m.index);
    assert.ok(!text.includes('<'), `stray '<' or malformed tag before offset ${m.index}: ${text.slice(0, 60)}`);
    assert.ok(!/&(?!(amp|lt|gt|quot|apos|#\d+);)/.test(text), `unescaped '&' in: ${text}`);
    last = tag.lastIndex;
    const [, closing, name, , selfClosing] = m;
    if (closing) assert.equal(stack.pop(), name, `unbalanced </${name}>`);
    else if (!selfClosing) stack.push(name!);
    if (!closing) names.push(name!);
  }
  assert.ok(!xml.slice(last).includes('<'), 'malformed trailing tag');
  assert.deepEqual(stack, [], 'unclosed tags');
  return names;
}

const data = syntheticData(300, 40, 25, 11);
const split = splitUsers(data, { seed: 5, validationUsers: 0, testUsers: 60 });
const counts = new Float32Array(data.nItems);
for (let p = 0; p < split.trainData.indices.length; p++) counts[split.trainData.indices[p]!]! += 1;
const result = evaluate(
  [
    { name: 'popularity', recommender: new FixedScoreRecommender(counts) },
    { name: 'anti <pop> & co', recommender: new FixedScoreRecommender(counts.map((c) => -c)) },
  ],
  split.test,
  { trainData: split.trainData, ks: [10, 20], relevance: ['liked', 'listed'], ci: { samples: 200, seed: 1 } },
);

describe('renderTable', () => {
  const table = renderTable(result);

  it('has one row per model per relevance section and marks the best values', () => {
    const lines = table.split('\n');
    assert.equal(lines.filter((l) => l.startsWith('popularity')).length, 2);
    assert.equal(lines.filter((l) => l.startsWith('anti <pop> & co')).length, 2);
    assert.match(table, /Relevance: liked \(held-out items scored ≥ 7\)/);
    assert.match(table, /Relevance: listed/);
    const header = lines.find((l) => l.startsWith('model'))!;
    for (const metric of result.metricNames) assert.ok(header.includes(metric), `missing column ${metric}`);
    // Every column has at least one '*', and popularity wins ndcg@20 (recomputed here).
    const liked = result.sections[0]!;
    const popWins = liked.models[0]!.metrics['ndcg@20']!.mean > liked.models[1]!.metrics['ndcg@20']!.mean;
    const ndcgCol = header.split(/\s{2,}/).findIndex((h) => h.trim() === 'ndcg@20');
    const popRow = lines.find((l) => l.startsWith('popularity'))!;
    const cell = popRow.slice('popularity'.length).trim().split(/\s+/)[ndcgCol - 1]!;
    assert.equal(cell.endsWith('*'), popWins);
    assert.ok(cell.startsWith(liked.models[0]!.metrics['ndcg@20']!.mean.toFixed(4)));
  });

  it('can select one section and show CIs', () => {
    const one = renderTable(result, { relevance: 'listed', metrics: ['ndcg@20'], showCi: true });
    assert.doesNotMatch(one, /Relevance: liked/);
    assert.match(one, /±0\.\d{3}/);
  });
});

describe('renderJson', () => {
  it('names its data, split, relevance and time', () => {
    const json = JSON.parse(renderJson(result, { split: split.description, userSet: 'test' }));
    assert.equal(json.seed, 5);
    assert.equal(json.dataHash, split.description.dataHash);
    assert.equal(json.split.testUsers, 60);
    assert.equal(json.userSet, 'test');
    assert.equal(json.nUsers, 60);
    assert.deepEqual(
      json.relevance.map((r: { definition: string }) => r.definition),
      ['liked', 'listed'],
    );
    assert.equal(json.relevance[1].usersEvaluated + json.relevance[1].usersSkipped, 60);
    assert.ok(!Number.isNaN(Date.parse(json.startedAt)) && !Number.isNaN(Date.parse(json.finishedAt)));
    const ndcg = json.relevance[0].models[0].metrics['ndcg@20'];
    assert.equal(ndcg.mean, result.sections[0]!.models[0]!.metrics['ndcg@20']!.mean);
    assert.equal(json.relevance[0].models[0].metrics['coverage@20'].ciLow, null);
    assert.equal(ndcg.perUser, undefined);
    const full = JSON.parse(renderJson(result, { includePerUser: true }));
    assert.equal(full.relevance[0].models[0].metrics['ndcg@20'].perUser.length, result.sections[0]!.users.length);
  });
});

describe('renderSvgChart', () => {
  const svg = renderSvgChart(result, { relevance: 'listed', subtitle: `seed 5, data ${split.description.dataHash}` });

  it('is well-formed SVG with bars, labels and printed values', () => {
    assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
    const names = assertWellFormed(svg);
    assert.equal(names.filter((n) => n === 'svg').length, 1);
    // 2 models × 2 metrics bars + legend swatches + background.
    assert.ok(names.filter((n) => n === 'rect').length >= 4 + 2 + 1);
    const listed = result.sections[1]!;
    for (const model of listed.models) {
      for (const metric of ['ndcg@20', 'recall@20'])
        assert.ok(svg.includes(`>${model.metrics[metric]!.mean.toFixed(3)}<`), `${model.name} ${metric} value missing`);
    }
    assert.ok(svg.includes('ndcg@20') && svg.includes('recall@20'));
    assert.ok(svg.includes(escapeXml('anti <pop> & co')));
    assert.ok(svg.includes(split.description.dataHash));
    assert.match(svg, /mean over users/);
  });

  it('escapes XML', () => {
    assert.equal(escapeXml(`a<b & "c" 'd'>`), 'a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;');
  });
});
