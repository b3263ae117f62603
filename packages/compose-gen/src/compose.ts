import { betEnvironment, sampleBet } from './bet-samples.js';
import type { Mode } from './mode.js';

/**
 * The Compose file as a plain object, limited to what docker-compose 1.29 and Compose v2 both
 * accept. No `name:` (1.29 rejects it; the project name comes from COMPOSE_PROJECT_NAME in the
 * root .env) and no `version:` (obsolete in v2; 1.29 reads the compose-spec format without it).
 */
export interface ComposeFile {
  services: Record<string, Service>;
  networks: Record<string, Network>;
}

export interface Service {
  container_name: string;
  image: string;
  /** `KEY=value` entries: values stay strings whatever YAML would make of them. */
  environment: string[];
  volumes: string[];
  networks: string[];
  depends_on?: string[];
}

export interface Network {
  driver: 'bridge';
  ipam: { config: Array<{ subnet: string }> };
}

export interface ComposeOptions {
  /** Number of agency clients, 0 or more. */
  readonly clients: number;
  readonly mode: Mode;
}

export const NETWORK = 'testing_net';
export const SUBNET = '172.25.125.0/24';
/** A /24 holds 253 container addresses after the gateway (.1); one goes to the server. */
export const MAX_CLIENTS = 252;

// Paths are relative to the compose file, which lives at the repo root.
export const SERVER_CONFIG_VOLUME = './packages/server/config.ini:/app/config.ini:ro';
export const CLIENT_CONFIG_VOLUME = './packages/client/config.yaml:/app/config.yaml:ro';

export function clientName(clientId: number): string {
  return `client${clientId}`;
}

/** The agency's bet file: host path relative to the compose file, container path relative to /app. */
export function agencyFileVolume(clientId: number): string {
  const file = `.data/agency-${clientId}.csv`;
  return `./${file}:/app/${file}:ro`;
}

export function composeFor({ clients, mode }: ComposeOptions): ComposeFile {
  if (!Number.isSafeInteger(clients) || clients < 0 || clients > MAX_CLIENTS) {
    throw new RangeError(`clients must be an integer from 0 to ${MAX_CLIENTS}, got ${clients}`);
  }
  const services: Record<string, Service> = { server: serverService(clients) };
  for (let id = 1; id <= clients; id++) services[clientName(id)] = clientService(id, mode);
  return {
    services,
    networks: { [NETWORK]: { driver: 'bridge', ipam: { config: [{ subnet: SUBNET }] } } },
  };
}

function serverService(clients: number): Service {
  return {
    container_name: 'server',
    image: 'server:latest',
    // The server waits for this many agencies before the draw; 0 means no draw.
    environment: [`AGENCIES=${clients}`],
    volumes: [SERVER_CONFIG_VOLUME],
    networks: [NETWORK],
  };
}

function clientService(id: number, mode: Mode): Service {
  const environment = [`CLI_ID=${id}`, `CLI_MODE=${mode}`];
  if (mode === 'bet') environment.push(...betEnvironment(sampleBet(id)));
  const volumes = [CLIENT_CONFIG_VOLUME];
  if (mode === 'agency') volumes.push(agencyFileVolume(id));
  return {
    container_name: clientName(id),
    image: 'client:latest',
    environment,
    volumes,
    depends_on: ['server'],
    networks: [NETWORK],
  };
}
