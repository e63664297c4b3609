import { AnirecError, type ErrorCode } from '../errors/errors.js';

/**
 * An error raised by a command itself (a bad flag, nothing to do): what went wrong and how to fix
 * it, printed without a stack. Errors from lower layers are AnirecErrors already and need no
 * wrapping; the exit code comes from the code's row in src/errors/errors.ts.
 */
export class CliError extends AnirecError {
  constructor(message: string, code: ErrorCode = 'command_failed') {
    super(code, message);
    this.name = 'CliError';
  }
}
