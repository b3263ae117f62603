/** Why the command line was rejected; the CLI prints the message and the usage, and exits 2. */
export type UsageErrorCode =
  /** The output path or the client count is missing. */
  | 'ERR_MISSING_ARGUMENT'
  /** More positional arguments than OUT and N. */
  | 'ERR_EXTRA_ARGUMENT'
  /** N is not a whole decimal number in range. */
  | 'ERR_BAD_CLIENT_COUNT'
  /** `--mode` names no known mode, or has no value. */
  | 'ERR_BAD_MODE'
  /** `--target` names no known target, or has no value. */
  | 'ERR_BAD_TARGET'
  /** `--keep-bets` with a target other than compose. */
  | 'ERR_KEEP_BETS_TARGET'
  /** A flag this CLI does not know. */
  | 'ERR_UNKNOWN_FLAG'
  /** The output's directory is missing or not a directory, or the output is a directory. */
  | 'ERR_BAD_OUTPUT_PATH';

export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    readonly code: UsageErrorCode,
    message: string,
  ) {
    super(message);
  }
}
