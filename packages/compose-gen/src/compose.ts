import { betEnvironment, sampleBet } from './bet-samples.js';
import {
  AT_REPO_ROOT,
  BETS_DIR,
  BETS_FILE,
  BETS_VOLUME,
  CLIENT_CONFIG,
  CLIENT_CONFIG_TARGET,
  SERVER_CONFIG,
  SERVER_CONFIG_TARGET,
  agencyFile,
  fromOutput,
  type Placement,
} from './layout.js';
import type { Mode } from './mode.js';

/**
 * The Compose file as a plain object, limited to what docker-compose 1.29 and Compose v2 both
 * accept. No `name:` (1.29 rejects it; the project name comes from COMPOSE_PROJECT_NAME in the
 * root .env) and no `version:` (obsolete in v2; 1.29 reads the compose-spec format without it).
 */
export interface ComposeFile {
  services: Record<string, Service>;
  networks: Record<string, Network>;
  /** Only with `keepBets`: the named volume that holds bets.csv across `down`. */
  volumes?: Record<string, Record<string, never>>;
}

export interface Service {
  container_name: string;
  image: string;
  /** `KEY=value` entries: values stay strings whatever YAML would make of them. */
  environment: string[];
  volumes: string[];
  networks: string[];
  depends_on?: string[];
  restart?: typeof SERVER_RESTART;
}

export interface Network {
  driver: 'bridge';
  ipam: { config: Array<{ subnet: string }> };
}

export interface ComposeOptions {
  /** Number of agency clients, 0 or more. */
  readonly clients: number;
  readonly mode: Mode;
  /** Where the file goes and which repository it points into; by default a file at this repo's root. */
  readonly placement?: Placement;
  /** bets.csv on a named volume, so `down` then `up` resumes the lottery instead of starting a new one. */
  readonly keepBets?: boolean;
}

export const NETWORK = 'testing_net';
export const SUBNET = '172.25.125.0/24';
/** A /24 holds 253 container addresses after the gateway (.1); one goes to the server. */
export const MAX_CLIENTS = 252;

/** Host paths are relative to the compose file's folder (see layout.ts). */
export function serverConfigVolume(placement: Placement = AT_REPO_ROOT): string {
  return `${fromOutput(placement, SERVER_CONFIG)}:${SERVER_CONFIG_TARGET}:ro`;
}

export function clientConfigVolume(placement: Placement = AT_REPO_ROOT): string {
  return `${fromOutput(placement, CLIENT_CONFIG)}:${CLIENT_CONFIG_TARGET}:ro`;
}

/** The agency's bet file: host path relative to the compose file's folder, container path relative to /app. */
export function agencyFileVolume(clientId: number, placement: Placement = AT_REPO_ROOT): string {
  const file = agencyFile(clientId);
  return `${fromOutput(placement, file)}:/app/${file}:ro`;
}

/**
 * A lottery lives as long as its deployment: by default bets.csv is in the server container's own filesystem, which
 * survives `stop`/`start`, `docker restart` and the restart policy, and is gone with `down`, so the next `up` is a
 * new lottery (the course's tests rely on it). With `keepBets` it is on this named volume instead, which `down`
 * keeps (only `down -v` removes it); the server (uid 1000) can write a new volume because Docker fills it from the
 * image's /home/node, owner included.
 */
export const BETS_VOLUME_MOUNT = `${BETS_VOLUME}:${BETS_DIR}`;

/** A server that crashes (or is killed) is started again in the same container: same bets.csv, the lottery resumes. */
export const SERVER_RESTART = 'on-failure';

export function clientName(clientId: number): string {
  return `client${clientId}`;
}

/** Throws RangeError unless `clients` is a whole number from 0 to MAX_CLIENTS. */
export function checkClientCount(clients: number): void {
  if (!Number.isSafeInteger(clients) || clients < 0 || clients > MAX_CLIENTS) {
    throw new RangeError(`clients must be an integer from 0 to ${MAX_CLIENTS}, got ${clients}`);
  }
}

export function composeFor({ clients, mode, placement = AT_REPO_ROOT, keepBets = false }: ComposeOptions): ComposeFile {
  checkClientCount(clients);
  const services: Record<string, Service> = { server: serverService(clients, placement, keepBets) };
  for (let id = 1; id <= clients; id++) services[clientName(id)] = clientService(id, mode, placement);
  return {
    services,
    networks: { [NETWORK]: { driver: 'bridge', ipam: { config: [{ subnet: SUBNET }] } } },
    ...(keepBets ? { volumes: { [BETS_VOLUME]: {} } } : {}),
  };
}

/** The server's environment in every target: the agencies to wait for (0: no draw) and where bets.csv goes. */
export function serverEnvironment(clients: number): string[] {
  return [`AGENCIES=${clients}`, `BETS_FILE=${BETS_FILE}`];
}

/** An agency's environment in every target: its id, what it runs and, in bet mode, its one bet. */
export function clientEnvironment(id: number, mode: Mode): string[] {
  const environment = [`CLI_ID=${id}`, `CLI_MODE=${mode}`];
  if (mode === 'bet') environment.push(...betEnvironment(sampleBet(id)));
  return environment;
}

function serverService(clients: number, placement: Placement, keepBets: boolean): Service {
  return {
    container_name: 'server',
    image: 'server:latest',
    environment: serverEnvironment(clients),
    volumes: keepBets ? [serverConfigVolume(placement), BETS_VOLUME_MOUNT] : [serverConfigVolume(placement)],
    networks: [NETWORK],
    restart: SERVER_RESTART,
  };
}

function clientService(id: number, mode: Mode, placement: Placement): Service {
  const environment = clientEnvironment(id, mode);
  const volumes = [clientConfigVolume(placement)];
  if (mode === 'agency') volumes.push(agencyFileVolume(id, placement));
  return {
    container_name: clientName(id),
    image: 'client:latest',
    environment,
    volumes,
    depends_on: ['server'],
    networks: [NETWORK],
  };
}
