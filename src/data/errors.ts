/**
 * A whole file is unusable (empty, wrong encoding, unknown format). Row-level problems are not
 * errors: they become `RowProblem`s and the import goes on (unless `--strict`).
 */
export class DataFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'DataFileError';
  }
}
