import { Cron } from 'croner';
import type { ScheduleConfig } from './config.js';
import { JOB_NAMES, type JobName } from './job-log.js';
import { runJob, type JobEnv, type JobOutcome } from './jobs.js';

/**
 * `anirec worker`: runs the jobs on their cron schedules (croner) in one long-lived process.
 * A job still running when it is due again is not started twice: an in-process guard catches it
 * here, and the job's lock file (jobs.ts) catches a second worker or a hand-run command.
 * stop() (on SIGTERM) stops the schedules, asks running jobs to cancel — ingestion keeps its
 * cursor, retraining leaves production as it was — and waits for them to wind down.
 */
export class Worker {
  private readonly crons = new Map<JobName, Cron>();
  private readonly running = new Map<JobName, Promise<JobOutcome>>();
  private readonly abort = new AbortController();
  private stopped = false;

  constructor(
    private readonly env: Omit<JobEnv, 'trigger' | 'signal'>,
    private readonly schedule: ScheduleConfig,
    private readonly onOutcome: (outcome: JobOutcome) => void = () => {},
  ) {}

  start(): void {
    for (const job of JOB_NAMES) {
      const cron = new Cron(this.schedule[job], { timezone: this.schedule.timezone, name: `anirec-${job}` }, () => {
        void this.trigger(job);
      });
      this.crons.set(job, cron);
    }
  }

  /** When each job runs next (null when stopped). */
  nextRuns(): Record<JobName, Date | null> {
    const out = {} as Record<JobName, Date | null>;
    for (const job of JOB_NAMES) out[job] = this.crons.get(job)?.nextRun() ?? null;
    return out;
  }

  isRunning(job: JobName): boolean {
    return this.running.has(job);
  }

  /** Runs `job` now unless it is already running here (then resolves to null at once). */
  async trigger(job: JobName): Promise<JobOutcome | null> {
    if (this.stopped) return null;
    if (this.running.has(job)) {
      this.env.log(`${job}: still running from its previous start; this start is skipped`);
      return null;
    }
    this.env.log(`${job}: starting`);
    const run = runJob(job, { ...this.env, trigger: 'worker', signal: this.abort.signal }).then((outcome) => {
      this.env.log(`${job}: ${outcome.status}${outcome.error ? ` (${outcome.error.message})` : ''}`);
      this.onOutcome(outcome);
      return outcome;
    });
    this.running.set(job, run);
    try {
      return await run;
    } finally {
      this.running.delete(job);
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const cron of this.crons.values()) cron.stop();
    this.crons.clear();
    this.abort.abort(new Error('the worker is shutting down'));
    await Promise.allSettled([...this.running.values()]);
  }
}
