/**
 * What the server process itself saw during one measured run, for naming the cause of a latency
 * tail instead of guessing: event-loop delay (monitorEventLoopDelay), garbage-collection pauses
 * (PerformanceObserver), event-loop utilisation, and every stall of the event loop longer than
 * STALL_MS with where the main thread's time went meanwhile. The split comes from Linux's
 * /proc/PID/task/PID/schedstat (nanoseconds the main thread ran on a CPU, and waited for one on
 * the run queue): a stall the thread spent *running* is work on the event loop (JavaScript, GC,
 * a synchronous SQLite call); one it spent *waiting for a CPU* is another process or thread
 * holding both cores; the rest is the thread blocked in the kernel (I/O, a lock).
 *
 * The load generator asks for it over the benchmark's IPC channel ('probe:reset' before a run,
 * 'probe:read' after); bench/api.ts attaches it to its single-process server role.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance, PerformanceObserver, type EventLoopUtilization } from 'node:perf_hooks';

/** A gap between two ticks of the stall detector longer than this is recorded as a stall. */
const STALL_MS = 20;
const TICK_MS = 2;
/** monitorEventLoopDelay's timer interval; its samples are intervals, so this is subtracted. */
const RESOLUTION_MS = 1;

export interface Stall {
  /** ms since the probe was reset. */
  at: number;
  ms: number;
  /** Main thread on a CPU during the stall, ms. */
  runningMs: number | null;
  /** Main thread runnable but waiting for a CPU, ms. */
  waitingForCpuMs: number | null;
  /** GC pauses overlapping the stall, ms. */
  gcMs: number;
  /**
   * CPU time every other process on the machine used during the stall (the load generator
   * included), ms, of the 2 × `ms` two cores offer: near the whole of it, the server was
   * crowded out rather than busy.
   */
  otherProcessesCpuMs: number | null;
}

export interface ProbeReport {
  /** When the probe was reset (epoch ms): stalls' `at` counts from here. */
  startedAt: number;
  seconds: number;
  eventLoopDelayMs: { p50: number; p99: number; p999: number; max: number };
  utilization: number;
  gc: { count: number; totalMs: number; maxMs: number; byKind: Record<string, { count: number; totalMs: number; maxMs: number }> };
  /** Process CPU over the run (all threads: main, GC helpers, libuv pool), seconds. */
  cpuSeconds: number;
  /** CPU the whole machine used over the run (/proc/stat), seconds: minus this server and the load generator, what else ran. */
  machineCpuSeconds: number | null;
  mainThread: { runningMs: number | null; waitingForCpuMs: number | null };
  /** Every stall over STALL_MS; `stalls` lists the longest 20. */
  stallCount: number;
  stalls: Stall[];
}

const GC_KINDS: Record<number, string> = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weakcb' };

/** Busy CPU time of the whole machine so far, seconds (Linux /proc/stat), or null. */
function machineBusySeconds(): number | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = fields;
    return (user! + nice! + system! + irq! + softirq! + steal!) / 100;
  } catch {
    return null;
  }
}

function schedstat(): { run: number; wait: number } | null {
  try {
    const [run, wait] = readFileSync(`/proc/${process.pid}/task/${process.pid}/schedstat`, 'utf8').trim().split(' ');
    return { run: Number(run) / 1e6, wait: Number(wait) / 1e6 };
  } catch {
    return null;
  }
}

