import { AnirecError } from '../errors/errors.js';
import { openDataFile, uncompressedSize, type FormatId } from '../data/index.js';
import type { ImportChunk, Interaction, RowProblem, SkipReason } from '../data/types.js';
import { SKIP_REASONS } from '../data/types.js';
import { emptyImportCounts, type ImportCounts, type Store } from './store.js';

export interface ImportFileSpec {
  path: string;
  /** Forces a format instead of detecting it from the header. */
  format?: FormatId;
  /** Namespace for the file's user ids (defaults to the format's own, e.g. "kaggle"). */
  userSource?: string;
}

export interface ImportProgress {
  file: string;
  fileIndex: number;
  fileCount: number;
  rowsRead: number;
  /** 0..1 through the current file, or null when the size is unknown. */
  fraction: number | null;
}

export interface ImportOptions {
  /** Any bad row aborts the whole run (nothing is written). */
  strict?: boolean;
  /** Aborting rolls the run back; the store is left exactly as it was. */
  signal?: AbortSignal;
  onProgress?: (progress: ImportProgress) => void;
  /** How many problems to keep with full detail; the rest are only counted. */
  keepProblems?: number;
  /**
   * What to do with list rows whose anime id no catalogue in the run (or the store) has:
   * 'skip' (default) reports them as unknown_anime; 'placeholder' adds a bare title record
   * ("MAL anime 12345") so the rows still count, e.g. when training from a ratings file
   * newer than its catalogue. Placeholders are counted in `placeholderAnime`.
   */
  unknownAnime?: 'skip' | 'placeholder';
}

export interface FileSummary {
  path: string;
  format: string;
  rowsRead: number;
  animeRecords: number;
  interactionRecords: number;
  skipped: number;
}

export interface ImportSummary {
  files: FileSummary[];
  counts: ImportCounts;
  rowsRead: number;
  skippedByReason: Record<SkipReason, number>;
  skippedTotal: number;
  /** The first `keepProblems` problems, in file order. */
  problems: RowProblem[];
  /** Titles created as placeholders (unknownAnime: 'placeholder'). */
  placeholderAnime: number;
  /**
   * Entries of a user's own list (MAL export) for titles the catalogue does not have yet: kept as
   * the user's pending entries, they count once a catalogue import or ingestion adds the title.
   * `titles` lists the first PENDING_TITLES_REPORTED of them with the name the file gave.
   */
  pending: { entries: number; titles: Array<{ animeId: number; title: string | null }> };
  seconds: number;
}

/** Thrown for `--strict` violations and aborts; the run has been rolled back when it surfaces. */
export class ImportAbortedError extends AnirecError {
  constructor(
    message: string,
    readonly problem: RowProblem | null,
  ) {
    // No problem row: the run was cancelled (a signal), not stopped by --strict.
    super(problem === null ? 'cancelled' : 'import_aborted', message);
    this.name = 'ImportAbortedError';
  }
}

export function describeProblem(problem: RowProblem): string {
  const column = problem.column ? `, column ${problem.column}` : '';
  return `${problem.file}:${problem.line}${column}: ${problem.reason}: ${problem.message}`;
}

/** How many pending titles a summary names (the count covers all of them). */
const PENDING_TITLES_REPORTED = 50;

