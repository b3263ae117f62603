import { hasWon, loadBets } from './storage/bets.js';

export interface DrawResult {
  /** Agency -> documents of its winning bets, in file order. */
  readonly winners: Map<number, string[]>;
  /** Stored bets read. */
  readonly rows: number;
}

/** The draw over the stored bets; a bets file that does not exist yet holds no bets. */
export async function computeWinners(path: string): Promise<DrawResult> {
  const winners = new Map<number, string[]>();
  let rows = 0;
  try {
    for await (const bet of loadBets(path)) {
      rows += 1;
      if (!hasWon(bet)) continue;
      const documents = winners.get(bet.agency);
      if (documents === undefined) winners.set(bet.agency, [bet.document]);
      else documents.push(bet.document);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return { winners, rows };
}
