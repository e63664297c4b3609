import { AnirecError } from '../errors/errors.js';
import { existsSync, readFileSync } from 'node:fs';
import { Cron } from 'croner';
import { isModelName, MODEL_NAMES, type ModelName } from '../models/train-model.js';

/**
 * Settings of the operations jobs. They live in one JSON file, `$ANIREC_HOME/ops.json` (or
 * ANIREC_OPS_CONFIG), not in the store: they are what a person edits (which AniList users to
 * follow, thresholds, schedules), whereas the store's meta table holds what the jobs write
 * (cursors, progress). Every key is optional; a missing file means all defaults.
 */

export interface IngestConfig {
  /** AniList user names whose lists are fetched on every run. */
  users: string[];
  /** GraphQL endpoint; default AniList's public one. */
  endpoint: string | null;
  /** Also fetch new/updated titles. */
  titles: boolean;
  /** First run only (no cursor yet): fetch titles updated in the last N days. */
  initialLookbackDays: number;
  perPage: number;
}

export interface MonitorConfig {
  /** The k of hit-rate@k. */
  k: number;
  /** Drift when a day's MAE exceeds the trailing baseline MAE by more than this (score points). */
  maeThreshold: number;
  /** Drift when a day's hit-rate is this much (absolute) below the trailing baseline. */
  hitRateDrop: number;
  /** Trailing window of earlier days forming the baseline. */
  baselineDays: number;
  /** Days (and baselines) with fewer predictions are not judged: too noisy. */
  minCount: number;
  /** Re-examine this many days before the cursor, so rows ingested late are still monitored. */
  lookbackDays: number;
}

export interface RetrainConfig {
  model: ModelName;
  /** Significance level of the "candidate is worse" test. */
  alpha: number;
  test: 'bootstrap' | 't';
  /** Held-out users: a count ≥ 1 or a fraction < 1 of all users... */
  testUsers: number;
  /** ...capped at this many (scoring is the slow part of the gate). */
  maxTestUsers: number;
  seed: number;
  /**
   * After each run, archived versions beyond the newest this many are deleted (`anirec models
   * prune --keep`; production and its rollback target always stay). 0 keeps every version.
   */
  keepVersions: number;
}

export interface ScheduleConfig {
  ingest: string;
  monitor: string;
  retrain: string;
  timezone: string;
}

/**
 * How long each job may run, in seconds. A worker on a PostgreSQL store stops a run at its
 * deadline and derives the run's lease from it (queue/queue-worker.ts): past deadline + grace, the
 * run counts as abandoned and another worker retries it. The defaults are the CronJobs'
 * activeDeadlineSeconds (deploy/k8s/cronjobs.yaml).
 */
export type DeadlineConfig = Record<'ingest' | 'monitor' | 'retrain', number>;

export interface OpsConfig {
  ingest: IngestConfig;
  monitor: MonitorConfig;
  retrain: RetrainConfig;
  schedule: ScheduleConfig;
  deadlineSeconds: DeadlineConfig;
}

export const DEFAULT_OPS_CONFIG: OpsConfig = {
  ingest: { users: [], endpoint: null, titles: true, initialLookbackDays: 30, perPage: 50 },
  monitor: { k: 20, maeThreshold: 0.5, hitRateDrop: 0.1, baselineDays: 14, minCount: 20, lookbackDays: 7 },
  retrain: { model: 'anirec', alpha: 0.05, test: 'bootstrap', testUsers: 0.1, maxTestUsers: 1000, seed: 42, keepVersions: 10 },
  schedule: { ingest: '0 3 * * *', monitor: '0 4 * * *', retrain: '0 5 * * 0', timezone: 'Etc/UTC' },
  deadlineSeconds: { ingest: 3600, monitor: 3600, retrain: 14400 },
};

export class OpsConfigError extends AnirecError {
  constructor(message: string) {
    super('invalid_config', message);
    this.name = 'OpsConfigError';
  }
}

type Check = (value: unknown, where: string) => unknown;

const number =
  (min: number, max = Infinity, integer = false): Check =>
  (value, where) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      throw new Error(
        `${where} must be ${integer ? 'a whole number' : 'a number'} between ${min} and ${max === Infinity ? '∞' : max} (got ${JSON.stringify(value)})`,
      );
    }
    return value;
  };
