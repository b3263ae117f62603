import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** A line a child printed, with the time the runner read it (performance.now() ms). */
export interface ChildLine {
  readonly text: string;
  readonly at: number;
  readonly stream: 'stdout' | 'stderr';
}

export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly at: number;
}

export interface ChildOptions {
  readonly name: string;
  /** Script run by this same node binary. */
  readonly script: string;
  /** Node (V8) flags before the script. */
  readonly nodeArgs?: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Called for every line of stdout and stderr, in order per stream. */
  readonly onLine?: (child: Child, line: ChildLine) => void;
  /** Have the child write its peak RSS (VmHWM, kB) and CPU time to this file as it exits. */
  readonly rssFile?: string;
}

/** What a measured child reported as it exited. */
export interface ChildUsage {
  /** VmHWM: peak resident set size, kB. */
  readonly peakRssKb: number;
  /** User + system CPU time of the whole process (all threads), ms. */
  readonly cpuMs: number;
}

/** Preloaded into a measured child: writes its peak RSS and CPU time to $TP0_RSS_FILE as it exits. */
const USAGE_REPORTER = fileURLToPath(new URL('../../usage-reporter.cjs', import.meta.url));

/** A node child process whose output is split into lines and kept. */
export class Child {
  readonly lines: ChildLine[] = [];
  readonly exited: Promise<ChildExit>;
  readonly started = performance.now();
  private readonly process: ChildProcess;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly options: ChildOptions) {
    const execArgv = options.rssFile === undefined ? [] : ['--require', USAGE_REPORTER];
    const env = options.rssFile === undefined ? options.env : { ...options.env, TP0_RSS_FILE: options.rssFile };
    this.process = spawn(process.execPath, [...execArgv, ...(options.nodeArgs ?? []), options.script], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const closed = (['stdout', 'stderr'] as const).map((stream) => {
      const reader = createInterface({ input: this.process[stream]!, crlfDelay: Infinity });
      reader.on('line', (text) => this.push({ text, at: performance.now(), stream }));
      return new Promise<void>((resolve) => reader.once('close', resolve));
    });
    const exit = new Promise<ChildExit>((resolve, reject) => {
      this.process.once('error', reject);
      this.process.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() }));
    });
    // 'exit' may come before the last lines were read; a result is final only with both.
    this.exited = Promise.all([exit, ...closed]).then(([result]) => {
      this.notify();
      return result;
    });
  }

  get name(): string {
    return this.options.name;
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    return this.process.exitCode === null && this.process.signalCode === null && this.process.kill(signal);
  }

  /** Resolves with the first line matching `test` (already printed or to come); rejects on exit or timeout. */
  waitForLine(test: (line: string) => boolean, timeoutMs: number): Promise<ChildLine> {
    return new Promise((resolve, reject) => {
      let seen = 0;
      let exited = false;
      let done = false;
      const onExit = () => {
        exited = true;
        check();
      };
      void this.exited.then(onExit, onExit);
      const check = () => {
        if (done) return;
        for (; seen < this.lines.length; seen++) {
          const line = this.lines[seen]!;
          if (test(line.text)) return finish(() => resolve(line));
        }
        if (exited) finish(() => reject(new Error(`${this.name} exited before the awaited line`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`${this.name}: awaited line not seen in ${timeoutMs} ms`))), timeoutMs);
      const finish = (settle: () => void) => {
        done = true;
        clearTimeout(timer);
        this.waiters.delete(check);
        settle();
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Peak RSS and CPU time as the child reported them at exit; null without `rssFile` or if it died before reporting. */
  async usage(): Promise<ChildUsage | null> {
    if (this.options.rssFile === undefined) return null;
    await this.exited;
    try {
      const usage = JSON.parse(await readFile(this.options.rssFile, 'utf8')) as ChildUsage;
      return usage.peakRssKb > 0 ? usage : null;
    } catch {
      return null;
    }
  }

  private push(line: ChildLine): void {
    this.lines.push(line);
    this.options.onLine?.(this, line);
    this.notify();
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** `server  | line`: names padded to `width` so the bars line up. */
export function prefixLine(name: string, width: number, line: string): string {
  return `${name.padEnd(width)} | ${line}`;
}
