import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import ini from 'ini';
import { ConfigError, parseDuration, parseLevel, type LevelName } from '@tp0/common';
import { STORAGE_FILEPATH } from './storage/bets.js';

export type FsyncMode = 'none' | 'batch';

export interface ServerConfig {
  readonly port: number;
  /** Address to bind; '' binds every interface (the course's server binds ''). */
  readonly ip: string;
  readonly listenBacklog: number;
  readonly loggingLevel: LevelName;
  /** Agencies 1..N must send `finished` before the draw; 0 means there is no draw. */
  readonly agencies: number;
  readonly betsFile: string;
  /** `batch`: every write of bets is fsynced before its acks are sent. */
  readonly fsync: FsyncMode;
  /** Milliseconds a connection may stay silent or stuck mid-frame before it is closed (0: never). */
  readonly idleTimeout: number;
  /** Agency -> the secret its `hello` must carry; empty: no secrets (the course's setting). */
  readonly agencySecrets: ReadonlyMap<number, string>;
}

/** Far above anything a course run waits between two messages of one connection. */
export const DEFAULT_IDLE_TIMEOUT = '60s';

export const DEFAULT_CONFIG_FILE = './config.ini';

/** Reads `[DEFAULT]` from the file named by CONFIG_FILE (default ./config.ini); env variables of the same names win. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const path = env['CONFIG_FILE'] || DEFAULT_CONFIG_FILE;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new ConfigError('CONFIG_FILE', resolve(path), `a readable config file (${reason})`);
  }
  const section: unknown = ini.parse(text)['DEFAULT'] ?? {};
  const file: Record<string, string> = {};
  for (const [key, value] of Object.entries(section as Record<string, unknown>)) {
    if (typeof value !== 'object') file[key] = String(value);
  }
  return parseConfig(file, env);
}

/** Validates raw `[DEFAULT]` values; `env` overrides them key by key. */
export function parseConfig(file: Readonly<Record<string, string>>, env: NodeJS.ProcessEnv = {}): ServerConfig {
  const raw = (key: string): string | undefined => env[key] ?? file[key];
  const required = (key: string, expected: string): string => {
    const value = raw(key);
    if (value === undefined) throw new ConfigError(key, undefined, expected);
    return value.trim();
  };
  const integer = (key: string, min: number, max: number): number => {
    const expected = `an integer from ${min} to ${max}`;
    const value = required(key, expected);
    const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!(n >= min && n <= max)) throw new ConfigError(key, value, expected);
    return n;
  };
  const fsync = (raw('FSYNC') ?? 'none').trim().toLowerCase();
  if (fsync !== 'none' && fsync !== 'batch') throw new ConfigError('FSYNC', raw('FSYNC'), 'none or batch');
  const betsFile = (raw('BETS_FILE') ?? STORAGE_FILEPATH).trim();
  if (betsFile === '') throw new ConfigError('BETS_FILE', raw('BETS_FILE'), 'a file path');
  return {
    port: integer('SERVER_PORT', 0, 65535),
    ip: required('SERVER_IP', 'an address to bind, or empty for all interfaces'),
    listenBacklog: integer('SERVER_LISTEN_BACKLOG', 1, 65535),
    loggingLevel: parseLevel(required('LOGGING_LEVEL', 'a logging level'), 'LOGGING_LEVEL'),
    agencies: integer('AGENCIES', 0, 65535),
    betsFile,
    fsync,
    idleTimeout: parseDuration(raw('IDLE_TIMEOUT') ?? DEFAULT_IDLE_TIMEOUT, 'IDLE_TIMEOUT'),
    agencySecrets: parseSecrets(raw('AGENCY_SECRETS') ?? ''),
  };
}

/** AGENCY_SECRETS = "1:alfa,2:beta": agency number, a colon, its secret (no commas in secrets). */
function parseSecrets(raw: string): Map<number, string> {
  const secrets = new Map<number, string>();
  const expected = 'comma-separated agency:secret pairs, e.g. "1:alfa,2:beta"';
  for (const pair of raw.split(',')) {
    if (pair.trim() === '') continue;
    const match = /^\s*(\d+):(.+?)\s*$/.exec(pair);
    if (match === null || Number(match[1]) < 1 || Number(match[1]) > 65535) throw new ConfigError('AGENCY_SECRETS', pair.replace(/:.*/s, ':<hidden>'), expected);
    secrets.set(Number(match[1]), match[2]!);
  }
  return secrets;
}
