/** A bad command line; the CLIs print its message and their usage, and exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Runs an argument parser (node:util parseArgs), turning what it throws into a UsageError. */
export function asUsageError<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** A flag's value as a whole number within [min, max]; digits only (no sign, exponent or fraction). */
export function integerFlag(name: string, raw: string | undefined, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (raw === undefined) throw new UsageError(`--${name} is required`);
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value >= min && value <= max)) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return value;
}
