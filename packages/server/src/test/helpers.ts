import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createLogger, parseLogLine, type CourseLogger, type LevelName, type ParsedLogLine } from '@tp0/common';

export interface CapturedLogger {
  readonly log: CourseLogger;
  lines(): string[];
  parsed(): ParsedLogLine[];
}

export function captureLogger(level: LevelName = 'DEBUG'): CapturedLogger {
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  const lines = () => chunks.join('').split('\n').filter(Boolean);
  return {
    log: createLogger({ name: 'server-test', level, out }),
    lines,
    parsed: () => lines().map(parseLogLine).filter((p): p is ParsedLogLine => p !== null),
  };
}

export async function tempDir(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tp0-server-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Polls `what` every 10 ms until it returns a value; rejects after `timeoutMs`. */
export function until<T>(what: () => T | undefined, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      const value = what();
      if (value !== undefined) return resolve(value);
      if (Date.now() - started > timeoutMs) return reject(new Error(`nothing after ${timeoutMs} ms`));
      setTimeout(poll, 10);
    };
    poll();
  });
}

/** Like `until`, for a check that is itself asynchronous (a request whose answer changes once the server caught up). */
export async function untilAsync<T>(what: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await what();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`nothing after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
