/** Progress lines without a terminal: readable, one per step, no doubled unit, no meaningless rate. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatEta, formatProgressLine, LogProgress, PERCENT } from '../../src/cli/progress.js';

function logged(unit: string): { progress: LogProgress; lines: string[]; tick: (ms: number) => void } {
  let now = 1000;
  const lines: string[] = [];
  const progress = new LogProgress(unit, { write: (chunk: string | Uint8Array) => (lines.push(String(chunk)), true) }, () => now);
  return { progress, lines, tick: (ms) => (now += ms) };
}

describe('formatProgressLine', () => {
  it('shows a percentage job once, with the ETA and the step detail, and no rate', () => {
    assert.equal(formatProgressLine(PERCENT, 15, 0.15, 'training anirec', 58), 'training anirec: 15% (ETA 5m29s)');
    assert.equal(
      formatProgressLine(PERCENT, 40, 0.4, 'training ease', 10, 'EASE: row 1200/9000'),
      'training ease: 40% (ETA 15s) — EASE: row 1200/9000',
    );
    // The line the issue quotes: "15% 15 % (0 %/s, ETA 5m28s)".
    assert.doesNotMatch(formatProgressLine(PERCENT, 15, 0.15, 'training', 58), /%\/s|15 %|15% 15/);
  });

  it('shows counted units with a rate once a second has passed', () => {
    assert.equal(
      formatProgressLine('rows', 2_000_000, 0.4, '[1/3] rating.csv', 6.4),
      '[1/3] rating.csv: 40% · 2,000,000 rows (312.5k rows/s, ETA 10s)',
    );
    assert.equal(formatProgressLine('users', 0, 0, 'ranking known users', 0.01), 'ranking known users: 0% · 0 users');
    assert.equal(formatProgressLine('rows', 500, null, 'rating.csv', 2), 'rating.csv: 500 rows (250 rows/s)');
  });

  it('formats ETAs without 60-second minutes and with hours', () => {
    assert.equal(formatEta(59.6), '1m00s');
    assert.equal(formatEta(328), '5m28s');
    assert.equal(formatEta(7500), '2h05m');
    assert.equal(formatEta(Number.NaN), '?');
  });
});

describe('LogProgress', () => {
  it('prints the first update at once, a new step at once, and a step at most every 5 s', () => {
    const { progress, lines, tick } = logged(PERCENT);
    progress.update(1, 0.01, 'training ease', 'EASE: row 1/100');
    tick(1000);
    progress.update(2, 0.02, 'training ease', 'EASE: row 2/100');
    tick(4100);
    progress.update(50, 0.5, 'training ease', 'EASE: row 50/100');
    tick(10);
    progress.update(0, 0, 'precompute');
    assert.equal(lines.length, 3, lines.join(''));
    assert.equal(lines[0], 'training ease: 1% — EASE: row 1/100\n', 'no ETA from no time at all');
    assert.equal(lines[1], 'training ease: 50% (ETA 5s) — EASE: row 50/100\n');
    assert.equal(lines[2], 'precompute: 0%\n');
    for (const line of lines) assert.equal(line.split('\n').length, 2, 'one line per update');
  });
});
