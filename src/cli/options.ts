import { InvalidArgumentError, type Command } from 'commander';
import type { AnirecPaths } from '../config.js';
import { redactStoreUrl } from '../store/open-store.js';
import { CliError } from './errors.js';
import { FRANCHISE_MODES, PAGING_LIMITS } from '../wire/paging.js';

/** Commander parser for options that must be whole numbers ≥ 1, with the option named in the error. */
export function parsePositiveInt(option: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${option} must be a whole number ≥ 1 (got "${value}")`);
    return n;
  };
}

/** A number in [min, max] (whole when `integer`), named in the error. */
export function parseNumberIn(option: string, min: number, max: number, integer: boolean): (value: string) => number {
  return (value) => {
    const n = value.trim() === '' ? Number.NaN : Number(value);
    if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
      throw new InvalidArgumentError(`${option} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max} (got "${value}")`);
    }
    return n;
  };
}

/** Where the store is: `--store URL`, or `--db PATH` for short (`--store sqlite:PATH`). */
export interface StoreLocationFlags {
  store?: string;
  db?: string;
}

/** Where the store and the model are: every command that reads them takes these. */
export interface StoreFlags extends StoreLocationFlags {
  model?: string;
}

/**
 * Declares --store and --db, the one place every command that opens the store gets them from.
 * `purpose` replaces "the store" in the help where a command uses it for one thing only.
 */
export function addStoreLocationOptions(command: Command, purpose = 'the store'): Command {
  return command
    .option('--store <url>', `${purpose}: sqlite:PATH or a file path (default: $ANIREC_STORE, else $ANIREC_HOME/anirec.db)`)
    .option('--db <path>', `${purpose} as a SQLite file: short for --store sqlite:PATH`);
}

export function addStoreOptions(command: Command, { model = true } = {}): Command {
  addStoreLocationOptions(command);
  if (model) command.option('--model <dir>', 'model directory (default: the current one, $ANIREC_HOME/models/CURRENT)');
  return command;
}

/**
 * The store URL a command opens: --store or --db, else $ANIREC_STORE, else the default file
 * ($ANIREC_DB or $ANIREC_HOME/anirec.db), as resolvePaths gives them.
 */
export function storeUrlOf(flags: StoreLocationFlags, paths: AnirecPaths): string {
  if (flags.store !== undefined && flags.db !== undefined) {
    throw new CliError(
      `--store ${redactStoreUrl(flags.store)} and --db ${flags.db} both name the store; give one (--db PATH is short for --store sqlite:PATH).`,
    );
  }
  if (flags.db !== undefined) return `sqlite:${flags.db}`;
  return flags.store ?? paths.store;
}

/** Paging and diversity as the API takes them: the same names, defaults and bounds (wire/paging.ts). */
export interface PagingFlags {
  k: number;
  offset: number;
  diversity?: number;
  franchise?: 'group' | 'all';
}

export function addPagingOptions(command: Command): Command {
  const { k, offset, diversity } = PAGING_LIMITS;
  const franchise = { enum: FRANCHISE_MODES };
  return command
    .option('--k <n>', `how many titles (${k.minimum}–${k.maximum})`, parseNumberIn('--k', k.minimum, k.maximum, true), k.default)
    .option(
      '--offset <n>',
      `titles to skip: the next page is offset + k (${offset.minimum}–${offset.maximum})`,
      parseNumberIn('--offset', offset.minimum, offset.maximum, true),
      offset.default,
    )
    .option(
      '--diversity <λ>',
      `MMR diversity, ${diversity.minimum} = pure relevance … ${diversity.maximum} = most varied`,
      parseNumberIn('--diversity', diversity.minimum, diversity.maximum, false),
    )
    .option('--franchise <mode>', `${franchise.enum.join(' or ')}: one card per franchise (default) or every title`, (value: string) => {
      if (!(franchise.enum as readonly string[]).includes(value))
        throw new InvalidArgumentError(`--franchise must be ${franchise.enum.join(' or ')}.`);
      return value;
    });
}

export interface JsonFlag {
  json?: boolean;
}

export function addJsonOption(command: Command): Command {
  return command.option('--json', "print the HTTP API's JSON response instead of a table (for scripts)");
}
