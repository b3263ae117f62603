import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Child, type ChildLine } from './child.js';

/** The esbuild bundles that the Docker images run (`node docker/bundle.mjs`, part of `make build`). */
export const BUNDLE_DIR = fileURLToPath(new URL('../../../../docker/dist', import.meta.url));

/** Which build of the server and client to run. */
export interface BuildChoice {
  /** Run the esbuild bundles instead of each package's dist/main.js. */
  readonly bundled?: boolean;
  /** Where the bundles are, with `bundled`: BUNDLE_DIR by default; another checkout's docker/dist to compare builds. */
  readonly bundleDir?: string;
}

/**
 * The V8 flags each app runs with, as its image does (docker/node-flags.json): the bundles' startup snapshots were
 * built under them (V8 refuses a snapshot under other flags), and the runner measures what the images run.
 */
export const NODE_FLAGS: { readonly server: readonly string[]; readonly client: readonly string[] } = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../../../docker/node-flags.json', import.meta.url)), 'utf8'),
);

/**
 * Built entry points: the workspace package's dist/main.js, or with `bundled` its single-file bundle, which starts
 * about 120 ms sooner and 16 MB smaller (one file to load, rxjs tree-shaken). In a bundle directory of an older
 * build (bench:compare) the start script is a `.mjs`.
 */
export function entryPoint(pkg: App, build: BuildChoice = {}): string {
  if (!build.bundled) return path.join(path.dirname(fileURLToPath(import.meta.resolve(pkg))), 'main.js');
  const dir = build.bundleDir ?? BUNDLE_DIR;
  const name = appName(pkg);
  const bundle = [`${name}.mjs`, `${name}.cjs`].map((file) => path.join(dir, file)).find((file) => existsSync(file));
  if (bundle === undefined) throw new Error(`${path.join(dir, `${name}.cjs`)} is missing: run \`node docker/bundle.mjs\` (make build) first`);
  return bundle;
}

/**
 * The node arguments an app runs with: its V8 flags (as its image), and with `bundled` the bundle's startup
 * snapshot when `node docker/bundle.mjs` wrote one (it did, with this node, unless the bundles are another build's).
 */
export function nodeArgs(pkg: App, build: BuildChoice = {}): string[] {
  const name = appName(pkg);
  const blob = path.join(build.bundleDir ?? BUNDLE_DIR, `${name}.blob`);
  return [...NODE_FLAGS[name], ...(build.bundled && existsSync(blob) ? ['--snapshot-blob', blob] : [])];
}

type App = '@tp0/server' | '@tp0/client';
const appName = (pkg: App) => (pkg === '@tp0/server' ? 'server' : 'client');

/**
 * The environment without variables that would override what the runner configures, and without
 * NODE_EXTRA_CA_CERTS: every node start reads and parses that CA bundle (~80 ms of CPU each on this project's
 * machines), and the server and agencies make no TLS connections. The containers do not have it either.
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

/** Starts `node packages/server/dist/main.js` on 127.0.0.1, port 0, and resolves with the port it logged. */
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
    script: entryPoint('@tp0/server', options),
    nodeArgs: nodeArgs('@tp0/server', options),
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

/** Starts `node packages/client/dist/main.js` in agency mode, configured by CLI_* variables only. */
export function startClientProcess(options: ClientProcessOptions): Child {
  return new Child({
    name: options.name ?? `client${options.id}`,
    script: entryPoint('@tp0/client', options),
    nodeArgs: nodeArgs('@tp0/client', options),
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
