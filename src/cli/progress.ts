import cliProgress from 'cli-progress';

/**
 * Progress for long jobs: a live bar with rate and ETA on a terminal, and a plain line every few
 * seconds otherwise (CI logs, pipes), so logs stay readable and a bar never floods a file.
 */
export interface ProgressReporter {
  update(done: number, fraction: number | null, label: string): void;
  stop(): void;
}

export function createProgress(unit: string, stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  return stream.isTTY ? new BarProgress(unit, stream) : new LogProgress(unit, stream);
}

function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)}M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)}k`;
  return perSecond.toFixed(0);
}

function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 60) return `${Math.round(seconds)}s`;
  return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
}

class BarProgress implements ProgressReporter {
  private readonly bar: cliProgress.SingleBar;
  private readonly started = performance.now();
  private running = false;

  constructor(
    private readonly unit: string,
    stream: NodeJS.WriteStream,
  ) {
    this.bar = new cliProgress.SingleBar(
      {
        stream,
        format: '{label} [{bar}] {percentage}% | {done} {unit} | {rate} {unit}/s | ETA {eta_text}',
        hideCursor: true,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
  }

  update(done: number, fraction: number | null, label: string): void {
    const elapsed = (performance.now() - this.started) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const eta = fraction && fraction > 0 ? (elapsed * (1 - fraction)) / fraction : Number.NaN;
    const payload = { label, done: done.toLocaleString('en'), unit: this.unit, rate: formatRate(rate), eta_text: formatEta(eta) };
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

class LogProgress implements ProgressReporter {
  private readonly started = performance.now();
  private lastLog = 0;

  constructor(
    private readonly unit: string,
    private readonly stream: NodeJS.WriteStream,
  ) {}

  update(done: number, fraction: number | null, label: string): void {
    const now = performance.now();
    if (now - this.lastLog < 5000) return;
    this.lastLog = now;
    const elapsed = (now - this.started) / 1000;
    const percent = fraction === null ? '' : ` ${(fraction * 100).toFixed(0)}%`;
    const eta = fraction && fraction > 0 ? `, ETA ${formatEta((elapsed * (1 - fraction)) / fraction)}` : '';
    this.stream.write(`${label}:${percent} ${done.toLocaleString('en')} ${this.unit} (${formatRate(done / elapsed)} ${this.unit}/s${eta})\n`);
  }

  stop(): void {}
}
