/**
 * Whose list a command works from: a user in the store (`--user`), titles typed on the command
 * line (`--titles`), a list file (`--list`, any list format the importers read) or a public
 * AniList list (`--anilist`). Files and AniList lists are read once and never written to the
 * store: recommending from a list is not importing it (that is `anirec import` or the API's
 * upload).
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { AniListError, ANILIST_ENDPOINT, fetchUserList } from '../data/anilist/index.js';
import { DataFileError, openDataFile, type Interaction, type RowProblem } from '../data/index.js';
import type { Catalog } from '../recommend/catalog.js';
import type { HistoryEntry } from '../recommend/taste-profile.js';
import type { TitleIndex } from '../recommend/title-search.js';
import { userJson } from '../server/context.js';
import type { Store, StoredUser } from '../store/index.js';
import { CliError } from './errors.js';
import { parseTitleList, resolveTitles, type ResolvedTitle } from './titles.js';

export interface ListSourceFlags {
  user?: string;
  titles?: string[];
  list?: string;
  listUser?: string;
  anilist?: string;
  anilistEndpoint?: string;
}

export function addListSourceOptions(command: Command): Command {
  return command
    .option('--user <id>', 'a user in the store: their id in their dataset (1) or source:id (kaggle2016:1, mal:bebop_fan)')
    .option(
      '--titles <list>',
      'titles you liked, comma-separated, typos are fine; "Monster=9" gives a score (repeatable)',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option(
      '--list <file>',
      'a list file, read once and not stored: a MyAnimeList XML export (.xml or .xml.gz), or a ratings / animelist CSV',
    )
    .option('--list-user <id>', 'which user of a --list file that holds several users (a ratings CSV)')
    .option('--anilist <name>', 'a public AniList user list, fetched once and not stored')
    .option('--anilist-endpoint <url>', 'AniList GraphQL endpoint', ANILIST_ENDPOINT);
}

/** A list to work from, with what the API would answer about where it came from. */
export type ListInput =
  | { kind: 'user'; entries: HistoryEntry[]; user: StoredUser; userJson: ReturnType<typeof userJson>; label: string; notes: string[] }
  | { kind: 'titles'; entries: HistoryEntry[]; resolved: ResolvedTitle[]; label: string; notes: string[] }
  | { kind: 'list' | 'anilist'; entries: HistoryEntry[]; label: string; notes: string[] };

const SOURCES = ['user', 'titles', 'list', 'anilist'] as const;

/** Exactly one of --user, --titles, --list, --anilist. */
export function checkOneSource(flags: ListSourceFlags): void {
  const given = SOURCES.filter((s) => flags[s] !== undefined);
  if (given.length === 0)
    throw new CliError(
      'Say whose list to use: --user ID (a user in the store), --titles "Steins;Gate, Monster", --list export.xml or --anilist NAME.',
    );
  if (given.length > 1) throw new CliError(`Give one list, not ${given.map((s) => `--${s}`).join(' and ')}.`);
  if (flags.listUser !== undefined && flags.list === undefined)
    throw new CliError('--list-user picks a user in a --list file; give --list FILE too.');
}

/** A user that must exist, with the same id in other sources as suggestions. */
export async function resolveUser(store: Store, spec: string): Promise<StoredUser> {
  const at = spec.indexOf(':');
  const [source, externalId] = at > 0 ? [spec.slice(0, at), spec.slice(at + 1)] : [null, spec];
  if (externalId.trim() === '')
    throw new CliError(`--user ${JSON.stringify(spec)}: the id after "source:" is empty; use e.g. kaggle2016:1.`);
  const users = await store.findUser(source, externalId);
  if (users.length === 1) return users[0]!;
  if (users.length > 1)
    throw new CliError(
      `--user "${spec}" names ${users.length} users; say which: ${users.map((u) => `${u.source}:${u.externalId}`).join(', ')}`,
    );
  const elsewhere = source === null ? [] : await store.findUser(null, externalId);
  const hint = elsewhere.length > 0 ? ` Did you mean ${elsewhere.map((u) => `${u.source}:${u.externalId}`).join(' or ')}?` : '';
  throw new CliError(
    `No user "${spec}" in the store.${hint} Users are named by their id in their dataset, e.g. 1 or kaggle2016:1; without a stored user, use --titles, --list or --anilist.`,
  );
}

function describeProblems(problems: readonly RowProblem[], where: string): string | null {
  if (problems.length === 0) return null;
  const first = problems[0]!;
  return `${problems.length} entr${problems.length === 1 ? 'y' : 'ies'} of ${where} could not be read and were skipped (first: line ${first.line}: ${first.message})`;
}

/**
 * List rows as history entries: one per title (the last row wins), titles the catalogue lacks
 * left out and named in a note, so a person sees what was not used.
 */
function toEntries(rows: readonly Interaction[], catalog: Catalog, where: string, notes: string[]): HistoryEntry[] {
  const byId = new Map<number, HistoryEntry>();
  const missing = new Map<number, string | undefined>();
  for (const row of rows) {
    if (catalog.get(row.animeId) === undefined) {
      missing.set(row.animeId, row.title);
      continue;
    }
    byId.set(row.animeId, { animeId: row.animeId, score: row.score, status: row.status });
  }
  if (missing.size > 0) {
    const named = [...missing].slice(0, 10).map(([id, title]) => (title ? `${title} (${id})` : String(id)));
    notes.push(
      `${missing.size} title(s) of ${where} are not in the catalogue and were left out: ${named.join(', ')}${missing.size > 10 ? ', …' : ''}`,
    );
  }
  return [...byId.values()];
}

