/**
 * Builds the TP0 Docker Compose file (`composeFor`) or Swarm stack file (`stackFor`): a `server` and clients
 * `client1`…`clientN` on `testing_net`; bets.csv in the server container, or on the named volume `bets` with `keepBets`.
 *
 * @example
 * import { stringify } from 'yaml';
 * import { composeFor } from '@tp0/compose-gen';
 * stringify(composeFor({ clients: 5, mode: 'agency' }));
 */
export {
  composeFor,
  agencyFileVolume,
  BETS_VOLUME_MOUNT,
  clientConfigVolume,
  clientName,
  MAX_CLIENTS,
  NETWORK,
  serverConfigVolume,
  SUBNET,
} from './compose.js';
export type { ComposeFile, ComposeOptions, Network, Service } from './compose.js';
export { stackFor, DATA_NODE_LABEL, SERVER_CONSTRAINT, STACK_VERSION } from './stack.js';
export type { StackFile, StackOptions, StackService } from './stack.js';
export { AT_REPO_ROOT, BETS_DIR, BETS_FILE, BETS_VOLUME, REPO_ROOT } from './layout.js';
export type { Placement } from './layout.js';
export { DEFAULT_TARGET, TARGETS, isTarget } from './target.js';
export type { Target } from './target.js';
export { DEFAULT_MODE, MODES, isMode } from './mode.js';
export type { Mode } from './mode.js';
export { sampleBet, betEnvironment } from './bet-samples.js';
export { parseArgs, USAGE } from './args.js';
export type { Command } from './args.js';
export { UsageError } from './errors.js';
export type { UsageErrorCode } from './errors.js';
