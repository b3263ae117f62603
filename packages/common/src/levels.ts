import bunyan from 'bunyan';
import { ConfigError } from './config-error.js';

/** The course's level names (Python logging), as written in config files and printed in lines. */
export type LevelName = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL';

const BUNYAN_LEVEL: Readonly<Record<LevelName, number>> = {
  DEBUG: bunyan.DEBUG,
  INFO: bunyan.INFO,
  WARNING: bunyan.WARN,
  ERROR: bunyan.ERROR,
  CRITICAL: bunyan.FATAL,
};

const ALIASES: Readonly<Record<string, LevelName>> = { WARN: 'WARNING', FATAL: 'CRITICAL' };

export function parseLevel(raw: string, key: string): LevelName {
  const upper = raw.trim().toUpperCase();
  const name = ALIASES[upper] ?? upper;
  if (name in BUNYAN_LEVEL) return name as LevelName;
  throw new ConfigError(key, raw, `one of ${Object.keys(BUNYAN_LEVEL).join(', ')}`);
}

export function toBunyanLevel(level: LevelName): number {
  return BUNYAN_LEVEL[level];
}

/** Maps a bunyan record level back to the course's name (bunyan's TRACE prints as DEBUG). */
export function levelNameOf(bunyanLevel: number): LevelName {
  if (bunyanLevel >= bunyan.FATAL) return 'CRITICAL';
  if (bunyanLevel >= bunyan.ERROR) return 'ERROR';
  if (bunyanLevel >= bunyan.WARN) return 'WARNING';
  if (bunyanLevel >= bunyan.INFO) return 'INFO';
  return 'DEBUG';
}
