/** A configuration value that is missing or invalid; the message names the key, the value and what was expected. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    readonly key: string,
    readonly value: string | undefined,
    readonly expected: string,
  ) {
    super(
      value === undefined
        ? `config: missing value for ${key} (expected ${expected})`
        : `config: invalid value for ${key}: ${JSON.stringify(value)} (expected ${expected})`,
    );
  }
}

/** Runs a config loader for a process entry point: a ConfigError is printed on stderr and ends the process (exit 1). */
export function loadConfigOrExit<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