/** "3 titles are not in the catalogue yet: Frieren (52991), …" for a summary with pending entries. */
export function describePending(pending: ImportSummary['pending']): string | null {
  if (pending.entries === 0) return null;
  const named = pending.titles.slice(0, 10).map((t) => (t.title ? `${cut(t.title, 80)} (${t.animeId})` : `anime ${t.animeId}`));
  const more = pending.entries > named.length ? `, and ${pending.entries - named.length} more` : '';
  const one = pending.entries === 1;
  return `${pending.entries} ${one ? 'title is' : 'titles are'} not in the catalogue yet: ${named.join(', ')}${more}. ${one ? 'It is' : 'They are'} kept on the list and ${one ? 'counts' : 'count'} as soon as a catalogue import or ingestion adds ${one ? 'it' : 'them'}.`;
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function emptyReasonCounts(): Record<SkipReason, number> {
  return Object.fromEntries(SKIP_REASONS.map((reason) => [reason, 0])) as Record<SkipReason, number>;
}

/**
 * Imports files into the store as ONE all-or-nothing run: every file is parsed, checked and
 * written inside a single store transaction that commits only when all of them succeeded.
 * Catalogue files go first whatever the order given, so ratings can be checked against the
 * titles they refer to. Re-running the same files changes nothing (upserts).
 */
export async function importFiles(store: Store, specs: readonly ImportFileSpec[], options: ImportOptions = {}): Promise<ImportSummary> {
  const started = performance.now();
  const keepProblems = options.keepProblems ?? 50;
  const opened = await Promise.all(specs.map(async (spec) => ({ spec, ...(await openDataFile(spec.path, spec)) })));
  // Stable sort: catalogue formats first, then list/rating formats, each in the order given.
  opened.sort((a, b) => Number(a.format.kind !== 'catalogue') - Number(b.format.kind !== 'catalogue'));

  const summary: ImportSummary = {
    files: [],
    counts: emptyImportCounts(),
    rowsRead: 0,
    skippedByReason: emptyReasonCounts(),
    skippedTotal: 0,
    problems: [],
    placeholderAnime: 0,
    pending: { entries: 0, titles: [] },
    seconds: 0,
  };

  const recordProblem = (problem: RowProblem, file: FileSummary): void => {
    if (options.strict) {
      throw new ImportAbortedError(`--strict: ${describeProblem(problem)}. Nothing was imported.`, problem);
    }
    summary.skippedByReason[problem.reason]++;
    summary.skippedTotal++;
    file.skipped++;
    if (summary.problems.length < keepProblems) summary.problems.push(problem);
  };

  const { counts } = await store.withImport(async (tx) => {
    for (const [fileIndex, { spec, format, chunks }] of opened.entries()) {
      const file: FileSummary = { path: spec.path, format: format.id, rowsRead: 0, animeRecords: 0, interactionRecords: 0, skipped: 0 };
      summary.files.push(file);
      const userSource = spec.userSource ?? format.defaultUserSource ?? 'local';
      const totalBytes = uncompressedSize(spec.path);
      for await (const chunk of chunks as AsyncIterable<ImportChunk>) {
        if (options.signal?.aborted) throw new ImportAbortedError('Import interrupted; nothing was imported.', null);
        for (const problem of chunk.problems) recordProblem(problem, file);
        // A person's own list never writes catalogue data (titles, relations), whatever its parser produced.
        if (chunk.anime.length > 0 && !format.userList) {
          await tx.upsertAnime(chunk.anime);
          file.animeRecords += chunk.anime.length;
        }
        if (chunk.relations !== undefined && chunk.relations.length > 0 && !format.userList) await tx.replaceRelations(chunk.relations);
        if (chunk.interactions.length > 0 && format.userList) {
          const known = await tx.knownAnimeIds();
          const unknown = chunk.interactions.filter((row) => !known.has(row.animeId));
          const accepted = unknown.length === 0 ? chunk.interactions : chunk.interactions.filter((row) => known.has(row.animeId));
          await tx.upsertInteractions(userSource, accepted);
          await tx.addPendingInteractions(userSource, unknown);
          file.interactionRecords += accepted.length;
          summary.pending.entries += unknown.length;
          for (const row of unknown.slice(0, PENDING_TITLES_REPORTED - summary.pending.titles.length))
            summary.pending.titles.push({ animeId: row.animeId, title: row.title ?? null });
        } else if (chunk.interactions.length > 0) {
          const known = await tx.knownAnimeIds();
          if (options.unknownAnime === 'placeholder') {
            const missing = [...new Set(chunk.interactions.filter((row) => !known.has(row.animeId)).map((row) => row.animeId))];
            if (missing.length > 0) {
              await tx.upsertAnime(missing.map((animeId) => ({ animeId, title: `MAL anime ${animeId}` })));
              summary.placeholderAnime += missing.length;
            }
          }
          const accepted = keepKnownAnime(chunk.interactions, await tx.knownAnimeIds(), spec.path, (problem) =>
            recordProblem(problem, file),
          );
          await tx.upsertInteractions(userSource, accepted);
          file.interactionRecords += accepted.length;
        }
        file.rowsRead += chunk.rowsRead;
        summary.rowsRead += chunk.rowsRead;
        options.onProgress?.({
          file: spec.path,
          fileIndex,
          fileCount: opened.length,
          rowsRead: file.rowsRead,
          fraction: totalBytes && chunk.bytesRead !== null ? Math.min(1, chunk.bytesRead / totalBytes) : null,
        });
      }
    }
    if (options.signal?.aborted) throw new ImportAbortedError('Import interrupted; nothing was imported.', null);
  });
  summary.counts = counts;
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}

function keepKnownAnime(
  rows: readonly Interaction[],
  known: ReadonlySet<number>,
  path: string,
  onProblem: (problem: RowProblem) => void,
): readonly Interaction[] {
  let allKnown = true;
  for (const row of rows) {
    if (!known.has(row.animeId)) {
      allKnown = false;
      break;
    }
  }
  if (allKnown) return rows;
  const accepted: Interaction[] = [];
  for (const row of rows) {
    if (known.has(row.animeId)) {
      accepted.push(row);
    } else {
      onProblem({
        file: path,
        line: row.line ?? 0,
        column: 'anime_id',
        reason: 'unknown_anime',
        message: `anime id ${row.animeId} is not in the catalogue; import a catalogue that has it first (e.g. anime.csv) or pass both files in one run`,
      });
    }
  }
  return accepted;
}
