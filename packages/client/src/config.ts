import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigError, formatDuration, parseDuration, parseLevel, type LevelName } from '@tp0/common';
import type { Bet } from '@tp0/protocol';
import { CLIENT_MODES, DEFAULT_CLIENT_MODE, isClientMode, type ClientMode } from '@tp0/protocol/client-mode';
import { betFromEnv } from './bet-env.js';


/**
 * Bets per batch when config.yaml does not say: 134 keeps a course-data batch under 8 KiB.
 * Longest course bet = 10 fixed bytes + 33 (first+last name) + 8 (document) + 10 (date) = 61 bytes;
 * frame = 13 header bytes (length 4, type 1, agency 2, first 4, count 2) + 134 × 61 = 8187 <= 8192
 * (135 bets would be 8248). See README.md.
 */
export const DEFAULT_BATCH_MAX_AMOUNT = 134;

/**
 * Batches sent ahead of their acks, so the agency keeps sending while acks travel; memory holds (8 + 1) ×
 * maxAmount rows. 8 had the best median wall time on the course data (docs/performance.md).
 */
export const DEFAULT_BATCH_IN_FLIGHT = 8;

export interface ClientConfig {
  /** Agency number, 1..65535 (u16 on the wire). */
  readonly id: number;
  /** "host:port" as configured, for logs. */
  readonly serverAddress: string;
  readonly host: string;
  readonly port: number;
  /**
   * The retry window, ms: how long failures that may pass (refused or reset connections, timeouts, transient server
   * errors) are retried with backoff, counted from the first failure since the session last made progress.
   */
  readonly connectRetry: number;
  /** Sent in `hello`: the agency's secret if the server is configured with one, else ''. */
  readonly secret: string;
  /** Milliseconds a TCP connect may take before it counts as a (retryable) failure. */
  readonly connectTimeout: number;
  /** Milliseconds to wait for the reply to hello, a batch or finished. */
  readonly requestTimeout: number;
  /** Milliseconds to wait for the winners: the server answers only after every agency finished. */
  readonly winnersTimeout: number;
  readonly loopAmount: number;
  /** Milliseconds. */
  readonly loopPeriod: number;
  readonly logLevel: LevelName;
  readonly batchMaxAmount: number;
  /** Batches sent and not yet acknowledged, at most. */
  readonly batchInFlight: number;
  readonly mode: ClientMode;
  /** Absolute path of the agency's CSV. */
  readonly dataFile: string;
  /** The bet to place in `bet` mode (from NOMBRE, APELLIDO, ...). */
  readonly bet: Bet | null;
}

export interface LoadOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/** Reads config.yaml (CLI_CONFIG_FILE, default ./config.yaml), then applies the CLI_* env overrides. */
export function loadConfig({ env = process.env, cwd = process.cwd() }: LoadOptions = {}): ClientConfig {
  const file = path.resolve(cwd, env['CLI_CONFIG_FILE'] ?? 'config.yaml');
  const yaml = readYaml(file, env['CLI_CONFIG_FILE'] !== undefined);
  const pick = (envKey: string, yamlPath: string): [string, string | undefined] => {
    const fromEnv = env[envKey];
    if (fromEnv !== undefined && fromEnv !== '') return [envKey, fromEnv];
    const fromYaml = lookup(yaml, yamlPath);
    return [yamlPath, fromYaml === undefined || fromYaml === null ? undefined : String(fromYaml)];
  };

  const id = integer(...pick('CLI_ID', 'id'), 1, 65535);
  const [addressKey, address] = pick('CLI_SERVER_ADDRESS', 'server.address');
  const { host, port } = parseAddress(address, addressKey);
  const [retryKey, retry] = pick('CLI_SERVER_CONNECTRETRY', 'server.connectRetry');
  const connectRetry = parseDuration(retry ?? '10s', retryKey);
  const [, secret] = pick('CLI_SERVER_SECRET', 'server.secret');
  const connectTimeout = positiveDuration(...pick('CLI_TIMEOUTS_CONNECT', 'timeouts.connect'), '5s');
  const requestTimeout = positiveDuration(...pick('CLI_TIMEOUTS_REQUEST', 'timeouts.request'), '30s');
  const winnersTimeout = positiveDuration(...pick('CLI_TIMEOUTS_WINNERS', 'timeouts.winners'), '10m');
  const loopAmount = integer(...pick('CLI_LOOP_AMOUNT', 'loop.amount'), 0, Number.MAX_SAFE_INTEGER, '5');
  const [periodKey, period] = pick('CLI_LOOP_PERIOD', 'loop.period');
  const loopPeriod = parseDuration(period ?? '5s', periodKey);
  const [levelKey, level] = pick('CLI_LOG_LEVEL', 'log.level');
  const logLevel = parseLevel(level ?? 'INFO', levelKey);
  const batchMaxAmount = integer(...pick('CLI_BATCH_MAXAMOUNT', 'batch.maxAmount'), 1, 65535, String(DEFAULT_BATCH_MAX_AMOUNT));
  const batchInFlight = integer(...pick('CLI_BATCH_INFLIGHT', 'batch.inFlight'), 1, 1024, String(DEFAULT_BATCH_IN_FLIGHT));
  const [modeKey, modeRaw] = pick('CLI_MODE', 'mode');
  const mode = parseMode(modeRaw ?? DEFAULT_CLIENT_MODE, modeKey);
  const [, dataFile] = pick('CLI_DATA_FILE', 'data.file');

  return {
    id,
    serverAddress: address as string,
    host,
    port,
    connectRetry,
    secret: secret ?? '',
    connectTimeout,
    requestTimeout,
    winnersTimeout,
    loopAmount,
    loopPeriod,
    logLevel,
    batchMaxAmount,
    batchInFlight,
    mode,
    dataFile: path.resolve(cwd, dataFile ?? path.join('.data', `agency-${id}.csv`)),
    bet: mode === 'bet' ? betFromEnv(env) : null,
  };
}