const bool: Check = (value, where) => {
  if (typeof value !== 'boolean') throw new Error(`${where} must be true or false (got ${JSON.stringify(value)})`);
  return value;
};
const cron: Check = (value, where) => {
  if (typeof value !== 'string') throw new Error(`${where} must be a cron expression string such as "0 3 * * *"`);
  try {
    new Cron(value, { paused: true }).stop();
  } catch (error) {
    throw new Error(
      `${where} "${value}" is not a valid cron expression (${(error as Error).message}); use 5 fields: minute hour day-of-month month day-of-week`,
    );
  }
  return value;
};
const timezone: Check = (value, where) => {
  if (typeof value !== 'string') throw new Error(`${where} must be an IANA time zone such as "Etc/UTC"`);
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
  } catch {
    throw new Error(`${where} "${value}" is not a known IANA time zone (e.g. "Etc/UTC", "Europe/Paris")`);
  }
  return value;
};

const SCHEMA: { [S in keyof OpsConfig]: { [K in keyof OpsConfig[S]]: Check } } = {
  ingest: {
    users: (value, where) => {
      if (!Array.isArray(value) || value.some((u) => typeof u !== 'string' || u.trim() === '')) {
        throw new Error(`${where} must be a list of AniList user names, e.g. ["Yuki"]`);
      }
      return [...new Set(value.map((u: string) => u.trim()))];
    },
    endpoint: (value, where) => {
      if (value === null) return null;
      if (typeof value !== 'string' || !/^https?:\/\//.test(value)) throw new Error(`${where} must be an http(s) URL or null`);
      return value;
    },
    titles: bool,
    initialLookbackDays: number(0, 36500),
    perPage: number(1, 50, true),
  },
  monitor: {
    k: number(1, 1000, true),
    maeThreshold: number(0),
    hitRateDrop: number(0, 1),
    baselineDays: number(1, 3650, true),
    minCount: number(1, Infinity, true),
    lookbackDays: number(0, 3650),
  },
  retrain: {
    model: (value, where) => {
      if (typeof value !== 'string' || !isModelName(value))
        throw new Error(`${where} must be one of ${MODEL_NAMES.join(', ')} (got ${JSON.stringify(value)})`);
      return value;
    },
    alpha: number(Number.MIN_VALUE, 0.5),
    test: (value, where) => {
      if (value !== 'bootstrap' && value !== 't') throw new Error(`${where} must be "bootstrap" or "t"`);
      return value;
    },
    testUsers: (value, where) => {
      const n = number(Number.MIN_VALUE)(value, where) as number;
      if (n >= 1 && !Number.isInteger(n)) throw new Error(`${where} must be a whole count ≥ 1 or a fraction below 1 (got ${n})`);
      return n;
    },
    maxTestUsers: number(2, Infinity, true),
    seed: number(0, 2 ** 31, true),
    keepVersions: number(0, 100000, true),
  },
  schedule: { ingest: cron, monitor: cron, retrain: cron, timezone },
  // At most 12 h: pg-boss refuses leases of 24 h or more, and a lease is the deadline plus grace.
  deadlineSeconds: { ingest: number(1, 43200), monitor: number(1, 43200), retrain: number(1, 43200) },
};

/** Validates a parsed config object; every problem names its key and says what is allowed. */
export function parseOpsConfig(raw: unknown, source = 'ops config'): OpsConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new OpsConfigError(`${source}: must be a JSON object with any of ${Object.keys(SCHEMA).join(', ')}`);
  const config = structuredClone(DEFAULT_OPS_CONFIG) as unknown as Record<string, Record<string, unknown>>;
  for (const [section, values] of Object.entries(raw as Record<string, unknown>)) {
    const checks = (SCHEMA as unknown as Record<string, Record<string, Check>>)[section];
    if (!checks) throw new OpsConfigError(`${source}: unknown section "${section}"; known: ${Object.keys(SCHEMA).join(', ')}`);
    if (typeof values !== 'object' || values === null || Array.isArray(values))
      throw new OpsConfigError(`${source}: "${section}" must be an object`);
    for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
      const check = checks[key];
      if (!check) throw new OpsConfigError(`${source}: unknown key "${section}.${key}"; known: ${Object.keys(checks).join(', ')}`);
      try {
        config[section]![key] = check(value, `${section}.${key}`);
      } catch (error) {
        throw new OpsConfigError(`${source}: ${(error as Error).message}`);
      }
    }
  }
  return config as unknown as OpsConfig;
}

/** Reads the config file if there is one; otherwise the defaults. */
export function loadOpsConfig(path: string): OpsConfig {
  if (!existsSync(path)) return structuredClone(DEFAULT_OPS_CONFIG);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new OpsConfigError(`${path}: not valid JSON (${(error as Error).message}); fix the file or delete it to use the defaults`);
  }
  return parseOpsConfig(raw, path);
}
