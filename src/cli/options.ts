import { InvalidArgumentError } from 'commander';

/** Commander parser for options that must be whole numbers ≥ 1, with the option named in the error. */
export function parsePositiveInt(option: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${option} must be a whole number ≥ 1 (got "${value}")`);
    return n;
  };
}
