/**
 * The Docker Swarm stack file (`docker stack deploy -c FILE tp0`): the same lottery as the Compose file, for a swarm
 * of one or more nodes.
 *
 * - One service per agency (`client1` ... `clientN`), not one service with `replicas: N` and `CLI_ID={{.Task.Slot}}`:
 *   an agency is not an interchangeable replica. Its bet file lives on its own node, so each agency needs its own
 *   placement (one service's tasks may land on any node, which would then need every agency's file); it may carry
 *   its own identity (a per-agency secret, config or image version); and its logs, retries and state read per
 *   agency (`docker service logs tp0_client3`).
 * - `endpoint_mode: dnsrr` everywhere: the default VIP needs IPVS, which this kind of kernel lacks (a client then
 *   gets `No route to host`); with dnsrr the service name resolves straight to the task's address. Nothing is
 *   published, so nothing needs the ingress mesh.
 * - Configs travel as swarm `configs:` (stored in the swarm's Raft log, delivered to any node); a bind mount of a
 *   config file would need that file on every node.
 * - Agency bet files are bind mounts of absolute host paths: an agency's bets live with the agency, so the node that
 *   runs client<i> must hold `.data/agency-<i>.csv` at that path (a missing source fails the task; Swarm does not
 *   create it as Compose does).
 * - The server is pinned to the node labelled `tp0.data=true`, where its named volume (bets.csv) lives: a local
 *   volume exists on one node only, and a server rescheduled elsewhere would start with no bets. A label names that
 *   node explicitly, where `node.role == manager` would allow any of several managers.
 */
import { clientEnvironment, clientName, checkClientCount, NETWORK, serverEnvironment } from './compose.js';
import {
  absolute,
  AT_REPO_ROOT,
  agencyFile,
  BETS_DIR,
  BETS_VOLUME,
  CLIENT_CONFIG,
  CLIENT_CONFIG_TARGET,
  fromOutput,
  SERVER_CONFIG,
  SERVER_CONFIG_TARGET,
  type Placement,
} from './layout.js';
import type { Mode } from './mode.js';

/**
 * `docker stack deploy` needs `version:` 3.x: the loader of Debian's docker.io CLI (20.10) rejects a file without
 * it ("unsupported Compose file version: 1.0"). 3.8 is the newest 20.10 knows and has every key used here.
 */
export const STACK_VERSION = '3.8';

/** The node label the server's placement constraint asks for: `docker node update --label-add tp0.data=true NODE`. */
export const DATA_NODE_LABEL = 'tp0.data';
export const SERVER_CONSTRAINT = `node.labels.${DATA_NODE_LABEL} == true`;

export const SERVER_CONFIG_NAME = 'server_config';
export const CLIENT_CONFIG_NAME = 'client_config';

export interface StackFile {
  version: string;
  services: Record<string, StackService>;
  networks: Record<string, { driver: 'overlay' }>;
  volumes: Record<string, Record<string, never>>;
  configs: Record<string, { file: string }>;
}

export interface StackService {
  image: string;
  environment: string[];
  configs: Array<{ source: string; target: string }>;
  volumes?: Mount[];
  networks: string[];
  deploy: Deploy;
}

export type Mount =
  | { type: 'volume'; source: string; target: string }
  | { type: 'bind'; source: string; target: string; read_only: true };

export interface Deploy {
  endpoint_mode: 'dnsrr';
  placement?: { constraints: string[] };
  restart_policy: { condition: 'any' | 'on-failure'; max_attempts?: number };
}

export interface StackOptions {
  readonly clients: number;
  readonly mode: Mode;
  readonly placement?: Placement;
}

/** An agency that fails is retried a few times (each attempt resumes where the server's stored bets end); one that exits 0 is done. */
export const AGENCY_MAX_ATTEMPTS = 3;

/**
 * How long an agency keeps retrying a server it cannot reach, in place of config.yaml's 10 s. In a swarm the name
 * `server` resolves only once the server's task runs, and a node starting 51 tasks at once took longer than 10 s:
 * in the 50-agency test a quarter of the agencies gave up on `ENOTFOUND server` and needed a restart.
 */
export const SWARM_CONNECT_RETRY = '60s';

export function stackFor({ clients, mode, placement = AT_REPO_ROOT }: StackOptions): StackFile {
  checkClientCount(clients);
  const services: Record<string, StackService> = { server: serverService(clients) };
  for (let id = 1; id <= clients; id++) services[clientName(id)] = clientService(id, mode, placement);
  return {
    version: STACK_VERSION,
    services,
    networks: { [NETWORK]: { driver: 'overlay' } },
    volumes: { [BETS_VOLUME]: {} },
    // Read by `docker stack deploy` on the machine that runs it, relative to the stack file's folder.
    configs: {
      [SERVER_CONFIG_NAME]: { file: fromOutput(placement, SERVER_CONFIG) },
      [CLIENT_CONFIG_NAME]: { file: fromOutput(placement, CLIENT_CONFIG) },
    },
  };
}

function serverService(clients: number): StackService {
  return {
    image: 'server:latest',
    environment: serverEnvironment(clients),
    configs: [{ source: SERVER_CONFIG_NAME, target: SERVER_CONFIG_TARGET }],
    volumes: [{ type: 'volume', source: BETS_VOLUME, target: BETS_DIR }],
    networks: [NETWORK],
    deploy: {
      endpoint_mode: 'dnsrr',
      placement: { constraints: [SERVER_CONSTRAINT] },
      // The server keeps serving after the draw; restarted, it recovers the bets and finished agencies from its volume.
      restart_policy: { condition: 'any' },
    },
  };
}

function clientService(id: number, mode: Mode, placement: Placement): StackService {
  const file = agencyFile(id);
  const dataFile: Mount = { type: 'bind', source: absolute(placement, file), target: `/app/${file}`, read_only: true };
  return {
    image: 'client:latest',
    environment: [...clientEnvironment(id, mode), `CLI_SERVER_CONNECTRETRY=${SWARM_CONNECT_RETRY}`],
    configs: [{ source: CLIENT_CONFIG_NAME, target: CLIENT_CONFIG_TARGET }],
    ...(mode === 'agency' ? { volumes: [dataFile] } : {}),
    networks: [NETWORK],
    deploy: { endpoint_mode: 'dnsrr', restart_policy: { condition: 'on-failure', max_attempts: AGENCY_MAX_ATTEMPTS } },
  };
}
