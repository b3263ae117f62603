import { ConfigError } from './config-error.js';

/** Go's time.ParseDuration units, in milliseconds. */
const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  'μs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const TERM = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/** Parses a Go duration string ("100ms", "5s", "1m30s", "1.5h") into milliseconds. */
export function parseDuration(raw: string, key = 'duration'): number {
  const text = raw.trim();
  const fail = () => new ConfigError(key, raw, 'a Go duration such as "100ms", "5s" or "1m30s"');
  if (text === '0') return 0;
  if (text === '') throw fail();
  let total = 0;
  TERM.lastIndex = 0;
  while (TERM.lastIndex < text.length) {
    const match = TERM.exec(text);
    if (match === null) throw fail();
    total += Number(match[1]) * UNIT_MS[match[2] as string]!;
  }
  return total;
}

/** Formats milliseconds the way Go's Duration.String does ("100ms", "5s", "1m30s", "1h0m0s"). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1) {
    const us = ms * 1000;
    return us < 1 ? `${trim(ms * 1e6)}ns` : `${trim(us)}µs`;
  }
  if (ms < 1000) return `${trim(ms)}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = `${trim((ms % 60_000) / 1000)}s`;
  if (hours > 0) return `${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${minutes}m${seconds}`;
  return seconds;
}

function trim(value: number): string {
  return String(Number(value.toFixed(9)));
}
