/** What the clients run: the TP0 exercise groups they belong to. */
export const MODES = ['echo', 'bet', 'agency'] as const;

/** `echo`: exercises 1–4; `bet`: exercise 5 (one bet from env); `agency`: exercises 6–8 (bets from a CSV). */
export type Mode = (typeof MODES)[number];

export const DEFAULT_MODE: Mode = 'agency';

export function isMode(value: string): value is Mode {
  return (MODES as readonly string[]).includes(value);
}
