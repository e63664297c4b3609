import cliProgress from 'cli-progress';

/**
 * Progress for long jobs: a live bar with rate and ETA on a terminal, and one plain line every few
 * seconds otherwise (CI logs, pipes), so logs stay readable and a bar never floods a file.
 */
export interface ProgressReporter {
  /**
   * `done` counts `unit`s (for the unit `%`, it is the percentage itself), `fraction` is the share
   * done (null when unknown), `label` names the step and `detail` (optional) says more about it,
   * e.g. "twotower epoch 3/20: loss 0.1234".
   */
  update(done: number, fraction: number | null, label: string, detail?: string): void;
  stop(): void;
}

/** The unit of jobs that report only how far along they are: no count, no rate to show. */
export const PERCENT = '%';

export function createProgress(unit: string, stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  return stream.isTTY ? new BarProgress(unit, stream) : new LogProgress(unit, stream);
}

function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)}M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)}k`;
  return perSecond >= 10 ? perSecond.toFixed(0) : perSecond.toFixed(1);
}

/** 42s, 5m28s, 2h05m; "?" when there is nothing to go on yet. */
export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole}s`;
  if (whole < 3600) return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
  return `${Math.floor(whole / 3600)}h${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')}m`;
}

/** Seconds left, extrapolated from the time so far; NaN until there is a second of work to go on. */
function etaSeconds(elapsed: number, fraction: number | null): number {
  return fraction !== null && fraction > 0 && fraction < 1 && elapsed >= 1 ? (elapsed * (1 - fraction)) / fraction : Number.NaN;
}

/**
 * One progress line without a terminal: `training anirec: 15% (ETA 5m28s) — ease: row 1200/9000`,
 * or `[1/3] rating.csv: 40% · 2,000,000 rows (310k rows/s, ETA 12s)`. A percentage job shows the
 * percentage once (no "15% 15 %" and no "%/s" rate, which means nothing to a reader); a rate is shown
 * only once a second has passed, so the first line does not claim 0 rows/s.
 */
export function formatProgressLine(
  unit: string,
  done: number,
  fraction: number | null,
  label: string,
  elapsedSeconds: number,
  detail?: string,
): string {
  const parts: string[] = [];
  if (fraction !== null) parts.push(`${Math.floor(Math.min(1, Math.max(0, fraction)) * 100)}%`);
  const counted = unit !== PERCENT;
  if (counted) parts.push(`${done.toLocaleString('en')} ${unit}`);
  const inBrackets: string[] = [];
  if (counted && elapsedSeconds >= 1) inBrackets.push(`${formatRate(done / elapsedSeconds)} ${unit}/s`);
  const eta = etaSeconds(elapsedSeconds, fraction);
  if (Number.isFinite(eta)) inBrackets.push(`ETA ${formatEta(eta)}`);
  const body = parts.join(' · ') + (inBrackets.length > 0 ? ` (${inBrackets.join(', ')})` : '');
  return `${label}: ${body}${detail ? ` — ${detail}` : ''}`;
}

class BarProgress implements ProgressReporter {
  private readonly bar: cliProgress.SingleBar;
  private readonly started = performance.now();
  private running = false;

  constructor(
    private readonly unit: string,
    stream: NodeJS.WriteStream,
  ) {
    // The bar already shows the percentage: a percentage job gets no count and no rate.
    const counts = unit === PERCENT ? '' : ' | {done} {unit} | {rate} {unit}/s';
    this.bar = new cliProgress.SingleBar(
      {
        stream,
        format: `{label} [{bar}] {percentage}%${counts} | ETA {eta_text}{detail}`,
        hideCursor: true,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
  }

  update(done: number, fraction: number | null, label: string, detail?: string): void {
    const elapsed = (performance.now() - this.started) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const payload = {
      label,
      done: done.toLocaleString('en'),
      unit: this.unit,
      rate: formatRate(rate),
      eta_text: formatEta(etaSeconds(elapsed, fraction)),
      detail: detail ? ` | ${detail}` : '',
    };
    const value = Math.round((fraction ?? 0) * 1000);
    if (!this.running) {
      this.bar.start(1000, value, payload);
      this.running = true;
    } else {
      this.bar.update(value, payload);
    }
  }

  stop(): void {
    if (this.running) this.bar.stop();
    this.running = false;
  }
}

/** Seconds between two lines of the same step in a log. */
const LOG_EVERY_MS = 5000;

export class LogProgress implements ProgressReporter {
  private readonly started: number;
  private lastLog = Number.NEGATIVE_INFINITY;
  private lastLabel: string | null = null;

  constructor(
    private readonly unit: string,
    private readonly stream: Pick<NodeJS.WritableStream, 'write'>,
    /** Milliseconds clock; tests pass a fake one. */
    private readonly now: () => number = () => performance.now(),
  ) {
    this.started = now();
  }

  update(done: number, fraction: number | null, label: string, detail?: string): void {
    const now = this.now();
    // A new step gets its line at once; within a step, one line every few seconds.
    if (label === this.lastLabel && now - this.lastLog < LOG_EVERY_MS) return;
    this.lastLog = now;
    this.lastLabel = label;
    this.stream.write(`${formatProgressLine(this.unit, done, fraction, label, (now - this.started) / 1000, detail)}\n`);
  }

  stop(): void {}
}
