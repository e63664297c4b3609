import { AnirecError } from '../errors/errors.js';
/**
 * A whole file is unusable (empty, wrong encoding, unknown format). Row-level problems are not
 * errors: they become `RowProblem`s and the import goes on (unless `--strict`).
 */
export class DataFileError extends AnirecError {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super('invalid_data', `${file}: ${message}`, { field: file });
    this.name = 'DataFileError';
  }
}
