/**
 * Docker Swarm end-to-end harness: a one-node swarm (initialised only when there is none, and left afterwards only
 * then), and the stack from `compose-gen --target swarm` deployed as `tp0e2e-swarm`, with the agencies' bind mounts
 * pointed at the scenario's data. Clients are read from their task containers: `docker ps -a` for their exit, and
 * `docker logs` for their lines.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { parseLogLine } from '@tp0/common';
import { E2E_DIR, must, readVolumeFile, REPO_ROOT, run, sleep } from './harness.js';

/** Distinct from `make swarm-up`'s `tp0` and from the Compose scenarios' `tp0e2e` (whose network name it would take). */
export const STACK = 'tp0e2e-swarm';
export const BETS_VOLUME = `${STACK}_bets`;
const NETWORK = `${STACK}_testing_net`;
const DATA_LABEL = 'tp0.data';
const COMPOSE_GEN = path.join(REPO_ROOT, 'packages/compose-gen/dist/cli.js');

/** What joinSwarm changed, so leaveSwarm can undo exactly that. */
export interface SwarmChanges {
  readonly initialised: boolean;
  readonly nodeId: string;
  /** The node's tp0.data label before (undefined: none); null when it was already `true` and left alone. */
  readonly previousLabel: string | undefined | null;
  readonly hadGatewayBridge: boolean;
}

async function swarmState(): Promise<string> {
  return (await must('docker', ['info', '--format', '{{.Swarm.LocalNodeState}}'])).trim();
}

/** Makes this engine an active swarm manager whose node carries the server's placement label. */
export async function joinSwarm(): Promise<SwarmChanges> {
  const hadGatewayBridge = (await run('docker', ['network', 'inspect', 'docker_gwbridge'])).code === 0;
  const state = await swarmState();
  let initialised = false;
  if (state === 'inactive') {
    await must('docker', ['swarm', 'init', '--advertise-addr', '127.0.0.1']);
    initialised = true;
  } else if (state !== 'active') {
    throw new Error(`the engine's swarm is ${state}: neither active nor inactive, so the test leaves it alone`);
  }
  const nodeId = (await must('docker', ['info', '--format', '{{.Swarm.NodeID}}'])).trim();
  const labels = JSON.parse(await must('docker', ['node', 'inspect', '-f', '{{json .Spec.Labels}}', nodeId])) as Record<string, string> | null;
  const before = labels?.[DATA_LABEL];
  if (before === 'true') return { initialised, nodeId, previousLabel: null, hadGatewayBridge };
  await must('docker', ['node', 'update', '--label-add', `${DATA_LABEL}=true`, nodeId]);
  return { initialised, nodeId, previousLabel: before, hadGatewayBridge };
}

/** Leaves the swarm as joinSwarm found it. */
export async function leaveSwarm(changes: SwarmChanges): Promise<void> {
  if (changes.initialised) {
    await must('docker', ['swarm', 'leave', '--force']);
    // swarm init made it; leaving does not remove it.
    if (!changes.hadGatewayBridge) await run('docker', ['network', 'rm', 'docker_gwbridge']);
    return;
  }
  if (changes.previousLabel === null) return;
  const update = changes.previousLabel === undefined ? ['--label-rm', DATA_LABEL] : ['--label-add', `${DATA_LABEL}=${changes.previousLabel}`];
  await must('docker', ['node', 'update', ...update, changes.nodeId]);
}

interface TaskContainer {
  readonly id: string;
  readonly service: string;
  readonly state: string;
  /** From `Exited (N) ...`; undefined while it runs. */
  readonly exitCode: number | undefined;
}

async function stackContainers(): Promise<TaskContainer[]> {
  const format = '{{.ID}}\t{{.Label "com.docker.swarm.service.name"}}\t{{.State}}\t{{.Status}}';
  const out = await must('docker', ['ps', '-a', '--filter', `label=com.docker.stack.namespace=${STACK}`, '--format', format]);
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id = '', service = '', state = '', status = ''] = line.split('\t');
      const exited = /^Exited \((\d+)\)/.exec(status);
      return { id, service: service.slice(`${STACK}_`.length), state, exitCode: exited === null ? undefined : Number(exited[1]) };
    });
}

export type CourseLine = { readonly action: string; readonly result: string; readonly fields: Readonly<Record<string, string>> };

export interface ClientRun {
  /** One per task container, in no particular order (more than one: Swarm restarted it). */
  readonly attempts: ReadonlyArray<{ readonly exit: number; readonly lines: readonly CourseLine[] }>;
}

/** Removes the stack, waits until its containers and network are gone, then removes its bets volume. Never throws. */
export async function removeStack(): Promise<void> {
  await run('docker', ['stack', 'rm', STACK]);
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const containers = await stackContainers().catch(() => []);
    const network = (await run('docker', ['network', 'inspect', NETWORK])).code === 0;
    const volume = (await run('docker', ['volume', 'inspect', BETS_VOLUME])).code === 0;
    if (containers.length === 0 && !network && !volume) return;
    if (containers.length === 0 && volume) await run('docker', ['volume', 'rm', BETS_VOLUME]);
    await sleep(500);
  }
}

