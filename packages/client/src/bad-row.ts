/** A row of the agency's CSV that is not a valid bet; `line` is 1-based, as an editor shows it. */
export class BadRowError extends Error {
  override readonly name = 'BadRowError';
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}