export class ServerProbe {
  private readonly delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private gcEntries: { start: number; ms: number; kind: string }[] = [];
  private stalls: Stall[] = [];
  private started = performance.now();
  private elu: EventLoopUtilization = performance.eventLoopUtilization();
  private cpu = process.cpuUsage();
  private sched = schedstat();
  private machine = machineBusySeconds();
  private readonly observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = GC_KINDS[(entry as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0] ?? 'other';
      this.gcEntries.push({ start: entry.startTime, ms: entry.duration, kind });
    }
  });
  private timer: NodeJS.Timeout;
  private lastTick = performance.now();
  private lastSched = schedstat();
  private lastMachine = machineBusySeconds();
  private lastCpu = process.cpuUsage();

  constructor() {
    this.delay.enable();
    this.observer.observe({ entryTypes: ['gc'] });
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  private tick(): void {
    const now = performance.now();
    const gap = now - this.lastTick;
    const sched = schedstat();
    const machine = machineBusySeconds();
    const cpu = process.cpuUsage();
    if (gap > STALL_MS) {
      const from = this.lastTick;
      const gcMs = this.gcEntries
        .filter((g) => g.start < now && g.start + g.ms > from)
        .reduce((s, g) => s + Math.min(now, g.start + g.ms) - Math.max(from, g.start), 0);
      this.stalls.push({
        at: Math.round(from - this.started),
        ms: Math.round(gap * 10) / 10,
        runningMs: sched && this.lastSched ? Math.round(sched.run - this.lastSched.run) : null,
        waitingForCpuMs: sched && this.lastSched ? Math.round(sched.wait - this.lastSched.wait) : null,
        gcMs: Math.round(gcMs * 10) / 10,
        otherProcessesCpuMs:
          machine !== null && this.lastMachine !== null
            ? Math.max(
                0,
                Math.round((machine - this.lastMachine) * 1000 - (cpu.user - this.lastCpu.user + cpu.system - this.lastCpu.system) / 1000),
              )
            : null,
      });
    }
    this.lastTick = now;
    this.lastSched = sched;
    this.lastMachine = machine;
    this.lastCpu = cpu;
  }

  reset(): void {
    this.delay.reset();
    this.gcEntries = [];
    this.stalls = [];
    this.started = performance.now();
    this.elu = performance.eventLoopUtilization();
    this.cpu = process.cpuUsage();
    this.sched = schedstat();
    this.machine = machineBusySeconds();
  }

  read(): ProbeReport {
    const ms = (ns: number): number => Math.round(Math.max(0, ns / 1e6 - RESOLUTION_MS) * 100) / 100;
    const byKind: ProbeReport['gc']['byKind'] = {};
    for (const g of this.gcEntries) {
      const k = (byKind[g.kind] ??= { count: 0, totalMs: 0, maxMs: 0 });
      k.count++;
      k.totalMs += g.ms;
      k.maxMs = Math.max(k.maxMs, g.ms);
    }
    for (const k of Object.values(byKind)) {
      k.totalMs = Math.round(k.totalMs * 10) / 10;
      k.maxMs = Math.round(k.maxMs * 10) / 10;
    }
    const cpu = process.cpuUsage(this.cpu);
    const sched = schedstat();
    return {
      startedAt: Math.round(performance.timeOrigin + this.started),
      seconds: Math.round(performance.now() - this.started) / 1000,
      eventLoopDelayMs: {
        p50: ms(this.delay.percentile(50)),
        p99: ms(this.delay.percentile(99)),
        p999: ms(this.delay.percentile(99.9)),
        max: ms(this.delay.max),
      },
      utilization: Math.round(performance.eventLoopUtilization(this.elu).utilization * 1000) / 1000,
      gc: {
        count: this.gcEntries.length,
        totalMs: Math.round(this.gcEntries.reduce((s, g) => s + g.ms, 0) * 10) / 10,
        maxMs: Math.round(Math.max(0, ...this.gcEntries.map((g) => g.ms)) * 10) / 10,
        byKind,
      },
      cpuSeconds: Math.round((cpu.user + cpu.system) / 1e4) / 100,
      machineCpuSeconds: this.machine === null ? null : Math.round((machineBusySeconds()! - this.machine) * 100) / 100,
      mainThread:
        sched && this.sched
          ? { runningMs: Math.round(sched.run - this.sched.run), waitingForCpuMs: Math.round(sched.wait - this.sched.wait) }
          : { runningMs: null, waitingForCpuMs: null },
      stallCount: this.stalls.length,
      stalls: [...this.stalls].sort((a, b) => b.ms - a.ms).slice(0, 20),
    };
  }

  stop(): void {
    clearInterval(this.timer);
    this.delay.disable();
    this.observer.disconnect();
  }
}

/** Load-generator side: asks the server process `child` for its report of the run just measured. */
export async function readProbe(child: ChildProcess): Promise<ProbeReport> {
  return new Promise((resolve) => {
    const onMessage = (message: unknown): void => {
      if (typeof message !== 'object' || message === null || !('probe' in message)) return;
      child.off('message', onMessage);
      resolve((message as { probe: ProbeReport }).probe);
    };
    child.on('message', onMessage);
    child.send('probe:read');
  });
}
