/**
 * What a client runs, by TP0 exercise group: `echo` exercises 1–4, `bet` exercise 5 (one bet from env), `agency`
 * exercises 6–8 (bets from a CSV). The client's config, compose-gen's `--mode` and the system tests share this one
 * list. Imports nothing, so compose-gen loads it (`@tp0/protocol/client-mode`) without the codec.
 */
export const CLIENT_MODES = ['echo', 'bet', 'agency'] as const;

export type ClientMode = (typeof CLIENT_MODES)[number];

export const DEFAULT_CLIENT_MODE: ClientMode = 'agency';

export function isClientMode(value: string): value is ClientMode {
  return (CLIENT_MODES as readonly string[]).includes(value);
}
