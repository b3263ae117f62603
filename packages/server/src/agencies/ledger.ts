/**
 * How many bets of each agency the bets file holds. The single writer appends an agency's bets in the order the
 * agency sent them, so this count is also where the agency's next bet goes: a batch that says it starts at `first`
 * is new from `stored - first` on, and a resumed agency continues from `stored`.
 *
 * Every operation that reads and then changes a count runs through `exclusive`, one at a time per agency, so a
 * connection that takes over an agency (after a reset) waits for the write its old connection started.
 */
export class AgencyLedger {
  readonly #stored: Map<number, number>;
  readonly #tails = new Map<number, Promise<unknown>>();

  constructor(recovered: ReadonlyMap<number, number> = new Map()) {
    this.#stored = new Map(recovered);
  }

  stored(agency: number): number {
    return this.#stored.get(agency) ?? 0;
  }

  /** Agencies with stored bets, ascending. */
  agencies(): number[] {
    return [...this.#stored.keys()].sort((a, b) => a - b);
  }

  /** Records `count` more bets of `agency` as written. */
  add(agency: number, count: number): void {
    this.#stored.set(agency, this.stored(agency) + count);
  }

  /** Runs `work` after every earlier `exclusive` call for `agency` settled. */
  exclusive<T>(agency: number, work: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(agency) ?? Promise.resolve();
    const result = previous.then(work, work);
    const tail = result.then(
      () => {},
      () => {},
    );
    this.#tails.set(agency, tail);
    // Forget an idle agency's chain so the map does not keep one settled promise per agency ever seen.
    void tail.then(() => {
      if (this.#tails.get(agency) === tail) this.#tails.delete(agency);
    });
    return result;
  }
}
