import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Child, type ChildLine } from './child.js';

/** The esbuild bundles that the Docker images run (`node docker/bundle.mjs`, part of `make build`). */
export const BUNDLE_DIR = fileURLToPath(new URL('../../../../docker/dist', import.meta.url));
/** This checkout's Dockerfiles: each image's ENTRYPOINT is how its app runs. */
export const DOCKER_DIR = fileURLToPath(new URL('../../../../docker', import.meta.url));

/** Which build of the server and client to run. */
export interface BuildChoice {
  /** Run the esbuild bundles instead of each package's dist/main.js. */
  readonly bundled?: boolean;
  /** Where the bundles are, with `bundled`: BUNDLE_DIR by default; another checkout's docker/dist to compare builds. */
  readonly bundleDir?: string;
  /** The Dockerfiles whose ENTRYPOINTs say how the apps run: DOCKER_DIR by default; another checkout's docker/. */
  readonly dockerDir?: string;
}

/** How a build starts an app: `node ...nodeArgs script`. */
export interface AppCommand {
  readonly nodeArgs: readonly string[];
  readonly script: string;
}

/**
 * An app as its image runs it: the exec-form ENTRYPOINT of docker/<name>.Dockerfile, `["node", ...flags,
 * "/app/<script>"]`, read at each call so that the image and the runner cannot differ. With `bundled`, /app/ is the
 * bundle directory (an older build's ENTRYPOINT may name more of its files there); without, the same flags run the
 * package's dist/main.js.
 */
export function appCommand(pkg: App, build: BuildChoice = {}): AppCommand {
  const name = appName(pkg);
  const dockerfile = path.join(build.dockerDir ?? DOCKER_DIR, `${name}.Dockerfile`);
  const entrypoint = readEntrypoint(dockerfile);
  const bundleDir = build.bundleDir ?? BUNDLE_DIR;
  const local = (arg: string) => (build.bundled && arg.startsWith('/app/') ? path.join(bundleDir, arg.slice('/app/'.length)) : arg);
  const nodeArgs = entrypoint.slice(1, -1).map(local);
  if (!build.bundled) return { nodeArgs, script: path.join(path.dirname(fileURLToPath(import.meta.resolve(pkg))), 'main.js') };
  const script = local(entrypoint.at(-1)!);
  if (!existsSync(script)) throw new Error(`${script} is missing: run \`node docker/bundle.mjs\` (make build) first`);
  return { nodeArgs, script };
}

/** The exec-form ENTRYPOINT of a Dockerfile that runs node with a script under /app/. */
function readEntrypoint(dockerfile: string): string[] {
  const line = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(readFileSync(dockerfile, 'utf8'))?.[1];
  const args: unknown = line === undefined ? undefined : JSON.parse(line);
  const strings = Array.isArray(args) && args.every((a) => typeof a === 'string') ? (args as string[]) : [];
  if (strings.length < 2 || strings[0] !== 'node' || !strings.at(-1)!.startsWith('/app/')) {
    throw new Error(`${dockerfile}: expected an exec-form ENTRYPOINT ["node", ...flags, "/app/<script>"], found ${line ?? 'none'}`);
  }
  return strings;
}

type App = '@tp0/server' | '@tp0/client';
const appName = (pkg: App) => (pkg === '@tp0/server' ? 'server' : 'client');

/**
 * The environment without variables that would override what the runner configures, and without
 * NODE_EXTRA_CA_CERTS: every node start would read and parse that CA bundle, and the server and agencies make no TLS
 * connections. The containers do not have it either.
 */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  const ours = /^(CLI_|SERVER_|CONFIG_FILE$|LOGGING_LEVEL$|AGENCIES$|BETS_FILE$|FSYNC$|LOG_FORMAT$|NODE_OPTIONS$|NODE_EXTRA_CA_CERTS$)/;
  for (const [key, value] of Object.entries(process.env)) if (!ours.test(key)) env[key] = value;
  return env;
}

export interface ServerProcessOptions extends BuildChoice {
  /** Working directory; config.ini is written here. */
  readonly dir: string;
  readonly agencies: number;
  readonly betsFile: string;
  readonly logLevel?: string;
  readonly name?: string;
  readonly onLine?: (child: Child, line: ChildLine) => void;
  readonly rssFile?: string;
  readonly readyTimeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

export interface ServerProcess {
  readonly child: Child;
  readonly port: number;
}

/** Starts the server (`appCommand`) on 127.0.0.1, port 0, and resolves with the port it logged. */
export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const config = path.join(options.dir, 'config.ini');
  await writeFile(
    config,
    [
      '[DEFAULT]',
      'SERVER_PORT = 0',
      'SERVER_IP = 127.0.0.1',
      'SERVER_LISTEN_BACKLOG = 128',
      `LOGGING_LEVEL = ${options.logLevel ?? 'INFO'}`,
      `AGENCIES = ${options.agencies}`,
      `BETS_FILE = ${options.betsFile}`,
      'FSYNC = none',
      '',
    ].join('\n'),
  );
  const child = new Child({
    name: options.name ?? 'server',
    ...appCommand('@tp0/server', options),
    cwd: options.dir,
    env: { ...baseEnv(), CONFIG_FILE: config, ...options.env },
    ...(options.onLine && { onLine: options.onLine }),
    ...(options.rssFile && { rssFile: options.rssFile }),
  });
  const listen = await child.waitForLine((line) => line.includes('action: listen | result: success'), options.readyTimeoutMs ?? 10_000).catch(
    (err: Error) => {
      child.kill('SIGKILL');
      throw err;
    },
  );
  const port = Number(/\bport: (\d+)/.exec(listen.text)?.[1]);
  if (!(port > 0)) {
    child.kill('SIGKILL');
    throw new Error(`no port in the server's listen line: ${listen.text}`);
  }
  return { child, port };
}

export interface ClientProcessOptions extends BuildChoice {
  readonly id: number;
  readonly port: number;
  readonly dataFile: string;
  readonly dir: string;
  readonly batch?: number;
  readonly logLevel?: string;
  readonly name?: string;
  readonly onLine?: (child: Child, line: ChildLine) => void;
  readonly rssFile?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** Starts an agency client (`appCommand`) in agency mode, configured by CLI_* variables only. */
export function startClientProcess(options: ClientProcessOptions): Child {
  return new Child({
    name: options.name ?? `client${options.id}`,
    ...appCommand('@tp0/client', options),
    cwd: options.dir,
    env: {
      ...baseEnv(),
      CLI_ID: String(options.id),
      CLI_MODE: 'agency',
      CLI_SERVER_ADDRESS: `127.0.0.1:${options.port}`,
      CLI_LOG_LEVEL: options.logLevel ?? 'INFO',
      CLI_DATA_FILE: options.dataFile,
      ...(options.batch !== undefined && { CLI_BATCH_MAXAMOUNT: String(options.batch) }),
      ...options.env,
    },
    ...(options.onLine && { onLine: options.onLine }),
    ...(options.rssFile && { rssFile: options.rssFile }),
  });
}
