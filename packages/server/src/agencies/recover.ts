import { loadBets } from '../storage/bets.js';

/** Rows per agency in the bets file: where each agency resumes after a restart. */
export async function countStoredBets(path: string): Promise<Map<number, number>> {
  const stored = new Map<number, number>();
  for await (const bet of loadBets(path)) stored.set(bet.agency, (stored.get(bet.agency) ?? 0) + 1);
  return stored;
}
