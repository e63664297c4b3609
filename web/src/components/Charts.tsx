import type { Share } from '../api';

/**
 * Hand-drawn SVG charts: a few dozen lines instead of a chart library, crisp at any size, styled
 * by the page's CSS (so dark mode works). Each chart is an image with a text alternative, and
 * the numbers are also in a visually hidden list for screen readers.
 */

const pct = (x: number) => `${Math.round(x * 100)}%`;

export function ShareBars({ title, shares, empty }: { title: string; shares: Share[]; empty: string }) {
  if (shares.length === 0) {
    return (
      <figure class="chart">
        <figcaption>{title}</figcaption>
        <p class="muted">{empty}</p>
      </figure>
    );
  }
  const max = Math.max(...shares.map((s) => s.share), 0.01);
  const row = 28;
  const labelW = 130;
  const width = 420;
  const height = shares.length * row;
  const summary = shares.map((s) => `${s.name} ${pct(s.share)}`).join(', ');
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${title}: ${summary}`} preserveAspectRatio="xMinYMin meet">
        {shares.map((s, i) => {
          const w = ((width - labelW - 90) * s.share) / max;
          const y = i * row;
          return (
            <g key={s.name}>
              <text x={labelW - 8} y={y + row / 2 + 4} text-anchor="end" class="chart-label">
                {s.name.length > 18 ? `${s.name.slice(0, 17)}…` : s.name}
              </text>
              <rect x={labelW} y={y + 5} width={Math.max(w, 2)} height={row - 10} rx="4" class="bar" />
              <text x={labelW + Math.max(w, 2) + 6} y={y + row / 2 + 4} class="chart-value">
                {pct(s.share)}
                {s.lift >= 1.3 ? ` · ${s.lift.toFixed(1)}×` : ''}
              </text>
            </g>
          );
        })}
      </svg>
      <ul class="visually-hidden">
        {shares.map((s) => (
          <li key={s.name}>
            {s.name}: {pct(s.share)} of what you liked, {s.lift.toFixed(1)} times the average user
          </li>
        ))}
      </ul>
    </figure>
  );
}

export function ScoreHistogram({ counts, mean, average }: { counts: number[]; mean: number | null; average: number }) {
  const total = counts.reduce((a, b) => a + b, 0);
  const title = 'Your scores';
  if (total === 0) {
    return (
      <figure class="chart">
        <figcaption>{title}</figcaption>
        <p class="muted">No scored titles yet. Give the titles you add a score to see how you rate.</p>
      </figure>
    );
  }
  const max = Math.max(...counts, 1);
  const width = 420;
  const height = 180;
  const bw = width / 10;
  const plot = height - 24;
  return (
    <figure class="chart">
      <figcaption>
        {title}
        {mean !== null && (
          <span class="muted">
            {' '}
            · mean {mean.toFixed(1)} (average user {average.toFixed(1)})
          </span>
        )}
      </figcaption>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={`${title}: ${counts.map((c, i) => `${c} scored ${i + 1}`).join(', ')}`}
      >
        {counts.map((c, i) => {
          const h = (plot - 16) * (c / max);
          return (
            <g key={i}>
              <rect x={i * bw + 4} y={plot - h} width={bw - 8} height={Math.max(h, c > 0 ? 2 : 0)} rx="4" class="bar" />
              {c > 0 && (
                <text x={i * bw + bw / 2} y={plot - h - 4} text-anchor="middle" class="chart-value">
                  {c}
                </text>
              )}
              <text x={i * bw + bw / 2} y={height - 6} text-anchor="middle" class="chart-label">
                {i + 1}
              </text>
            </g>
          );
        })}
        {mean !== null && <line x1={((mean - 0.5) / 10) * width} x2={((mean - 0.5) / 10) * width} y1="0" y2={plot} class="mean-line" />}
      </svg>
    </figure>
  );
}

/** Eras in time order (the API sorts them by share), as vertical bars. */
export function EraColumns({ eras }: { eras: Share[] }) {
  const title = 'Eras you watch';
  if (eras.length === 0) {
    return (
      <figure class="chart">
        <figcaption>{title}</figcaption>
        <p class="muted">None of your titles has a known year.</p>
      </figure>
    );
  }
  const sorted = [...eras].sort((a, b) => a.name.localeCompare(b.name));
  const max = Math.max(...sorted.map((e) => e.share), 0.01);
  const width = 420;
  const height = 180;
  const bw = width / sorted.length;
  const plot = height - 24;
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={`${title}: ${sorted.map((e) => `${e.name} ${pct(e.share)}`).join(', ')}`}
      >
        {sorted.map((e, i) => {
          const h = (plot - 16) * (e.share / max);
          return (
            <g key={e.name}>
              <rect x={i * bw + 6} y={plot - h} width={bw - 12} height={Math.max(h, 2)} rx="4" class="bar alt" />
              <text x={i * bw + bw / 2} y={plot - h - 4} text-anchor="middle" class="chart-value">
                {pct(e.share)}
              </text>
              <text x={i * bw + bw / 2} y={height - 6} text-anchor="middle" class="chart-label">
                {e.name}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
