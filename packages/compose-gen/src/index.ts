/**
 * Builds the TP0 Docker Compose file: a `server` and clients `client1`…`clientN` on `testing_net`.
 *
 * @example
 * import { stringify } from 'yaml';
 * import { composeFor } from '@tp0/compose-gen';
 * stringify(composeFor({ clients: 5, mode: 'agency' }));
 */
export {
  composeFor,
  agencyFileVolume,
  clientName,
  CLIENT_CONFIG_VOLUME,
  MAX_CLIENTS,
  NETWORK,
  SERVER_CONFIG_VOLUME,
  SUBNET,
} from './compose.js';
export type { ComposeFile, ComposeOptions, Network, Service } from './compose.js';
export { DEFAULT_MODE, MODES, isMode } from './mode.js';
export type { Mode } from './mode.js';
export { sampleBet, betEnvironment } from './bet-samples.js';
export { parseArgs, USAGE } from './args.js';
export type { Command } from './args.js';
export { UsageError } from './errors.js';
export type { UsageErrorCode } from './errors.js';
