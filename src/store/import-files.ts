import { openDataFile, uncompressedSize, type FormatId } from '../data/index.js';
import type { ImportChunk, Interaction, RowProblem, SkipReason } from '../data/types.js';
import { SKIP_REASONS } from '../data/types.js';
import type { ImportCounts, Store } from './store.js';

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
  seconds: number;
}

/** Thrown for `--strict` violations and aborts; the run has been rolled back when it surfaces. */
export class ImportAbortedError extends Error {
  constructor(
    message: string,
    readonly problem: RowProblem | null,
  ) {
    super(message);
    this.name = 'ImportAbortedError';
  }
}

export function describeProblem(problem: RowProblem): string {
  const column = problem.column ? `, column ${problem.column}` : '';
  return `${problem.file}:${problem.line}${column}: ${problem.reason}: ${problem.message}`;
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
    counts: { animeUpserted: 0, interactionsInserted: 0, interactionsUpdated: 0, interactionsUnchanged: 0, usersCreated: 0 },
    rowsRead: 0,
    skippedByReason: emptyReasonCounts(),
    skippedTotal: 0,
    problems: [],
    placeholderAnime: 0,
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

  const tx = await store.beginImport();
  try {
    for (const [fileIndex, { spec, format, chunks }] of opened.entries()) {
      const file: FileSummary = { path: spec.path, format: format.id, rowsRead: 0, animeRecords: 0, interactionRecords: 0, skipped: 0 };
      summary.files.push(file);
      const userSource = spec.userSource ?? format.defaultUserSource ?? 'local';
      const totalBytes = uncompressedSize(spec.path);
      for await (const chunk of chunks as AsyncIterable<ImportChunk>) {
        if (options.signal?.aborted) throw new ImportAbortedError('Import interrupted; nothing was imported.', null);
        for (const problem of chunk.problems) recordProblem(problem, file);
        if (chunk.anime.length > 0) {
          await tx.upsertAnime(chunk.anime);
          file.animeRecords += chunk.anime.length;
        }
        if (chunk.interactions.length > 0) {
          const known = await tx.knownAnimeIds();
          if (options.unknownAnime === 'placeholder') {
            const missing = [...new Set(chunk.interactions.filter((row) => !known.has(row.animeId)).map((row) => row.animeId))];
            if (missing.length > 0) {
              await tx.upsertAnime(missing.map((animeId) => ({ animeId, title: `MAL anime ${animeId}` })));
              summary.placeholderAnime += missing.length;
            }
          }
          const accepted = keepKnownAnime(chunk.interactions, await tx.knownAnimeIds(), spec.path, (problem) => recordProblem(problem, file));
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
    summary.counts = tx.counts();
    await tx.commit();
  } catch (error) {
    await tx.rollback();
    throw error;
  }
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
