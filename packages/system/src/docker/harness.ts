/**
 * Docker end-to-end harness: writes a compose file for N clients into `<repo>/.e2e/<name>.yaml`, with edited copies
 * of the config files and generated data under `<repo>/.e2e/<name>/`, runs it as compose project `tp0e2e` with
 * Compose v2 (`docker compose`, as the course does; `compose: 'v1'` picks docker-compose 1.29) and reads
 * `logs -f --no-color` the way the course's black-box tests do (`<service> | <line>`, then the `action:`/`result:`
 * fields, and the `<service> exited with code N` lines).
 *
 * The generator fixes the container names (`server`, `client1`, ...), so only one project can run at a time:
 * every start first removes leftovers with those names (and the project's volumes, unless told to keep them), and
 * `down()` runs `down -v --remove-orphans`. bets.csv is in the server container, or on the project's named volume
 * `tp0e2e_bets` with `keepBets`.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import ini from 'ini';
import { parseDocument, type Document } from 'yaml';
import { parseLogLine } from '@tp0/common';
import type { ClientMode } from '@tp0/protocol';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
export const E2E_DIR = path.join(REPO_ROOT, '.e2e');
/** Distinct from the user's `tp0` (from .env), so a scenario never takes over `make docker-compose-up`'s project. */
export const PROJECT = 'tp0e2e';
/** The generator's subnet is 172.25.125.0/24; a leftover `tp0_testing_net` holding it would make `up` fail. */
export const E2E_SUBNET = '172.25.126.0/24';
export const SERVER_CONFIG = 'packages/server/config.ini';
export const CLIENT_CONFIG = 'packages/client/config.yaml';
const GEN_DATA = path.join(REPO_ROOT, 'packages/system/dist/gen-data.js');
const COMPOSE_GEN = path.join(REPO_ROOT, 'packages/compose-gen/dist/cli.js');
const LEFTOVER_NAME = /^(server|client\d+|tp0-echo-probe-\d+)$/;

// eslint-disable-next-line no-control-regex
const ANSI_ESCAPE = /\x1b\[[0-9;]*[A-Za-z]/g;

/** The two Compose implementations: v2 is the `docker compose` plugin, v1 the standalone docker-compose 1.29. */
export type ComposeVersion = 'v2' | 'v1';

/** The command line that runs Compose `version` with `args`. */
export function composeCommand(version: ComposeVersion, args: readonly string[]): [string, string[]] {
  return version === 'v2' ? ['docker', ['compose', ...args]] : ['docker-compose', [...args]];
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to completion; never throws for a non-zero exit (the code is in the result). */
export function run(file: string, args: readonly string[], options: { timeoutMs?: number; cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      [...args],
      { cwd: options.cwd ?? REPO_ROOT, timeout: options.timeoutMs ?? 120_000, maxBuffer: 256 << 20, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) + (error && typeof error.code !== 'number' ? `\n${error.message}` : '') });
      },
    );
  });
}

/** Like run(), but a non-zero exit is an error naming the command and its stderr. */
export async function must(file: string, args: readonly string[], options: { timeoutMs?: number; cwd?: string } = {}): Promise<string> {
  const result = await run(file, args, options);
  if (result.code !== 0) {
    throw new Error(`${file} ${args.join(' ')} exited with ${result.code}: ${result.stderr.trim() || result.stdout.trim()}`);
  }
  return result.stdout;
}

export { sleep };

/**
 * Throws a readable error when Docker, docker-compose, the images or the build outputs the scenarios need are
 * missing: this suite (`make test-docker`) exists to run them, so a missing tool is a failure, not a skip.
 */
export async function checkPrerequisites(): Promise<void> {
  for (const [tool, args] of [['docker', ['version']], ['docker', ['compose', 'version']], ['docker-compose', ['version']]] as const) {
    const probe = await run(tool, args, { timeoutMs: 30_000 });
    if (probe.code !== 0) {
      const what = [tool, ...args.slice(0, -1)].join(' ');
      throw new Error(`\`${tool} ${args.join(' ')}\` failed: the Docker suite (make test-docker) needs a working ${what}.\n${probe.stderr.trim()}`);
    }
  }
  const missing: string[] = [];
  for (const image of ['server:latest', 'client:latest', 'busybox:local']) {
    if ((await run('docker', ['image', 'inspect', image])).code !== 0) missing.push(`image ${image}`);
  }
  for (const file of [GEN_DATA, COMPOSE_GEN]) if (!existsSync(file)) missing.push(path.relative(REPO_ROOT, file));
  if (missing.length > 0) throw new Error(`missing ${missing.join(', ')}: run \`make docker-image\` first`);
}

