import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import { AnirecError, ERROR_CODES, exitCodeOf, httpStatusOf, type ErrorCode } from '../../src/errors/errors.js';
import { AnirecError as Exported, ERROR_CODES as ExportedCodes } from '../../src/index.js';
import { FilterError } from '../../src/recommend/filters.js';
import { RegistryError } from '../../src/registry/index.js';
import { JobBusyError } from '../../src/ops/lock.js';
import { ImportInProgressError, StoreBusyError, StoreNotFoundError } from '../../src/store/index.js';
import { DataFileError } from '../../src/data/index.js';

describe('the error table', () => {
  it('gives every code an HTTP error status, an exit code and a description', () => {
    const codes = Object.keys(ERROR_CODES) as ErrorCode[];
    assert.ok(codes.length >= 20);
    for (const code of codes) {
      const status = httpStatusOf(code);
      assert.ok(status >= 400 && status < 600, `${code}: status ${status}`);
      assert.ok(exitCodeOf(code) >= 1 && exitCodeOf(code) <= 255, `${code}: exit ${exitCodeOf(code)}`);
      assert.ok(ERROR_CODES[code].description.length > 20, `${code} is described`);
    }
    assert.equal(exitCodeOf('cancelled'), 130);
    assert.equal(exitCodeOf('job_busy'), 75);
  });

  it('every layer throws AnirecErrors with the code that fixes its status', () => {
    const cases: [AnirecError, ErrorCode, number][] = [
      [new FilterError('genres', 'unknown genre "Acton"', ['Action']), 'bad_request', 400],
      [new ImportInProgressError(), 'import_in_progress', 409],
      [new StoreBusyError('/somewhere/anirec.db', 10_000), 'store_busy', 503],
      [new StoreNotFoundError('/nowhere.db'), 'not_found', 404],
      [new RegistryError('no version v9'), 'registry_error', 409],
      [new JobBusyError('ingest is running', null), 'job_busy', 409],
      [new DataFileError('x.csv', 'empty file'), 'invalid_data', 400],
    ];
    for (const [error, code, status] of cases) {
      assert.ok(error instanceof AnirecError, `${error.name} is an AnirecError`);
      assert.equal(error.code, code);
      assert.equal(httpStatusOf(error.code), status);
    }
    const filter = cases[0]![0] as FilterError;
    assert.equal(filter.field, 'genres');
    assert.deepEqual(filter.suggestions, ['Action']);
  });

  it('is what the library exports', () => {
    assert.equal(Exported, AnirecError);
    assert.equal(ExportedCodes, ERROR_CODES);
  });

  it('sets the CLI exit code from the table, without a stack', async () => {
    const written: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    let code: number;
    try {
      // An unknown model is a usage error raised inside the command.
      code = await main(['train', '--model', 'nope', '--db', '/nonexistent-dir/x.db']);
    } finally {
      process.stderr.write = write;
    }
    assert.equal(code, exitCodeOf('command_failed'));
    assert.match(written.join(''), /^anirec: .*nope/m);
    assert.doesNotMatch(written.join(''), /\n\s+at /);
  });
});
