import bunyan from 'bunyan';
import { formatLogLine, type LogFields, type LogResult } from './log-line.js';
import { levelNameOf, toBunyanLevel, type LevelName } from './levels.js';

export type LogFormat = 'line' | 'json';

export interface LoggerOptions {
  readonly name: string;
  readonly level: LevelName;
  /** `line` (default) prints the course's lines; `json` prints bunyan's records. Env LOG_FORMAT=json picks json. */
  readonly format?: LogFormat;
  readonly out?: NodeJS.WritableStream;
}

type LogMethod = (action: string, result: LogResult, fields?: LogFields) => void;

/** Logs the course's `action: X | result: Y | key: value` lines through bunyan. */
export interface CourseLogger {
  readonly debug: LogMethod;
  readonly info: LogMethod;
  readonly warning: LogMethod;
  readonly error: LogMethod;
  readonly critical: LogMethod;
  isDebugEnabled(): boolean;
}

interface LineRecord {
  readonly time: Date;
  readonly level: number;
  readonly msg: string;
}

/** Python logging's `%(asctime)s %(levelname)-8s %(message)s` with datefmt `%Y-%m-%d %H:%M:%S`, as the course's apps print. */
export function formatRecord(record: LineRecord): string {
  const t = record.time;
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())} ${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())}`;
  return `${stamp} ${levelNameOf(record.level).padEnd(8)} ${record.msg}\n`;
}

export function formatFromEnv(env: NodeJS.ProcessEnv = process.env): LogFormat {
  return env['LOG_FORMAT']?.toLowerCase() === 'json' ? 'json' : 'line';
}

export function createLogger(options: LoggerOptions): CourseLogger {
  const out = options.out ?? process.stdout;
  const level = toBunyanLevel(options.level);
  const stream: bunyan.Stream =
    (options.format ?? 'line') === 'json'
      ? { level, stream: out }
      : { level, type: 'raw', stream: { write: (record: LineRecord) => out.write(formatRecord(record)) } as unknown as NodeJS.WritableStream };
  const log = bunyan.createLogger({ name: options.name, streams: [stream] });

  const method =
    (bunyanLevel: number): LogMethod =>
    (action, result, fields = {}) => {
      if (log.level() > bunyanLevel) return;
      log[bunyanMethod(bunyanLevel)]({ action, result, fields }, formatLogLine(action, result, fields));
    };

  return {
    debug: method(bunyan.DEBUG),
    info: method(bunyan.INFO),
    warning: method(bunyan.WARN),
    error: method(bunyan.ERROR),
    critical: method(bunyan.FATAL),
    isDebugEnabled: () => log.level() <= bunyan.DEBUG,
  };
}

function bunyanMethod(level: number): 'debug' | 'info' | 'warn' | 'error' | 'fatal' {
  if (level >= bunyan.FATAL) return 'fatal';
  if (level >= bunyan.ERROR) return 'error';
  if (level >= bunyan.WARN) return 'warn';
  if (level >= bunyan.INFO) return 'info';
  return 'debug';
}
