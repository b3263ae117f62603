/**
 * Runs the server and N agency clients on 127.0.0.1 from their built entry points, streams their logs with a
 * name prefix, then prints per agency: bets in its file, bets stored, winners the client reported and winners
 * bets.csv holds. Exits 1 when a process failed or a count differs, 2 on a usage error or missing data.
 *
 *   node packages/system/dist/local-run.js [--agencies 5] [--data .data] [--batch M] [--bets-file PATH] [--quiet] [--bundled]
 */
import { existsSync, realpathSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { agencyFiles, parseRunArgs, USAGE, UsageError, type LocalRunOptions } from './run/args.js';
import { prefixLine } from './run/child.js';
import { runSystem, type RunResult } from './run/run-system.js';
import { formatSummary } from './run/summary.js';

export async function localRun(options: LocalRunOptions, out: (text: string) => void = (t) => process.stdout.write(`${t}\n`)): Promise<RunResult> {
  const inputFiles = agencyFiles(options.data, options.agencies);
  const missing = inputFiles.filter((file) => !existsSync(file));
  if (missing.length > 0) {
    throw new UsageError(
      `missing ${missing.length} of ${inputFiles.length} agency files in ${options.data} (first: ${path.basename(missing[0]!)}).\n` +
        `Make them with \`make data AGENCIES=${options.agencies}\` (synthetic) or \`make course-data\` (the course's 5 files).`,
    );
  }
  const workDir = await mkdtemp(path.join(tmpdir(), 'tp0-run-'));
  const betsFile = options.betsFile ?? path.join(workDir, 'bets.csv');
  const width = Math.max('server'.length, `client${options.agencies}`.length);
  try {
    const result = await runSystem({
      inputFiles,
      workDir,
      betsFile,
      timeoutMs: options.timeoutMs,
      bundled: options.bundled,
      ...(options.batch !== undefined && { batch: options.batch }),
      ...(!options.quiet && { onLine: (child, line) => out(prefixLine(child.name, width, line.text)) }),
    });
    const t = result.timings;
    const ms = (v: number | null) => (v === null ? '-' : `${Math.round(v)} ms`);
    out('');
    out(formatSummary(result.summary));
    out(`server ready ${ms(t.serverReady)}, last winners ${ms(t.lastWinners)}, clients done ${ms(t.clientsExited)}, server stopped ${ms(t.serverExited)}`);
    out(options.betsFile === undefined ? `bets.csv was a temp file (keep one with --bets-file PATH)` : `bets stored in ${betsFile}`);
    return result;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  try {
    const result = await localRun(parseRunArgs(process.argv.slice(2)));
    process.exitCode = result.ok ? 0 : 1;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`local-run: ${error.message}\n${USAGE}\n`);
    process.exitCode = 2;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) await main();
