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
