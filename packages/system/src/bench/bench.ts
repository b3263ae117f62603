/**
 * End-to-end benchmark: the local runner's system (built server + 5 agency clients on 127.0.0.1) on the course's
 * dataset, 5 runs; then the server's start-up benchmark and the client's RSS on a 1,000,000-row file.
 *
 * Then the scale scenarios on generated data: 50 agencies × 20,000 bets and 5 × 200,000 (throughput and RSS).
 *
 *   pnpm --filter @tp0/system bench      (node dist/bench/bench.js [--runs 5] [--skip-1m] [--skip-scale])
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { generateAgencyFiles } from '../gen-data.js';
import { runSystem, type RunResult } from '../run/run-system.js';
import { countStored } from '../run/summary.js';
import { courseDataset } from './dataset.js';
import { describeMachine, median, table } from './machine.js';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, 'skip-1m': { type: 'boolean', default: false }, 'skip-scale': { type: 'boolean', default: false } },
});
const RUNS = Number(values.runs);
const PACKAGES = fileURLToPath(new URL('../../../', import.meta.url));
const mb = (kb: number | null | undefined) => (kb == null ? '-' : (kb / 1024).toFixed(1));
const ms = (v: number | null | undefined) => (v == null ? '-' : v.toFixed(0));

/** When the first line containing `text` was read, relative to the run's start. */
function lineAt(result: RunResult, lines: RunResult['server']['lines'], text: string, last = false): number | null {
  const matching = lines.filter((l) => l.text.includes(text));
  const found = last ? matching.at(-1) : matching[0];
  return found === undefined ? null : found.at - result.startedAt;
}

/** Where the wall time goes: each phase ends at a line the runner read from a child (ms since the server was spawned). */
function phases(r: RunResult): Record<string, number | null> {
  const s = r.server.lines;
  const listen = lineAt(r, s, 'action: listen');
  const firstAccept = lineAt(r, s, 'action: accept_connection');
  const lastAccept = lineAt(r, s, 'action: accept_connection', true);
  const lastFinished = lineAt(r, s, 'action: agencia_finalizada', true);
  const draw = lineAt(r, s, 'action: sorteo');
  const diff = (a: number | null, b: number | null) => (a === null || b === null ? null : b - a);
  return {
    'server start → listen': listen,
    'clients spawned → first connect': diff(listen, firstAccept),
    'first → last connect': diff(firstAccept, lastAccept),
    'first connect → last finished (ingest)': diff(firstAccept, lastFinished),
    'last finished → sorteo (draw)': diff(lastFinished, draw),
    'sorteo → last client winners line': diff(draw, r.timings.lastWinners),
    'last winners → clients exited': diff(r.timings.lastWinners, r.timings.clientsExited),
  };
}

async function runNode(script: string, args: string[] = [], timeoutMs = 300_000): Promise<string> {
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [script, ...args], { timeout: timeoutMs, maxBuffer: 16 << 20 });
  return (stdout + stderr).trimEnd();
}

