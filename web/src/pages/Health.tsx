import { useEffect, useState } from 'preact/hooks';
import { api, type Monitoring, type MonitoringDay } from '../api';
import { Empty, ErrorBox, Loading } from '../components/Status';
import { HEALTH_REPORT_PATH, navigate } from '../router';

/**
 * "Model health": the daily rows `anirec monitor` writes (GET /v1/monitoring), so the people
 * running anirec can see at a glance whether the production model still predicts what users
 * really score, and which days tripped the drift rule (docs/operations.md).
 */

const RANGES = [7, 30, 90, 365] as const;
const DEFAULT_DAYS = 30;
const DAY_MS = 86_400_000;

/** Any whole number of days the API accepts may come from a shared link; anything else falls back. */
function daysFrom(params: URLSearchParams): number {
  const n = Number(params.get('days'));
  return Number.isInteger(n) && n >= 1 && n <= 365 ? n : DEFAULT_DAYS;
}

const time = (day: string) => Date.parse(`${day}T00:00:00Z`);
// The rows are UTC days: format them in UTC or a browser west of Greenwich shows the day before.
const shortDay = (day: string) => new Date(time(day)).toLocaleDateString(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
const pct = (x: number) => `${(x * 100).toFixed(x > 0 && x < 0.1 ? 1 : 0)}%`;
const fixed = (x: number | null, digits: number) => (x === null ? '–' : x.toFixed(digits));

/** The smallest multiple of `step` at or above `x`, at least `min`: round axis tops. */
const niceTop = (x: number, step: number, min: number) => Math.max(min, Math.ceil(x / step - 1e-9) * step);

interface LineChartProps {
  title: string;
  note: string;
  rows: MonitoringDay[];
  value: (d: MonitoringDay) => number | null;
  format: (x: number) => string;
  top: number;
  versions: string[];
}

/**
 * One metric per day as a line per model version (a promotion starts a new line rather than
 * joining two models' numbers), drift days as red bands. Same hand-drawn SVG approach as
 * components/Charts.tsx; the numbers themselves are in the table below for screen readers.
 */
function LineChart({ title, note, rows, value, format, top, versions }: LineChartProps) {
  // The same 420-unit width as components/Charts.tsx, so labels scale alike on a phone.
  const width = 420;
  const height = 200;
  const left = 40;
  const right = 8;
  const topPad = 10;
  const bottom = 26;
  const plotH = height - topPad - bottom;
  // Points sit inset from the plot's edges so the first and last day's drift bands are whole.
  const inset = 14;
  const plotW = width - left - right - 2 * inset;
  const days = [...new Set(rows.map((r) => r.day))].sort();
  const first = time(days[0]!);
  const span = (time(days.at(-1)!) - first) / DAY_MS;
  const x = (day: string) => left + inset + (span === 0 ? plotW / 2 : (plotW * (time(day) - first)) / DAY_MS / span);
  const y = (v: number) => topPad + plotH * (1 - v / top);
  const ticks = [0, top / 2, top];
  // At most ~6 day labels so they never overlap; always the first and the last day.
  const every = Math.max(1, Math.ceil(days.length / 6));
  const labelled = days.filter((_, i) => i % every === 0 || i === days.length - 1);
  const bandW = Math.max(6, Math.min(28, (plotW / (span + 1)) * 0.8));
  const driftDays = [...new Set(rows.filter((r) => r.drift).map((r) => r.day))];
  const known = rows.filter((r) => value(r) !== null);
  const latest = known.at(-1);
  const label = `${title}, ${shortDay(days[0]!)} to ${shortDay(days.at(-1)!)}: ${latest ? `latest ${format(value(latest)!)} on ${shortDay(latest.day)}` : 'no values yet'}; ${driftDays.length} drift day${driftDays.length === 1 ? '' : 's'}. Every day's numbers are in the table below.`;

  return (
    <figure class="chart">
      <figcaption>
        {title} <span class="muted">· {note}</span>
      </figcaption>
      {known.length === 0 ? (
        <p class="muted">No day in this range has a value for this metric yet.</p>
      ) : (
        <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label} class="line-chart">
          {driftDays.map((day) => (
            <rect key={day} x={x(day) - bandW / 2} y={topPad} width={bandW} height={plotH} class="drift-band">
              <title>Drift on {day}</title>
            </rect>
          ))}
          {ticks.map((t) => (
            <g key={t}>
              <line x1={left} x2={width - right} y1={y(t)} y2={y(t)} class="grid-line" />
              <text x={left - 6} y={y(t) + 4} text-anchor="end" class="chart-label">
                {format(t)}
              </text>
            </g>
          ))}
          {labelled.map((day) => (
            <text key={day} x={x(day)} y={height - 8} text-anchor="middle" class="chart-label">
              {shortDay(day)}
            </text>
          ))}
          {versions.map((version, s) => {
            const series = rows.filter((r) => r.modelVersion === version);
            // A day without a value (no calibrated score that day) breaks the line instead of bridging it.
            const segments: MonitoringDay[][] = [[]];
            for (const r of series) {
              if (value(r) === null) segments.push([]);
              else segments.at(-1)!.push(r);
            }
            const cls = `s${s % 3}`;
            return (
              <g key={version}>
                {segments
                  .filter((seg) => seg.length > 1)
                  .map((seg) => (
                    <path
                      key={seg[0]!.day}
                      d={seg.map((r, i) => `${i === 0 ? 'M' : 'L'}${x(r.day).toFixed(1)},${y(value(r)!).toFixed(1)}`).join(' ')}
                      class={`line ${cls}`}
                    />
                  ))}
                {series
                  .filter((r) => value(r) !== null)
                  .map((r) => (
                    <circle
                      key={r.day}
                      cx={x(r.day)}
                      cy={y(value(r)!)}
                      r={r.drift ? 5 : 3.5}
                      class={`dot ${cls}${r.drift ? ' drift' : ''}`}
                    >
                      <title>
                        {r.day} · {version}: {format(value(r)!)}
                        {r.drift ? ' · drift' : ''}
                      </title>
                    </circle>
                  ))}
              </g>
            );
          })}
        </svg>
      )}
      <ul class="legend" aria-hidden="true">
        {versions.map((v, s) => (
          <li key={v}>
            <span class={`swatch s${s % 3}`} />
            {v}
          </li>
        ))}
        {driftDays.length > 0 && (
          <li>
            <span class="swatch drift" />
            drift
          </li>
        )}
      </ul>
    </figure>
  );
}