export async function imageId(image: string): Promise<string> {
  return (await must('docker', ['image', 'inspect', '-f', '{{.Id}}', image])).trim();
}

/**
 * Removes containers named like the generator's (and validar-echo-server.sh's probe), this project's networks and
 * its volumes (a leftover bets volume would hand the next scenario someone else's bets).
 */
export async function removeLeftovers(): Promise<void> {
  await removeLeftoverContainers();
  await removeProjectVolumes();
}

/** removeLeftovers() but for the volumes: what a restart that keeps the bets clears. */
async function removeLeftoverContainers(): Promise<void> {
  const names = (await must('docker', ['ps', '-a', '--format', '{{.Names}}'])).split('\n').filter((n) => LEFTOVER_NAME.test(n));
  if (names.length > 0) await run('docker', ['rm', '-f', ...names]);
  const networks = (await must('docker', ['network', 'ls', '-q', '--filter', `label=com.docker.compose.project=${PROJECT}`]))
    .split('\n')
    .filter(Boolean);
  if (networks.length > 0) await run('docker', ['network', 'rm', ...networks]);
}

async function removeProjectVolumes(): Promise<void> {
  const volumes = (await must('docker', ['volume', 'ls', '-q', '--filter', `label=com.docker.compose.project=${PROJECT}`]))
    .split('\n')
    .filter(Boolean);
  if (volumes.length > 0) await run('docker', ['volume', 'rm', ...volumes]);
}

/** A file on a named volume, read by a throwaway container that mounts the volume read-only; null when missing. */
export async function readVolumeFile(volume: string, file: string): Promise<string | null> {
  const result = await run('docker', ['run', '--rm', '-v', `${volume}:/volume:ro`, 'busybox:local', 'cat', `/volume/${file}`]);
  if (result.code === 0) return result.stdout;
  if (/No such file/.test(result.stderr)) return null;
  throw new Error(`reading ${file} from volume ${volume} failed (${result.code}): ${result.stderr.trim()}`);
}

export interface ContainerState {
  readonly Status: string;
  readonly Running: boolean;
  readonly ExitCode: number;
  /** RFC 3339 with nanoseconds. */
  readonly StartedAt: string;
  readonly FinishedAt: string;
}

export async function containerState(name: string): Promise<ContainerState | null> {
  const result = await run('docker', ['inspect', '-f', '{{json .State}}', name]);
  return result.code === 0 ? (JSON.parse(result.stdout) as ContainerState) : null;
}

export async function isRunning(name: string): Promise<boolean> {
  return (await containerState(name))?.Running === true;
}

/** Polls until the container has exited; returns its exit code. */
export async function waitExited(name: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await containerState(name);
    if (state !== null && state.Status === 'exited') return state.ExitCode;
    if (Date.now() > deadline) throw new Error(`${name} still ${state?.Status ?? 'missing'} after ${timeoutMs} ms`);
    await sleep(250);
  }
}

export interface GenerateData {
  readonly agencies: number;
  readonly bets: number;
  readonly seed?: number;
  readonly winnersPerAgency?: number;
}

/** Runs the course-format generator CLI: agency-1.csv ... agency-N.csv in `out`. */
export async function generateData(out: string, options: GenerateData): Promise<void> {
  const args = [GEN_DATA, '--out', out, '--agencies', String(options.agencies), '--bets', String(options.bets)];
  args.push('--seed', String(options.seed ?? 42));
  if (options.winnersPerAgency !== undefined) args.push('--winners-per-agency', String(options.winnersPerAgency));
  await must(process.execPath, args);
}

/** Lines of an agency CSV or of bets.csv (CRLF or LF), without the empty tail: one per bet, as no generated or course name holds a line break. */
export function csvLines(text: string): string[] {
  return text.split(/\r?\n/).filter((line) => line !== '');
}

export interface LogEntry {
  readonly service: string;
  /** The line after `<service> | `. */
  readonly line: string;
  readonly action?: string;
  readonly result?: string;
  readonly fields: Readonly<Record<string, string>>;
  /** When this process read the line (ms since epoch). */
  readonly at: number;
}

