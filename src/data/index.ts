/**
 * Reading public anime datasets into anirec's canonical records (see docs/data-model.md).
 * Nothing here touches the store: importers yield chunks, the store decides what to keep.
 */
import { DataFileError } from './errors.js';
import { detectFormat, formatById, listFormats, type DataFormat } from './formats/registry.js';
import { openSource } from './source.js';
import type { ImportChunk } from './types.js';

export { DataFileError } from './errors.js';
export { FORMAT_IDS, type DataFormat, type FormatId } from './formats/format.js';
export { detectFormat, formatById, listFormats } from './formats/registry.js';
export { uncompressedSize } from './source.js';
export { sortTags, canonicalTag } from './taxonomy.js';
export * from './types.js';

export interface OpenedDataFile {
  format: DataFormat;
  chunks: AsyncIterable<ImportChunk>;
}

/**
 * Opens a file and picks its format from the header (or `options.format`). Throws a
 * DataFileError naming the file and the fix when it is missing, empty, not UTF-8 or unknown.
 */
export async function openDataFile(path: string, options: { format?: string } = {}): Promise<OpenedDataFile> {
  let forced: DataFormat | undefined;
  if (options.format !== undefined) {
    forced = formatById(options.format);
    if (forced === undefined) {
      throw new DataFileError(path, `unknown --format ${JSON.stringify(options.format)}; known formats: ${listFormats().map((f) => f.id).join(', ')}`);
    }
  }
  const source = await openSource(path);
  const format = forced ?? detectFormat(source.head);
  if (format === undefined) {
    const firstLine = source.head.split(/\r?\n/, 1)[0]!.slice(0, 200);
    throw new DataFileError(
      path,
      `unrecognised format (first line: ${JSON.stringify(firstLine)}); run \`anirec formats\` to see the headers anirec knows, or pass --format`,
    );
  }
  return { format, chunks: format.read(source) };
}