/** A list file read with the importers' format detection and checks, without a store. */
async function readListFile(path: string, listUser: string | undefined, catalog: Catalog): Promise<ListInput> {
  if (!existsSync(path))
    throw new CliError(`--list ${path}: no such file. Give the path of a MyAnimeList export (MAL → Profile → Export) or a ratings CSV.`);
  const rows: Interaction[] = [];
  const problems: RowProblem[] = [];
  try {
    const { format, chunks } = await openDataFile(path);
    if (format.kind !== 'interactions') {
      throw new CliError(
        `--list ${path}: this is a catalogue (${format.description}), not a list of someone's titles. --list reads a MyAnimeList XML export or a ratings / animelist CSV; import catalogues with \`anirec import\`.`,
      );
    }
    for await (const chunk of chunks) {
      rows.push(...chunk.interactions);
      problems.push(...chunk.problems);
    }
  } catch (error) {
    // The importers' message, less the --format hint of `anirec import` (--list detects the format).
    if (error instanceof DataFileError) throw new CliError(`--list ${error.message.replace(/, or pass --format$/, '')}`);
    throw error;
  }
  const users = [...new Set(rows.map((r) => r.user))];
  let user: string;
  if (listUser !== undefined) {
    if (!users.includes(listUser))
      throw new CliError(
        `--list-user ${listUser}: ${path} has no user "${listUser}" (it lists ${users.length}: ${users.slice(0, 5).join(', ')}${users.length > 5 ? ', …' : ''}).`,
      );
    user = listUser;
  } else if (users.length === 1) {
    user = users[0]!;
  } else if (users.length === 0) {
    throw new CliError(
      `--list ${path}: the file has no list entries${problems.length > 0 ? ` (${problems.length} could not be read; first: line ${problems[0]!.line}: ${problems[0]!.message})` : ''}.`,
    );
  } else {
    throw new CliError(
      `--list ${path} holds the lists of ${users.length} users; pick one with --list-user (e.g. --list-user ${users[0]}).`,
    );
  }
  const notes: string[] = [];
  const problemNote = describeProblems(problems, path);
  if (problemNote) notes.push(problemNote);
  const label = users.length > 1 ? `${path} (user ${user})` : path;
  return {
    kind: 'list',
    entries: toEntries(
      rows.filter((r) => r.user === user),
      catalog,
      path,
      notes,
    ),
    label,
    notes,
  };
}

/** AniList failures as what the person can do about them (the API's import route says the same). */
function aniListCliError(error: unknown, name: string): CliError {
  if (!(error instanceof AniListError)) {
    // fetchUserList's own "no list" error (an empty or hidden collection).
    return new CliError(`--anilist ${name}: ${(error as Error).message}`);
  }
  switch (error.reason) {
    case 'not_found':
      return new CliError(`--anilist ${name}: AniList has no user "${name}"; check the spelling as in anilist.co/user/<name>.`);
    case 'private':
      return new CliError(
        `--anilist ${name}: the list is private. Make it public in AniList's settings, or export it and use --list FILE.`,
      );
    case 'rate_limited':
      return new CliError(`--anilist ${name}: AniList is rate-limiting requests; wait a minute and try again.`);
    case 'network':
    case 'timeout':
    case 'server':
      return new CliError(
        `--anilist ${name}: ${error.message.replace(/ Gave up after.*$/s, '')} If AniList cannot be reached from here, export the list on AniList and use --list FILE (or point --anilist-endpoint at a mirror).`,
      );
    default:
      return new CliError(`--anilist ${name}: the AniList request failed (${error.reason}): ${error.message}`);
  }
}

async function readAniList(name: string, endpoint: string, catalog: Catalog): Promise<ListInput> {
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(name))
    throw new CliError(
      `--anilist ${JSON.stringify(name)}: an AniList user name has only letters, digits, _ and - (as in anilist.co/user/<name>).`,
    );
  const rows: Interaction[] = [];
  const problems: RowProblem[] = [];
  let listed = name;
  try {
    // Few retries and a short timeout, as the API's import route: a person is waiting.
    for await (const chunk of fetchUserList(name, { endpoint, maxRetries: 2, timeoutMs: 15_000 })) {
      rows.push(...chunk.interactions);
      problems.push(...chunk.problems);
      if (chunk.interactions[0]) listed = chunk.interactions[0].user;
    }
  } catch (error) {
    throw aniListCliError(error, name);
  }
  const notes: string[] = [];
  const where = `${listed}'s AniList list`;
  const problemNote = describeProblems(problems, where);
  if (problemNote) notes.push(problemNote);
  return { kind: 'anilist', entries: toEntries(rows, catalog, where, notes), label: `anilist:${listed}`, notes };
}

/** Reads the one list the flags name (see checkOneSource). */
export async function readListInput(flags: ListSourceFlags, store: Store, catalog: Catalog, titles: TitleIndex): Promise<ListInput> {
  checkOneSource(flags);
  if (flags.user !== undefined) {
    const user = await resolveUser(store, flags.user);
    const entries = (await store.userInteractions(user.userId)).map((r) => ({ animeId: r.animeId, score: r.score, status: r.status }));
    return { kind: 'user', entries, user, userJson: userJson(user), label: `${user.source}:${user.externalId}`, notes: [] };
  }
  if (flags.titles !== undefined) {
    const inputs = parseTitleList(flags.titles);
    const resolved = resolveTitles(inputs, catalog, titles);
    const entries = resolved.map((r, i) => ({
      animeId: r.anime.id,
      score: inputs[i]!.score,
      status: inputs[i]!.score !== null ? ('completed' as const) : null,
    }));
    return { kind: 'titles', entries, resolved, label: `${resolved.length} title(s)`, notes: [] };
  }
  if (flags.list !== undefined) return readListFile(flags.list, flags.listUser, catalog);
  return readAniList(flags.anilist!, flags.anilistEndpoint ?? ANILIST_ENDPOINT, catalog);
}