export function HealthPage({ params }: { params: URLSearchParams }) {
  const days = daysFrom(params);
  const [data, setData] = useState<{ days: number; monitoring: Monitoring } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const abort = new AbortController();
    setError(null);
    api.monitoring(days, abort.signal).then(
      (monitoring) => setData({ days, monitoring }),
      (e) => {
        if ((e as Error).name !== 'AbortError') setError(e);
      },
    );
    return () => abort.abort();
  }, [days, attempt]);

  const monitoring = data?.monitoring ?? null;
  const rows = monitoring?.days ?? [];
  const versions = [...new Set(rows.map((r) => r.modelVersion))];
  const latest = monitoring?.latest ?? null;
  const maeMax = Math.max(0, ...rows.map((r) => r.mae ?? 0));
  const hitMax = Math.max(0, ...rows.map((r) => r.hitRate));
  const newestFirst = [...rows].reverse();
  const latestDrift = latest?.drift ? latest : null;

  return (
    <section aria-labelledby="health-title">
      <div class="page-head">
        <div>
          <p class="eyebrow">Operations</p>
          <h1 id="health-title">Model health</h1>
          <p class="muted">
            How well the production model foresaw the scores users really gave, day by day (from <code>anirec monitor</code>).
          </p>
        </div>
      </div>
      <fieldset class="segmented">
        <legend>Show the last</legend>
        {RANGES.map((n) => (
          <label key={n} class={days === n ? 'on' : ''}>
            <input
              type="radio"
              name="days"
              value={n}
              checked={days === n}
              onChange={() => navigate(n === DEFAULT_DAYS ? HEALTH_REPORT_PATH : `${HEALTH_REPORT_PATH}?days=${n}`, { replace: true })}
            />
            {n === 365 ? 'Year' : `${n} days`}
          </label>
        ))}
      </fieldset>
      {error ? (
        <ErrorBox error={error} retry={() => setAttempt((a) => a + 1)} />
      ) : !monitoring ? (
        <Loading label="Reading the monitoring history…" />
      ) : rows.length === 0 ? (
        <Empty title="No monitoring data yet">
          <p>
            Nothing was monitored in the last {data!.days === 1 ? 'day' : `${data!.days} days`}. Monitoring compares what the production
            model predicted with the scores users then gave, so it needs a production model and newly scored titles.
          </p>
          <p>
            Run <code>anirec ingest</code> to fetch new list activity, then <code>anirec monitor</code> (or let <code>anirec worker</code>{' '}
            run both daily), and reload this page.
            {days < 365 && (
              <>
                {' '}
                Older days may be there: <a href={`${HEALTH_REPORT_PATH}?days=365`}>show the last year</a>.
              </>
            )}
          </p>
        </Empty>
      ) : (
        <>
          <dl class="stats">
            <div>
              <dt>Latest day</dt>
              <dd>{shortDay(latest!.day)}</dd>
            </div>
            <div>
              <dt>MAE (latest)</dt>
              <dd>{fixed(latest!.mae, 2)}</dd>
            </div>
            <div>
              <dt>Hit-rate@20 (latest)</dt>
              <dd>{pct(latest!.hitRate)}</dd>
            </div>
            <div>
              <dt>Drift days</dt>
              <dd class={monitoring.driftDays > 0 ? 'drift-flag' : ''}>{monitoring.driftDays}</dd>
            </div>
          </dl>
          {latestDrift && (
            <p class="note drift-note">
              <strong class="drift-flag">Drift on {shortDay(latestDrift.day)}.</strong> {latestDrift.driftReason}. Look at what changed (new
              data, a newly promoted model); <code>anirec retrain</code> or <code>anirec models rollback</code> may help.
            </p>
          )}
          <div class="charts">
            <LineChart
              title="MAE"
              note="score points, lower is better"
              rows={rows}
              value={(r) => r.mae}
              format={(v) => v.toFixed(1)}
              top={niceTop(maeMax, 1, 1)}
              versions={versions}
            />
            <LineChart
              title="Hit-rate@20"
              note="scored titles the model had in its top 20, higher is better"
              rows={rows}
              value={(r) => r.hitRate}
              format={pct}
              top={niceTop(hitMax, 0.1, 0.1)}
              versions={versions}
            />
          </div>
          <div class="table-wrap">
            <table class="data-table">
              <caption>Every day, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Day</th>
                  <th scope="col">Model</th>
                  <th scope="col">Titles</th>
                  <th scope="col">MAE</th>
                  <th scope="col">RMSE</th>
                  <th scope="col">Hit-rate@20</th>
                  <th scope="col">Mean rank</th>
                  <th scope="col">Drift</th>
                </tr>
              </thead>
              <tbody>
                {newestFirst.map((r) => (
                  <tr key={`${r.day} ${r.modelVersion}`} class={r.drift ? 'drift' : ''}>
                    <th scope="row">{r.day}</th>
                    <td>{r.modelVersion}</td>
                    <td>{r.count}</td>
                    <td>{fixed(r.mae, 2)}</td>
                    <td>{fixed(r.rmse, 2)}</td>
                    <td>{pct(r.hitRate)}</td>
                    <td>{r.meanRank.toFixed(0)}</td>
                    <td class="drift-cell">{r.drift ? <span class="drift-flag">Yes: {r.driftReason}</span> : 'No'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p class="muted hint table-note">
            Hit-rate@20 uses k = 20 unless <code>monitor.k</code> in ops.json says otherwise. A day with fewer than{' '}
            <code>monitor.minCount</code> scored titles gets no drift verdict (see docs/operations.md).
          </p>
        </>
      )}
    </section>
  );
}