export interface ProjectSpec {
  /** Names the compose file `.e2e/<name>.yaml` and the directory `.e2e/<name>/`. */
  readonly name: string;
  readonly clients: number;
  readonly mode?: ClientMode;
  /** config.ini `[DEFAULT]` keys to set in the server's copy. */
  readonly server?: Readonly<Record<string, string | number>>;
  /** config.yaml dotted paths (`loop.period`) to set in the clients' copy; null deletes the key. */
  readonly client?: Readonly<Record<string, string | number | null>>;
  /** Directory holding agency-<i>.csv for every client (agency mode); mounted in place of the repo's `.data/agency-<i>.csv`. */
  readonly data?: string;
  /** Environment entries (`KEY=value`) to set or replace, per service. */
  readonly env?: Readonly<Record<string, Readonly<Record<string, string | number>>>>;
  /** Generate with `--keep-bets`: bets.csv on the named volume `tp0e2e_bets`, kept by `down({ keepVolumes })`. */
  readonly keepBets?: boolean;
  /** Which Compose runs the project (default v2). */
  readonly compose?: ComposeVersion;
}

/** The scenario's scratch directory, emptied: put generated data in `<dir>/.data`. */
export function scenarioDir(name: string): string {
  mkdirSync(E2E_DIR, { recursive: true });
  // `*` ignores the .gitignore too: nothing under .e2e is ever committed.
  writeFileSync(path.join(E2E_DIR, '.gitignore'), '*\n');
  const dir = path.join(E2E_DIR, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Sets keys of config.ini's `[DEFAULT]` section (the only one the server reads), with the `ini` package it reads it with. */
export function editIni(text: string, values: Readonly<Record<string, string | number>>): string {
  const config = ini.parse(text);
  config['DEFAULT'] = { ...config['DEFAULT'], ...values };
  return ini.stringify(config, { whitespace: true });
}

export function editYaml(text: string, values: Readonly<Record<string, string | number | null>>): string {
  const doc = parseDocument(text);
  for (const [dotted, value] of Object.entries(values)) {
    if (value !== null) doc.setIn(dotted.split('.'), value);
    else if (doc.hasIn(dotted.split('.'))) doc.deleteIn(dotted.split('.'));
  }
  return doc.toString();
}

export class Project {
  readonly entries: LogEntry[] = [];
  readonly exits = new Map<string, number>();
  private readonly listeners = new Set<() => void>();
  private follower: ChildProcess | null = null;
  private catchingUp: Promise<void> | null = null;
  private logFile: WriteStream | null = null;

  private constructor(
    readonly spec: ProjectSpec,
    readonly dir: string,
    readonly file: string,
    readonly compose: Document,
    /** Where Compose runs; with no `-p` it takes the project name from that folder's `.env`, as a user's command does. */
    private readonly cwd = REPO_ROOT,
    private readonly projectArgs: readonly string[] = ['-p', PROJECT],
  ) {}

  /**
   * A compose file written elsewhere (e.g. by generar-compose.sh in a course-style checkout), run the way a user
   * runs it: `docker compose -f FILE ...` in `cwd`, with no `-p`, and logs kept in `dir`. Only the log reading and
   * compose commands apply; the volume helpers assume project tp0e2e.
   */
  static attach(spec: ProjectSpec, file: string, cwd: string, dir: string): Project {
    return new Project(spec, dir, file, parseDocument(readFileSync(file, 'utf8')), cwd, []);
  }

  /**
   * Writes the compose file with the generator, then points its bind mounts at absolute paths: the edited configs
   * and `spec.data` where given, the repo's files otherwise. Does not start anything.
   * `dir` is the scenario directory (from scenarioDir); created when omitted.
   */
  static async create(spec: ProjectSpec, dir = scenarioDir(spec.name)): Promise<Project> {
    const file = path.join(E2E_DIR, `${spec.name}.yaml`);
    const generate = [COMPOSE_GEN, file, String(spec.clients), '--mode', spec.mode ?? 'agency'];
    await must(process.execPath, spec.keepBets === true ? [...generate, '--keep-bets'] : generate);
    const replace = replacedHostFiles(spec, dir);

    const compose = parseDocument(readFileSync(file, 'utf8'));
    const services = compose.toJS().services as Record<string, { volumes?: string[]; environment?: string[] }>;
    for (const [service, def] of Object.entries(services)) {
      const volumes = (def.volumes ?? []).map((volume) => {
        const [source = '', ...rest] = volume.split(':');
        // A bare name (`bets`) is a named volume; a path is relative to the compose file's folder.
        if (!/^[./]/.test(source)) return volume;
        const absolute = path.resolve(path.dirname(file), source);
        return [replace.get(absolute) ?? absolute, ...rest].join(':');
      });
      if (volumes.length > 0) compose.setIn(['services', service, 'volumes'], volumes);
      const overrides = spec.env?.[service];
      if (overrides !== undefined) {
        const env = new Map((def.environment ?? []).map((entry) => [entry.slice(0, entry.indexOf('=')), entry] as const));
        for (const [key, value] of Object.entries(overrides)) env.set(key, `${key}=${value}`);
        compose.setIn(['services', service, 'environment'], [...env.values()]);
      }
    }
    compose.setIn(['networks', 'testing_net', 'ipam', 'config', 0, 'subnet'], E2E_SUBNET);
    writeFileSync(file, compose.toString());
    return new Project(spec, dir, file, compose);
  }

  /**
   * bets.csv as the server sees it (null before the server made it): from the project's volume with `keepBets`,
   * else copied out of the server container, running or stopped (gone after `down`).
   */
  async storedBets(): Promise<string | null> {
    if (this.spec.keepBets === true) return readVolumeFile(`${PROJECT}_bets`, path.posix.basename(this.betsFile()));
    try {
      return await this.copyOut('server', this.betsFile());
    } catch (error) {
      if (/Could not find the file/i.test(String(error))) return null;
      throw error;
    }
  }

  /** BETS_FILE from the server's environment. */
  betsFile(): string {
    const file = this.environment('server')['BETS_FILE'];
    if (file === undefined) throw new Error('the compose file sets no BETS_FILE for the server');
    return file;
  }

  /** Environment of a service as the compose file gives it (`KEY=value` entries). */
  environment(service: string): Record<string, string> {
    const list = (this.compose.getIn(['services', service, 'environment']) as { toJSON(): string[] } | undefined)?.toJSON() ?? [];
    return Object.fromEntries(list.map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]));
  }

  compose_(args: readonly string[], timeoutMs = 120_000): Promise<RunResult> {
    return run(...composeCommand(this.spec.compose ?? 'v2', [...this.projectArgs, '-f', this.file, ...args]), { timeoutMs, cwd: this.cwd });
  }

  /** Removes leftovers (the project's volumes too, unless `keepVolumes`), `up -d`, then follows the logs. */
  async up(options: { keepVolumes?: boolean } = {}): Promise<void> {
    await removeLeftoverContainers();
    if (options.keepVolumes !== true) await removeProjectVolumes();
    const result = await this.compose_(['up', '-d']);
    if (result.code !== 0) throw new Error(`compose up failed (${result.code}): ${result.stderr.trim()}`);
    this.follow();
  }

  /** Follows `logs -f` into `entries` and `exits` until stopFollowing() (or Compose ends it). */
  follow(): void {
    // Appended: a scenario that runs the project twice keeps both runs' logs.
    this.logFile = createWriteStream(path.join(this.dir, 'compose.log'), { flags: 'a' });
    const [command, args] = composeCommand(this.spec.compose ?? 'v2', [...this.projectArgs, '-f', this.file, 'logs', '-f', '--no-color']);
    const child = spawn(command, args, {
      cwd: this.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.follower = child;
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => this.read(line));
    }
    child.on('close', () => {
      if (this.follower !== child) return; // down() stopped it
      this.follower = null;
      this.catchingUp = this.catchUp().catch((error: unknown) => this.note(`catch-up failed: ${String(error)}`));
    });
  }

  /**
   * `logs -f` ended. docker-compose 1.29's `logs -f` quits once the engine reports its last container dead, and its event thread
   * forgets that container before the tail thread has queued the container's last lines and its `exited with code N`
   * line: on a loaded machine those are lost (seen in CI: `server exited with code 0` never came). When it quits, every
   * container has stopped, so the record is final: read it once more with `logs` (no -f), take the lines each service
   * is missing, and take a missing exit code from `docker inspect`.
   */
  private async catchUp(): Promise<void> {
    await this.readMissedLines();
    for (const service of Object.keys(this.compose.toJS().services as object)) {
      if (this.exits.has(service)) continue;
      const state = await containerState(service);
      if (state?.Status !== 'exited') continue;
      this.read(`${service} exited with code ${state.ExitCode}`, 'from docker inspect: logs -f quit without it');
    }
  }

  /**
   * Reads the record once more with `logs` (no -f) and takes the lines `logs -f` did not give for `services` (all when
   * omitted): each service's first lines are those already read, in order.
   */
  private async readMissedLines(services: readonly string[] = []): Promise<void> {
    const seen = new Map<string, number>();
    for (const entry of this.entries) seen.set(entry.service, (seen.get(entry.service) ?? 0) + 1);
    const record = await this.compose_(['logs', '--no-color', ...services]);
    for (const line of record.stdout.split('\n')) {
      const raw = line.replace(ANSI_ESCAPE, '');
      const service = splitServiceLine(raw)?.service;
      if (service === undefined || (services.length > 0 && !services.includes(service))) continue;
      const skip = seen.get(service) ?? 0;
      if (skip > 0) seen.set(service, skip - 1);
      else this.read(raw, 'missed by logs -f');
    }
  }

  private note(text: string): void {
    this.logFile?.write(`# harness: ${text}\n`);
  }

  private read(line: string, origin?: string): void {
    // Compose v2 starts some lines with an erase-line escape (ESC [2K) even with --no-color into a pipe.
    const raw = line.replace(ANSI_ESCAPE, '');
    this.logFile?.write(origin === undefined ? `${raw}\n` : `${raw}    # harness: ${origin}\n`);
    const exited = /^(\S+) exited with code (\d+)\s*$/.exec(raw);
    if (exited !== null) {
      this.exits.set(exited[1]!, Number(exited[2]));
    } else {
      const split = splitServiceLine(raw);
      if (split === undefined) return;
      const { service, line } = split;
      const parsed = parseLogLine(line);
      this.entries.push({
        service,
        line,
        fields: parsed?.fields ?? {},
        at: Date.now(),
        ...(parsed === null ? {} : { action: parsed.action, result: parsed.result }),
      });
    }
    for (const listener of [...this.listeners]) listener();
  }

  /** Entries of a service, optionally of one action (and result). */
  lines(service: string, action?: string, result?: string): LogEntry[] {
    return this.entries.filter(
      (e) => e.service === service && (action === undefined || e.action === action) && (result === undefined || e.result === result),
    );
  }

  /** Resolves once `check()` returns a value other than undefined; re-checked on every log line and every 250 ms. */
  until<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const done = (fn: () => void) => {
        clearTimeout(timer);
        clearInterval(poll);
        this.listeners.delete(listener);
        fn();
      };
      const listener = () => {
        const value = check();
        if (value !== undefined) done(() => resolve(value));
      };
      const timer = setTimeout(
        () => done(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last lines:\n${this.tail(25)}`))),
        timeoutMs,
      );
      const poll = setInterval(listener, 250);
      this.listeners.add(listener);
      listener();
    });
  }

  /** Waits for `count` entries of the service matching action/result (and `match` on the entry). */
  waitLines(
    service: string,
    action: string,
    options: { result?: string; count?: number; timeoutMs?: number; match?: (e: LogEntry) => boolean } = {},
  ): Promise<LogEntry[]> {
    const count = options.count ?? 1;
    return this.until(
      () => {
        const found = this.lines(service, action, options.result).filter(options.match ?? (() => true));
        return found.length >= count ? found : undefined;
      },
      options.timeoutMs ?? 60_000,
      `${count} × ${service} action: ${action}${options.result ? ` | result: ${options.result}` : ''}`,
    );
  }

  /**
   * Waits for the `<service> exited with code N` line; returns N. A container that exited before `logs -f` attached
   * gets no exit line from Compose: once inspect has said it exited and the line has not come for a few seconds, its
   * code is taken from inspect (and noted in compose.log).
   */
  waitExitLine(service: string, timeoutMs = 60_000): Promise<number> {
    return Promise.race([
      this.until(() => this.exits.get(service), timeoutMs, `"${service} exited with code N"`),
      this.exitedUnseen(service, timeoutMs),
    ]);
  }

  /** Waits for every service's exit line and checks each against `docker inspect`'s State.ExitCode. */
  async waitAllExited(services: readonly string[], timeoutMs = 60_000): Promise<Map<string, number>> {
    const codes = new Map<string, number>();
    for (const service of services) {
      const fromLog = await this.waitExitLine(service, timeoutMs);
      const fromInspect = await waitExited(service, 10_000);
      if (fromLog !== fromInspect) throw new Error(`${service}: log says exit ${fromLog}, docker inspect says ${fromInspect}`);
      codes.set(service, fromInspect);
    }
    return codes;
  }

  /** Resolves with the exit code once the container exited and its exit line still has not come 3 s later. */
  private async exitedUnseen(service: string, timeoutMs: number): Promise<number> {
    // Never rejects: a container that does not exit in time is reported by waitExitLine's timeout.
    const code = await waitExited(service, timeoutMs).catch(() => new Promise<never>(() => undefined));
    await sleep(3_000);
    if (!this.exits.has(service)) {
      // Compose v2's logs -f can also miss the lines of a container that exited while it attached.
      await this.readMissedLines([service]);
      if (!this.exits.has(service)) this.read(`${service} exited with code ${code}`, 'from docker inspect: it exited before logs -f attached');
    }
    return this.exits.get(service)!;
  }

  tail(n: number): string {
    return this.entries
      .slice(-n)
      .map((e) => `${e.service} | ${e.line}`)
      .concat([...this.exits].map(([s, c]) => `${s} exited with code ${c}`))
      .join('\n');
  }

  /** Copies a file out of a (running or stopped) container into the scenario directory; returns its text. */
  async copyOut(container: string, from: string): Promise<string> {
    const to = path.join(this.dir, `${container}-${path.basename(from)}`);
    rmSync(to, { force: true });
    await must('docker', ['cp', `${container}:${from}`, to]);
    return readFileSync(to, 'utf8');
  }

  /** Stops following the logs (after any catch-up read) and closes the scenario's compose.log. */
  async stopFollowing(): Promise<void> {
    await this.catchingUp;
    this.follower?.kill('SIGTERM');
    this.follower = null;
    this.logFile?.end();
    this.logFile = null;
  }

  /**
   * `down -v --remove-orphans` (without -v when `keepVolumes`: the bets survive, as with `make docker-compose-down`),
   * then stops following; also removes leftovers made outside compose. Never throws.
   */
  async down(options: { keepVolumes?: boolean } = {}): Promise<void> {
    await this.catchingUp;
    try {
      await this.compose_(['down', ...(options.keepVolumes === true ? [] : ['-v']), '--remove-orphans', '-t', '3']);
    } finally {
      await this.stopFollowing();
      await removeLeftoverContainers().catch(() => undefined);
      if (options.keepVolumes !== true) await removeProjectVolumes().catch(() => undefined);
    }
  }
}

/** Absolute host path in the repo -> the file to mount instead (edited configs, the scenario's data). */
function replacedHostFiles(spec: ProjectSpec, dir: string): Map<string, string> {
  const replace = new Map<string, string>();
  if (spec.server !== undefined) {
    const copy = path.join(dir, 'config.ini');
    writeFileSync(copy, editIni(readFileSync(path.join(REPO_ROOT, SERVER_CONFIG), 'utf8'), spec.server));
    replace.set(path.join(REPO_ROOT, SERVER_CONFIG), copy);
  }
  if (spec.client !== undefined) {
    const copy = path.join(dir, 'config.yaml');
    writeFileSync(copy, editYaml(readFileSync(path.join(REPO_ROOT, CLIENT_CONFIG), 'utf8'), spec.client));
    replace.set(path.join(REPO_ROOT, CLIENT_CONFIG), copy);
  }
  if (spec.data !== undefined) {
    for (let i = 1; i <= spec.clients; i++) {
      const csv = path.join(spec.data, `agency-${i}.csv`);
      if (!existsSync(csv)) throw new Error(`${csv} missing: a bind mount of a missing file becomes a directory`);
      replace.set(path.join(REPO_ROOT, `.data/agency-${i}.csv`), csv);
    }
  }
  return replace;
}

/** Splits a `<service> | <line>` log line; undefined for other lines (compose's own messages). */
function splitServiceLine(raw: string): { service: string; line: string } | undefined {
  const bar = raw.indexOf('|');
  return bar < 0 ? undefined : { service: raw.slice(0, bar).trim(), line: raw.slice(bar + 1).trim() };
}

export const clientNames = (n: number) => Array.from({ length: n }, (_, i) => `client${i + 1}`);

/** Creates the project, runs `body` with it started, and always tears it down. */
export async function withProject<T>(spec: ProjectSpec, body: (project: Project) => Promise<T>, dir?: string): Promise<T> {
  const project = await Project.create(spec, dir);
  try {
    await project.up();
    return await body(project);
  } finally {
    await project.down();
  }
}