/** The fields of the startup line, in the course's order (client_id ... log_level), then ours. */
export function configFields(config: ClientConfig) {
  return {
    client_id: config.id,
    server_address: config.serverAddress,
    loop_amount: config.loopAmount,
    loop_period: formatDuration(config.loopPeriod),
    log_level: config.logLevel,
    mode: config.mode,
    batch_max_amount: config.batchMaxAmount,
    batch_in_flight: config.batchInFlight,
    connect_retry: formatDuration(config.connectRetry),
    connect_timeout: formatDuration(config.connectTimeout),
    request_timeout: formatDuration(config.requestTimeout),
    winners_timeout: formatDuration(config.winnersTimeout),
  };
}

function readYaml(file: string, explicit: boolean): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    // Without CLI_CONFIG_FILE a missing ./config.yaml is fine: env alone may configure the client.
    if (!explicit && (error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError('CLI_CONFIG_FILE', file, `a readable YAML file (${(error as Error).message})`);
  }
  try {
    return parseYaml(text) ?? {};
  } catch (error) {
    throw new ConfigError('CLI_CONFIG_FILE', file, `valid YAML (${(error as Error).message.split('\n')[0]})`);
  }
}

function lookup(tree: unknown, dotted: string): unknown {
  let node = tree;
  for (const part of dotted.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

function integer(key: string, raw: string | undefined, min: number, max: number, fallback?: string): number {
  const text = (raw ?? fallback)?.trim();
  if (text === undefined) throw new ConfigError(key, undefined, `an integer from ${min} to ${max}`);
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(key, raw, `an integer from ${min} to ${max}`);
  }
  return value;
}

/** A Go duration above zero: a timeout of 0 would fail every request. */
function positiveDuration(key: string, raw: string | undefined, fallback: string): number {
  const ms = parseDuration(raw ?? fallback, key);
  if (ms <= 0) throw new ConfigError(key, raw, 'a Go duration above zero, such as "5s"');
  return ms;
}

/** "host:port", "[::1]:port". */
export function parseAddress(raw: string | undefined, key: string): { host: string; port: number } {
  const expected = 'host:port, e.g. "server:12345"';
  if (raw === undefined) throw new ConfigError(key, undefined, expected);
  const colon = raw.lastIndexOf(':');
  const host = raw.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const portText = raw.slice(colon + 1);
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
  if (colon < 0 || host === '' || !(port >= 1 && port <= 65535)) throw new ConfigError(key, raw, expected);
  return { host, port };
}

function parseMode(raw: string, key: string): ClientMode {
  const mode = raw.trim().toLowerCase();
  if (isClientMode(mode)) return mode;
  throw new ConfigError(key, raw, `one of ${CLIENT_MODES.join(', ')}`);
}