async function main(): Promise<void> {
  console.log(`machine: ${describeMachine()}`);
  // The runs use the single-file bundles the Docker images run; rebuild them from the current dist first.
  console.log(await runNode(fileURLToPath(new URL('../../../../docker/bundle.mjs', import.meta.url))));
  const work = await mkdtemp(path.join(tmpdir(), 'tp0-bench-'));
  try {
    const dataset = await courseDataset(path.join(work, 'data'));
    console.log(`data: ${dataset.source}`);
    const results: RunResult[] = [];
    const betsFile = path.join(work, 'bets.csv');
    let expectedTotal = 0;
    for (let i = 0; i < RUNS; i++) {
      const result = await runSystem({ inputFiles: dataset.files, workDir: work, betsFile, measureRss: true, timeoutMs: 120_000, bundled: true });
      const stored = await countStored(betsFile);
      expectedTotal = result.summary.rows.reduce((n, r) => n + r.fileBets, 0);
      if (!result.ok || stored.total !== expectedTotal) console.log(`run ${i + 1} FAILED: ${result.summary.problems.join('; ')}`);
      results.push(result);
    }
    const walls = results.map((r) => r.timings.lastWinners ?? Number.NaN);
    const bets = expectedTotal;
    console.log(`\nEnd to end, ${dataset.files.length} agencies, ${bets} bets, ${RUNS} runs (wall = server spawn → last consulta_ganadores line):\n`);
    console.log(
      table(
        ['run', 'wall ms', 'bets/s', 'server RSS MB', 'client RSS MB (max)', 'server CPU ms', 'clients CPU ms', 'stored', 'ok'],
        results.map((r, i) => [
          String(i + 1),
          ms(walls[i]),
          Math.round(bets / (walls[i]! / 1000)).toLocaleString('en'),
          mb(r.serverUsage?.peakRssKb),
          mb(Math.max(...r.clientUsage.map((u) => u?.peakRssKb ?? 0))),
          ms(r.serverUsage?.cpuMs),
          ms(r.clientUsage.reduce((n, u) => n + (u?.cpuMs ?? 0), 0)),
          String(r.summary.rows.reduce((n, row) => n + row.storedBets, 0)),
          r.ok ? 'yes' : 'NO',
        ]),
      ),
    );
    const med = median(walls);
    console.log(`\nmedian wall ${med.toFixed(0)} ms = ${Math.round(bets / (med / 1000)).toLocaleString('en')} bets/s; all runs: ${walls.map((w) => w.toFixed(0)).join(', ')} ms`);
    console.log(`server peak RSS max ${mb(Math.max(...results.map((r) => r.serverUsage?.peakRssKb ?? 0)))} MB (target ≤ 80); verified stored total ${results.map((r) => r.summary.rows.reduce((n, row) => n + row.storedBets, 0)).join(', ')}`);

    console.log('\nWhere the time goes (median over runs, ms):\n');
    const perRun = results.map(phases);
    console.log(table(['phase', 'ms'], Object.keys(perRun[0]!).map((k) => [k, ms(median(perRun.map((p) => p[k] ?? Number.NaN)))])));
    const sorteoMs = results.map((r) => Number(/\bms: (\d+)/.exec(r.server.lines.find((l) => l.text.includes('action: sorteo'))?.text ?? '')?.[1]));
    console.log(`(the server's own sorteo line: ${sorteoMs.join(', ')} ms from last finished to result)`);

    const startupBench = path.join(PACKAGES, 'server/dist/bench/startup-bench.js');
    console.log(`\nServer start-up recovery and last finished → winners (${path.relative(PACKAGES, startupBench)}):`);
    console.log(existsSync(startupBench) ? await runNode(startupBench) : 'not built / not present');

    const clientBench = path.join(PACKAGES, 'client/dist/bench/rss-bench.js');
    console.log(`\nClient RSS benchmark (${path.relative(PACKAGES, clientBench)}):`);
    console.log(existsSync(clientBench) ? await runNode(clientBench) : 'not built / not present');

    if (!values['skip-scale']) await scaleScenarios(work, betsFile);

    if (!values['skip-1m']) {
      console.log('\nOne agency, 1,000,000 rows, against the real server (batch 134):');
      const [big] = generateAgencyFiles({ out: path.join(work, 'big'), agencies: 1, bets: 1_000_000, seed: 1 });
      const r = await runSystem({ inputFiles: [big!], workDir: work, betsFile, measureRss: true, timeoutMs: 600_000, bundled: true });
      const wall = r.timings.lastWinners;
      console.log(
        table(
          ['what', 'figure'],
          [
            ['wall ms (spawn → winners)', ms(wall)],
            ['bets/s', wall === null ? '-' : Math.round(1_000_000 / (wall / 1000)).toLocaleString('en')],
            ['client peak RSS MB (target ≤ 100)', mb(r.clientUsage[0]?.peakRssKb)],
            ['server peak RSS MB', mb(r.serverUsage?.peakRssKb)],
            ['stored', String(r.summary.rows[0]?.storedBets)],
            ['ok', r.ok ? 'yes' : `NO: ${r.summary.problems.join('; ')}`],
          ],
        ),
      );
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Many agencies, or long files, on generated data: throughput over the whole run (server spawn → last winners
 * line, start-up included) and over ingest alone (first connect → last finished), peak RSS of every process.
 */
async function scaleScenarios(work: string, betsFile: string): Promise<void> {
  const rows: string[][] = [];
  for (const { agencies, bets } of [
    { agencies: 50, bets: 20_000 },
    { agencies: 5, bets: 200_000 },
  ]) {
    const files = generateAgencyFiles({ out: path.join(work, `scale-${agencies}`), agencies, bets, seed: 7 });
    const r = await runSystem({ inputFiles: files, workDir: work, betsFile, measureRss: true, timeoutMs: 600_000, bundled: true });
    const total = agencies * bets;
    const ingest = phases(r)['first connect → last finished (ingest)'] ?? null;
    const rate = (wallMs: number | null) => (wallMs === null ? '-' : Math.round(total / (wallMs / 1000)).toLocaleString('en'));
    rows.push([
      `${agencies} × ${bets.toLocaleString('en')}`,
      ms(r.timings.lastWinners),
      rate(r.timings.lastWinners),
      rate(ingest),
      mb(r.serverUsage?.peakRssKb),
      mb(Math.max(...r.clientUsage.map((u) => u?.peakRssKb ?? 0))),
      ms(r.serverUsage?.cpuMs),
      ms(r.clientUsage.reduce((n, u) => n + (u?.cpuMs ?? 0), 0)),
      r.ok ? 'yes' : `NO: ${r.summary.problems.slice(0, 2).join('; ')}`,
    ]);
    await rm(path.join(work, `scale-${agencies}`), { recursive: true, force: true });
  }
  console.log('\nScale (generated data; targets: 50 × 20,000 ≥ 150,000 bets/s with server RSS ≤ 80 MB; 5 × 200,000 RSS ≤ 80 MB):\n');
  console.log(
    table(['agencies × bets', 'wall ms', 'bets/s (wall)', 'bets/s (ingest)', 'server RSS MB', 'client RSS MB (max)', 'server CPU ms', 'clients CPU ms', 'ok'], rows),
  );
}

await main();
