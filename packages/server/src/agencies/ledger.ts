import type { AgencyBet } from '@tp0/protocol';
import { hasWon, loadBets } from '../storage/bets.js';

/**
 * What the bets file holds, per agency: how many bets (where the agency's next bet goes) and the documents of its
 * winning bets (`hasWon`), both updated as each batch is written. The single writer appends an agency's bets in the
 * order the agency sent them, so a batch that says it starts at `first` is new from `stored - first` on, a resumed
 * agency continues from `stored`, and the draw only publishes the winners counted here.
 *
 * Every operation that reads and then changes a count runs through `exclusive`, one at a time per agency, so a
 * connection that takes over an agency waits for the write its old connection started.
 */
export class AgencyLedger {
  readonly #stored = new Map<number, number>();
  readonly #winners = new Map<number, string[]>();
  #rows = 0;
  readonly #tails = new Map<number, Promise<unknown>>();

  /**
   * The ledger of what `path` holds, read back once through `loadBets` (after a restart). A row that is not a bet
   * rejects with its BetRowError, naming the file and the row.
   */
  static async recover(path: string): Promise<AgencyLedger> {
    const ledger = new AgencyLedger();
    for await (const bet of loadBets(path)) ledger.#count(bet);
    return ledger;
  }

  stored(agency: number): number {
    return this.#stored.get(agency) ?? 0;
  }

  /** Agencies with stored bets, ascending. */
  agencies(): number[] {
    return [...this.#stored.keys()].sort((a, b) => a - b);
  }

  /** Bets stored, all agencies together. */
  get rows(): number {
    return this.#rows;
  }

  /** Records `bets` as written to the bets file, in file order. */
  add(bets: readonly AgencyBet[]): void {
    for (const bet of bets) this.#count(bet);
  }

  /** Agency -> documents of its winning bets, in file order (a copy). */
  winners(): Map<number, string[]> {
    return new Map([...this.#winners].map(([agency, documents]) => [agency, [...documents]]));
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

  #count(bet: AgencyBet): void {
    this.#rows += 1;
    this.#stored.set(bet.agency, this.stored(bet.agency) + 1);
    if (!hasWon(bet)) return;
    const documents = this.#winners.get(bet.agency);
    if (documents === undefined) this.#winners.set(bet.agency, [bet.document]);
    else documents.push(bet.document);
  }
}