export interface StackSpec {
  /** Names the stack file `.e2e/<name>.yaml` and the scenario directory. */
  readonly name: string;
  readonly clients: number;
  /** Directory holding agency-<i>.csv for every client. */
  readonly data: string;
}

export class Stack {
  private constructor(
    readonly spec: StackSpec,
    readonly file: string,
    /** Failed runs after which Swarm restarts a client no more: the stack file's `restart_policy.max_attempts`. */
    private readonly maxAttempts: number,
  ) {}

  /** Writes the stack file with the generator, bind-mounts the agencies' files from `spec.data`, and deploys it. */
  static async deploy(spec: StackSpec): Promise<Stack> {
    const file = path.join(E2E_DIR, `${spec.name}.yaml`);
    await must(process.execPath, [COMPOSE_GEN, file, String(spec.clients), '--target', 'swarm']);
    const stack = parseDocument(readFileSync(file, 'utf8'));
    for (let i = 1; i <= spec.clients; i++) {
      stack.setIn(['services', `client${i}`, 'volumes', 0, 'source'], path.join(spec.data, `agency-${i}.csv`));
    }
    writeFileSync(file, stack.toString());
    const maxAttempts = Number(stack.getIn(['services', 'client1', 'deploy', 'restart_policy', 'max_attempts']));
    if (!(maxAttempts >= 1)) throw new Error(`${file}: client1 has no deploy.restart_policy.max_attempts`);
    await removeStack();
    await must('docker', ['stack', 'deploy', '-c', file, STACK]);
    return new Stack(spec, file, maxAttempts);
  }

  /**
   * Waits until every client is done: a task container exited 0, or `maxAttempts` failed ones (Swarm restarts it
   * no more). Returns each client's exits and lines.
   */
  async waitClients(timeoutMs: number): Promise<Map<string, ClientRun>> {
    const clients = Array.from({ length: this.spec.clients }, (_, k) => `client${k + 1}`);
    const deadline = Date.now() + timeoutMs;
    let containers: TaskContainer[] = [];
    for (;;) {
      containers = await stackContainers();
      const pending = clients.filter((client) => {
        const exits = containers.filter((c) => c.service === client && c.exitCode !== undefined).map((c) => c.exitCode);
        return !exits.includes(0) && exits.length < this.maxAttempts;
      });
      if (pending.length === 0) break;
      if (Date.now() > deadline) {
        throw new Error(`after ${timeoutMs} ms ${pending.length} clients still running (${pending.slice(0, 5).join(', ')}...)`);
      }
      await sleep(1_000);
    }
    const runs = new Map<string, ClientRun>();
    await Promise.all(
      clients.map(async (client) => {
        const mine = containers.filter((c) => c.service === client);
        const attempts = await Promise.all(mine.map(async (c) => ({ exit: c.exitCode ?? -1, lines: await containerLines(c.id) })));
        runs.set(client, { attempts });
      }),
    );
    return runs;
  }

  /** The server's course log lines so far. */
  async serverLines(): Promise<CourseLine[]> {
    const server = (await stackContainers()).filter((c) => c.service === 'server' && c.state === 'running');
    if (server.length !== 1) throw new Error(`expected one running server task container, found ${server.length}`);
    return containerLines(server[0]!.id);
  }

  /**
   * Kills the server's task container once it logged `batches` stored batches; Swarm then starts a new task (a new
   * container on the same node and volume). Returns the killed container's lines.
   */
  async killServerAfter(batches: number, timeoutMs: number): Promise<CourseLine[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const server = (await stackContainers()).find((c) => c.service === 'server' && c.state === 'running');
      if (server !== undefined) {
        const lines = await containerLines(server.id);
        if (lines.filter((l) => l.action === 'apuesta_recibida' && l.result === 'success').length >= batches) {
          await must('docker', ['kill', server.id]);
          return lines;
        }
      }
      if (Date.now() > deadline) throw new Error(`the server logged fewer than ${batches} batches in ${timeoutMs} ms`);
      await sleep(100);
    }
  }

  /** bets.csv from the server's named volume, read by a throwaway container. */
  async storedBets(): Promise<string | null> {
    return readVolumeFile(BETS_VOLUME, 'bets.csv');
  }
}

async function containerLines(id: string): Promise<CourseLine[]> {
  const result = await run('docker', ['logs', id]);
  return `${result.stdout}\n${result.stderr}`
    .split('\n')
    .map((line) => parseLogLine(line))
    .filter((parsed) => parsed !== null)
    .map((parsed) => ({ action: parsed.action, result: parsed.result, fields: parsed.fields }));
}

