import type { BetFields } from '@tp0/common';

// Temporary mirror of the codec contract's sizes (docs/codec-contract.md) until @tp0/codec exports them.
export const MAX_BATCH_FRAME_BYTES = 8192;
export function betWireSize(bet: BetFields): number {
  return 10 + [bet.firstName, bet.lastName, bet.document, bet.birthdate].reduce((n, s) => n + Buffer.byteLength(s, 'utf8'), 0);
}
export function batchFrameSize(bets: readonly BetFields[]): number {
  return 9 + bets.reduce((n, bet) => n + betWireSize(bet), 0);
}
