/**
 * The API's recommendation filters as command-line flags, defined once for every command that
 * filters. The flags are generated from the API's own filter schema (wire/filters.ts), so each
 * filter field has exactly one flag, named after it in kebab-case (`yearMin` → `--year-min`), and
 * a field the API gains later becomes a flag here without a second list to keep in step.
 *
 * Values are checked by the same validator as `--filters` JSON and `recommend-batch`
 * (server/filter-validation.ts: the API's schema and messages), with the field renamed to the flag
 * the person typed, so "--year-min abc" and '{"yearMin":"abc"}' are refused for the same reason.
 */
import type { Command } from 'commander';
import { FilterError, resolveSeasonFilter, type RecommendationFilters } from '../recommend/filters.js';
import type { Catalog } from '../recommend/catalog.js';
import { FilterValidationError, validateFilters } from '../server/filter-validation.js';
import { FILTER_FIELDS, filterProperties, isFilterField, type FilterField } from '../wire/filters.js';
import { CliError } from './errors.js';

/** `excludeGenres` → `exclude-genres` (what commander turns back into `excludeGenres`). */
export function flagOf(field: string): string {
  return `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** What each field's values look like on the command line, for --help. */
function valueHint(field: FilterField): string {
  const schema = filterProperties[field] as { type: string; items?: { enum?: readonly string[] }; enum?: readonly string[] };
  if (schema.type === 'array') return schema.items?.enum ? ` <${schema.items.enum.join('|')}>` : ' <a,b>';
  if (field === 'season') return ' <year-season|current>';
  return ' <n>';
}

const HELP: Partial<Record<FilterField, string>> = {
  genres: 'only titles with every one of these genres (comma-separated, case-insensitive)',
  excludeGenres: 'no titles with any of these genres',
  themes: 'only titles with every one of these themes or demographics (Mecha, Isekai, Seinen…)',
  excludeThemes: 'no titles with any of these themes or demographics',
  formats: 'only these formats (comma-separated)',
  yearMin: 'first year (titles of unknown year are left out)',
  yearMax: 'last year',
  episodesMin: 'at least this many episodes',
  episodesMax: 'at most this many episodes',
  minScore: 'minimum MyAnimeList mean score',
  minPopularityRank: 'hidden gems: skip the N-1 most popular titles',
  maxPopularityRank: 'only the N most popular titles',
  status: 'airing status (comma-separated)',
  season: 'only titles that premiered this season, e.g. 2016-spring, or current (by this machine’s clock)',
};

/** Repeated list flags add up: `--genres Action --genres Comedy` = `--genres Action,Comedy`. */
function collectList(value: string, previous: string[] | undefined): string[] {
  return [
    ...(previous ?? []),
    ...value
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== ''),
  ];
}

export function addFilterOptions(command: Command): Command {
  for (const field of FILTER_FIELDS) {
    const schema = filterProperties[field] as { type: string };
    const flag = flagOf(field);
    if (schema.type === 'boolean') {
      // Both forms, no default: a flag that was not given must stay undefined (the API's default
      // applies, and `--filters` may set the field without a conflict).
      const what = ((filterProperties[field] as { description?: string }).description ?? field).replace(/\.$/, '');
      command.option(flag, what);
      command.option(`--no-${flag.slice(2)}`, `the opposite of ${flag}`);
    } else if (schema.type === 'array') {
      command.option(`${flag}${valueHint(field)}`, HELP[field] ?? field, collectList);
    } else {
      command.option(`${flag}${valueHint(field)}`, HELP[field] ?? field);
    }
  }
  return command.option(
    '--filters <json>',
    `the filters as the API's JSON object, e.g. '{"yearMin": 2017, "genres": ["Comedy"]}' (checked exactly as recommend-batch checks it; a field may not be given both here and as a flag)`,
  );
}

/** The filters and which of their fields came from flags (for messages that name the flag). */
export interface ParsedFilters {
  filters: RecommendationFilters;
  fromFlags: ReadonlySet<string>;
}

/** `--filters` text as a JSON value; its shape is left to the validator (the API's messages). */
function parseJsonFilters(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliError(
      `--filters is not valid JSON (${(error as Error).message}); e.g. --filters '{"yearMin": 2017, "genres": ["Comedy"]}'.`,
    );
  }
  return value;
}

/**
 * A validation message for the terminal: a field that came from a flag is named by the flag
 * ("--year-min must be integer."); one from the JSON keeps the API's words after "--filters: ",
 * as recommend-batch prints them.
 */
function forTerminal(error: FilterValidationError, fromFlags: ReadonlySet<string>): string {
  const top = /^filters\.([A-Za-z]+)/.exec(error.field)?.[1];
  if (top !== undefined && fromFlags.has(top)) return error.message.replaceAll(`filters.${top}`, flagOf(top));
  return `--filters: ${error.message}`;
}

/**
 * The filter flags and `--filters` JSON of one command, merged and validated as the API validates
 * a `filters` object; `season: current` becomes the season `now` is in. Names of genres and
 * themes are checked later against the catalogue (see explainFilterError).
 */
export function filtersFromFlags(flags: Record<string, unknown>, now: Date): ParsedFilters {
  const json = typeof flags.filters === 'string' ? parseJsonFilters(flags.filters) : {};
  const isObject = typeof json === 'object' && json !== null && !Array.isArray(json);
  const fromJson = (isObject ? json : {}) as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...fromJson };
  const fromFlags = new Set<string>();
  for (const field of FILTER_FIELDS) {
    const value = flags[field];
    if (value === undefined) continue;
    if (field in fromJson) {
      throw new CliError(`${flagOf(field)} and --filters both set ${field}; give it once (drop the flag, or the field from the JSON).`);
    }
    merged[field] = value;
    fromFlags.add(field);
  }
  try {
    // Not an object: let the validator say so, in the API's words.
    return { filters: resolveSeasonFilter(validateFilters(isObject ? merged : json, 'filters'), now), fromFlags };
  } catch (error) {
    if (error instanceof FilterValidationError) throw new CliError(forTerminal(error, fromFlags));
    throw error;
  }
}

/**
 * A filter value the catalogue does not know (FilterError from the engine) as a message for the
 * terminal: the flag the person typed, the API's words and suggestions, and, for genres and
 * themes, where to look them up (the API's message points at GET /v1/tags, which a CLI user
 * does not have at hand).
 */
export function explainFilterError(error: FilterError, fromFlags: ReadonlySet<string>, catalog: Catalog): CliError {
  const field = error.field;
  // A range error names the range ("year"), not a field: its message names both ends.
  const known = isFilterField(field);
  const where = !known ? '' : fromFlags.has(field) ? `${flagOf(field)}: ` : `--filters ${field}: `;
  let message = error.message.replace(/ GET \/v1\/tags lists every \w+\.$/, '');
  if (!known) for (const flagged of fromFlags) message = message.replace(new RegExp(`\\b${flagged}\\b`, 'g'), flagOf(flagged));
  const vocabulary = /^(exclude)?genres$/i.test(field)
    ? catalog.vocabulary.genres
    : /^(exclude)?themes$/i.test(field)
      ? catalog.vocabulary.themes
      : null;
  if (vocabulary !== null) {
    const names = [...vocabulary.values()].sort((a, b) => a.localeCompare(b));
    message += ` The catalogue's ${field.toLowerCase().includes('genre') ? 'genres' : 'themes'}: ${names.join(', ')}.`;
  }
  return new CliError(`${where}${message}`);
}
