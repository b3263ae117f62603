import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Child, ChildLine, ChildUsage } from './child.js';
import { startClientProcess, startServerProcess, type BuildChoice } from './processes.js';
import { summarize, type Summary } from './summary.js';

export interface RunOptions extends BuildChoice {
  /** Agency i (1-based) reads inputFiles[i - 1]. */
  readonly inputFiles: readonly string[];
  /** Holds config.ini (and the RSS reports); the processes' cwd. */
  readonly workDir: string;
  /** Emptied first: the summary counts its rows. */
  readonly betsFile: string;
  readonly batch?: number;
  readonly onLine?: (child: Child, line: ChildLine) => void;
  /** Have each process report its peak RSS and CPU time as it exits. */
  readonly measureRss?: boolean;
  /** The whole run; on expiry every process gets SIGTERM and the run fails. */
  readonly timeoutMs?: number;
  readonly serverLogLevel?: string;
  readonly clientLogLevel?: string;
}

/** Milliseconds from the runner starting the server. */
export interface RunTimings {
  readonly serverReady: number;
  /** The last client's `consulta_ganadores` line; null if some client never printed one. */
  readonly lastWinners: number | null;
  readonly clientsExited: number;
  readonly serverExited: number;
}

export interface RunResult {
  /** performance.now() when the server was started; the children's line times are on the same clock. */
  readonly startedAt: number;
  readonly summary: Summary;
  readonly ok: boolean;
  readonly server: Child;
  readonly clients: readonly Child[];
  readonly timings: RunTimings;
  /** Peak RSS and CPU time, with measureRss. */
  readonly serverUsage: ChildUsage | null;
  readonly clientUsage: readonly (ChildUsage | null)[];
  readonly timedOut: boolean;
}

/** Server + one agency client per input file on 127.0.0.1: clients to completion, then SIGTERM to the server. */
export async function runSystem(options: RunOptions): Promise<RunResult> {
  const agencies = options.inputFiles.length;
  // A fresh lottery: the server would otherwise resume from the last run's bets and finished record.
  await rm(options.betsFile, { force: true });
  await rm(`${options.betsFile}.finished`, { force: true });
  const rssFile = (name: string) => (options.measureRss ? { rssFile: path.join(options.workDir, `${name}.rss`) } : {});
  const build: BuildChoice = { bundled: options.bundled, bundleDir: options.bundleDir, dockerDir: options.dockerDir };
  const start = performance.now();
  const { child: server, port } = await startServerProcess({
    dir: options.workDir,
    agencies,
    betsFile: options.betsFile,
    ...build,
    ...(options.serverLogLevel && { logLevel: options.serverLogLevel }),
    ...(options.onLine && { onLine: options.onLine }),
    ...rssFile('server'),
  });
  const serverReady = performance.now() - start;
  const clients = options.inputFiles.map((dataFile, index) =>
    startClientProcess({
      id: index + 1,
      port,
      dataFile,
      dir: options.workDir,
      ...build,
      ...(options.batch !== undefined && { batch: options.batch }),
      ...(options.clientLogLevel && { logLevel: options.clientLogLevel }),
      ...(options.onLine && { onLine: options.onLine }),
      ...rssFile(`client${index + 1}`),
    }),
  );

  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    for (const child of [...clients, server]) child.kill('SIGTERM');
  }, options.timeoutMs ?? 120_000);
  const clientExits = await Promise.all(clients.map((c) => c.exited));
  const clientsExited = performance.now() - start;
  server.kill('SIGTERM');
  const serverExit = await server.exited;
  clearTimeout(timer);
  const serverExited = performance.now() - start;

  const winnersAt = clients.map((c) => c.lines.find((l) => l.text.includes('action: consulta_ganadores | result: success'))?.at);
  const lastWinners = winnersAt.every((at) => at !== undefined) ? Math.max(...(winnersAt as number[])) - start : null;
  const summary = await summarize({
    inputFiles: options.inputFiles,
    betsFile: options.betsFile,
    clients: clients.map((c, i) => ({ lines: c.lines.map((l) => l.text), exitCode: clientExits[i]!.code })),
    serverLines: server.lines.map((l) => l.text),
    serverExitCode: serverExit.code,
    elapsedMs: serverExited,
  });
  const problems = timedOut ? [`timed out after ${options.timeoutMs ?? 120_000} ms`, ...summary.problems] : summary.problems;
  return {
    startedAt: start,
    summary: { ...summary, problems },
    ok: problems.length === 0,
    server,
    clients,
    timings: { serverReady, lastWinners, clientsExited, serverExited },
    serverUsage: await server.usage(),
    clientUsage: await Promise.all(clients.map((c) => c.usage())),
    timedOut,
  };
}
