/**
 * Before/after benchmark of two builds of the whole system: the Docker bundles of another commit (built in a
 * temporary git worktree) against this tree's, each run end to end (server + 5 agencies on 127.0.0.1 on the
 * course's dataset), then both again on empty agency files: the start-up floor that no per-bet work is in. Runs
 * are interleaved, A B A B ..., so that a change in the machine's load hits both alike. Each build runs as its own
 * images run it: node with the flags of its Dockerfiles' ENTRYPOINTs (an older build's may start from a V8 startup
 * snapshot that its docker/bundle.mjs wrote beside the bundles).
 *
 *   pnpm --filter @tp0/system bench:compare      (node dist/bench/compare.js [--ref HEAD~1] [--pairs 5])
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { asUsageError, integerFlag, UsageError } from '../cli-args.js';
import { appCommand, DOCKER_DIR, type AppCommand } from '../run/processes.js';
import { runSystem } from '../run/run-system.js';
import { countRows, countStored } from '../run/summary.js';
import { courseDataset, type Dataset } from './dataset.js';
import { describeMachine, loadAverage, loadIsHigh, median, nodeStartupMs, table } from './machine.js';
import { addWorktree, buildBundles, removeWorktree, runCommand, type Worktree } from './worktree.js';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const MIN_PAIRS = 5;
const RUN_TIMEOUT_MS = 120_000;
const USAGE = `usage: compare [--ref GIT_REF (HEAD~1)] [--pairs N (5, at least ${MIN_PAIRS})]`;

interface CompareOptions {
  readonly ref: string;
  readonly pairs: number;
}

/** One build of the apps: the directory of its bundles (docker/dist of that commit) and of its Dockerfiles. */
interface Variant {
  readonly name: 'A' | 'B';
  readonly label: string;
  readonly bundleDir: string;
  readonly dockerDir: string;
}

/** One end-to-end run. CPU and RSS as each child reported them as it exited; null when a child did not report. */
interface Measurement {
  readonly variant: Variant;
  /** Server spawned → the last agency's consulta_ganadores line. */
  readonly wallMs: number | null;
  readonly serverCpuMs: number | null;
  readonly agenciesCpuMs: number | null;
  readonly serverRssKb: number | null;
  readonly clientRssKb: number | null;
  readonly stored: number;
  /** Why the run FAILED (a process failed, a count differed, bets.csv lacks rows), or null. */
  readonly failure: string | null;
}

interface Conditions {
  readonly machine: string;
  readonly cores: number;
  readonly extraCaCerts: boolean;
  readonly loadAtStart: [number, number, number];
}

const log = (step: string) => process.stderr.write(`compare: ${step}\n`);
const secs = (ms: number | null) => (ms === null || Number.isNaN(ms) ? '-' : (ms / 1000).toFixed(2));
const msText = (ms: number | null) => (ms === null || Number.isNaN(ms) ? '-' : ms.toFixed(0));
const mb = (kb: number | null) => (kb === null ? '-' : (kb / 1024).toFixed(1));
const loadText = (load: readonly number[]) => load.map((l) => l.toFixed(2)).join(' ');
const commandLine = (command: AppCommand) => ['node', ...command.nodeArgs, command.script].join(' ');

function parseCompareArgs(argv: readonly string[]): CompareOptions {
  const { values } = asUsageError(() =>
    parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: { ref: { type: 'string', default: 'HEAD~1' }, pairs: { type: 'string', default: String(MIN_PAIRS) } },
    }),
  );
  return { ref: values.ref, pairs: integerFlag('pairs', values.pairs, MIN_PAIRS, 1000) };
}

function readConditions(): Conditions {
  return {
    machine: describeMachine(),
    cores: os.cpus().length,
    extraCaCerts: (process.env['NODE_EXTRA_CA_CERTS'] ?? '') !== '',
    loadAtStart: loadAverage(),
  };
}

/** This tree's bundles, from its current dist/ (`node docker/bundle.mjs`), into `out` so that no rebuild can change them mid-run. */
async function bundleThisTree(out: string): Promise<string> {
  await runCommand(process.execPath, [path.join(REPO, 'docker/bundle.mjs'), '--out', out], REPO);
  return out;
}

/** One empty file per agency: a run then costs only the processes' start, connect, hello, finished, draw and exit. */
async function emptyDataset(dir: string, agencies: number): Promise<Dataset> {
  await mkdir(dir, { recursive: true });
  const files = Array.from({ length: agencies }, (_, i) => path.join(dir, `agency-${i + 1}.csv`));
  for (const file of files) await writeFile(file, '');
  return { files, source: `${agencies} empty agency files` };
}

async function totalRows(dataset: Dataset): Promise<number> {
  let total = 0;
  for (const file of dataset.files) total += await countRows(file);
  return total;
}

function sumOrNull(values: readonly (number | null)[]): number | null {
  return values.some((v) => v === null) ? null : values.reduce<number>((a, b) => a + b!, 0);
}

/** One end-to-end run of `variant` in a fresh directory (stale usage reports from an earlier run cannot be read). */
async function measure(variant: Variant, dataset: Dataset, expectedRows: number, dir: string): Promise<Measurement> {
  await mkdir(dir, { recursive: true });
  const betsFile = path.join(dir, 'bets.csv');
  const result = await runSystem({
    inputFiles: dataset.files,
    workDir: dir,
    betsFile,
    measureRss: true,
    timeoutMs: RUN_TIMEOUT_MS,
    bundled: true,
    bundleDir: variant.bundleDir,
    dockerDir: variant.dockerDir,
  });
  const stored = (await countStored(betsFile)).total;
  await rm(dir, { recursive: true, force: true });
  const problems = [...result.summary.problems];
  if (stored !== expectedRows) problems.push(`bets.csv holds ${stored} rows, the dataset ${expectedRows}`);
  if (result.timings.lastWinners === null) problems.push('an agency printed no consulta_ganadores line');
  const clientRss = result.clientUsage.map((u) => u?.peakRssKb ?? null);
  return {
    variant,
    wallMs: result.timings.lastWinners,
    serverCpuMs: result.serverUsage?.cpuMs ?? null,
    agenciesCpuMs: sumOrNull(result.clientUsage.map((u) => u?.cpuMs ?? null)),
    serverRssKb: result.serverUsage?.peakRssKb ?? null,
    clientRssKb: clientRss.some((r) => r === null) ? null : Math.max(...(clientRss as number[])),
    stored,
    failure: problems.length === 0 ? null : problems.join('; '),
  };
}

/** One discarded warm-up of each variant, then `pairs` rounds of A then B. */
async function runInterleaved(
  variants: readonly [Variant, Variant],
  pairs: number,
  run: (variant: Variant) => Promise<Measurement>,
): Promise<Measurement[][]> {
  for (const variant of variants) {
    const warmUp = await run(variant);
    log(`warm-up ${variant.name}: ${msText(warmUp.wallMs)} ms${warmUp.failure === null ? '' : `, FAILED: ${warmUp.failure}`} (discarded)`);
  }
  const rounds: Measurement[][] = [];
  for (let pair = 1; pair <= pairs; pair++) {
    const round: Measurement[] = [];
    for (const variant of variants) round.push(await run(variant));
    log(`pair ${pair}/${pairs}: ${round.map((m) => `${m.variant.name} ${msText(m.wallMs)} ms${m.failure === null ? '' : ' FAILED'}`).join(', ')}`);
    rounds.push(round);
  }
  return rounds;
}

function totalCpuMs(m: Measurement): number | null {
  return m.serverCpuMs === null || m.agenciesCpuMs === null ? null : m.serverCpuMs + m.agenciesCpuMs;
}

/** Median of the values present; NaN when none is. */
function medianOf(values: readonly (number | null)[]): number {
  const present = values.filter((v): v is number => v !== null);
  return present.length === 0 ? Number.NaN : median(present);
}

function maxOf(values: readonly (number | null)[]): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length === 0 ? null : Math.max(...present);
}

interface VariantFigures {
  readonly variant: Variant;
  readonly runs: number;
  readonly ok: number;
  readonly wall: { readonly median: number; readonly min: number | null; readonly max: number | null };
  readonly serverCpuMs: number;
  readonly agenciesCpuMs: number;
  readonly totalCpuMs: number;
  readonly serverRssKb: number | null;
  readonly clientRssKb: number | null;
  readonly stored: readonly number[];
}

/** Medians (wall, CPU) and maxima (RSS) over the runs that did not fail. */
function figures(variant: Variant, runs: readonly Measurement[]): VariantFigures {
  const ok = runs.filter((m) => m.failure === null);
  const walls = ok.map((m) => m.wallMs);
  return {
    variant,
    runs: runs.length,
    ok: ok.length,
    wall: { median: medianOf(walls), min: walls.length === 0 ? null : Math.min(...(walls as number[])), max: maxOf(walls) },
    serverCpuMs: medianOf(ok.map((m) => m.serverCpuMs)),
    agenciesCpuMs: medianOf(ok.map((m) => m.agenciesCpuMs)),
    totalCpuMs: medianOf(ok.map(totalCpuMs)),
    serverRssKb: maxOf(ok.map((m) => m.serverRssKb)),
    clientRssKb: maxOf(ok.map((m) => m.clientRssKb)),
    stored: [...new Set(runs.map((m) => m.stored))],
  };
}

function pairsTable(rounds: readonly Measurement[][]): string {
  const cells = (m: Measurement | undefined) => (m === undefined ? ['-', '-', '-'] : [msText(m.wallMs), secs(totalCpuMs(m)), m.failure === null ? 'ok' : 'FAILED']);
  return table(
    ['pair', 'A wall ms', 'A CPU s', 'A run', 'B wall ms', 'B CPU s', 'B run'],
    rounds.map((round, i) => [String(i + 1), ...cells(round[0]), ...cells(round[1])]),
  );
}

function figuresTable(all: readonly VariantFigures[], expectedRows: number): string {
  return table(
    ['variant', 'wall ms median', 'min', 'max', 'server CPU s', 'agencies CPU s', 'total CPU s', 'server peak RSS MB', 'client peak RSS MB (max)', 'stored', 'runs ok'],
    all.map((f) => [
      `${f.variant.name} ${f.variant.label}`,
      msText(f.wall.median),
      msText(f.wall.min),
      msText(f.wall.max),
      secs(f.serverCpuMs),
      secs(f.agenciesCpuMs),
      secs(f.totalCpuMs),
      mb(f.serverRssKb),
      mb(f.clientRssKb),
      f.stored.map((n) => (n === expectedRows ? n.toLocaleString('en') : `${n.toLocaleString('en')} (WRONG)`)).join(' / '),
      `${f.ok}/${f.runs}`,
    ]),
  );
}

/** before ÷ after: above 1 the after build is faster (wall) or cheaper (CPU). */
function ratioLine(before: VariantFigures, after: VariantFigures): string {
  const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : '-');
  return `before/after: wall ${ratio(before.wall.median, after.wall.median)}, total CPU ${ratio(before.totalCpuMs, after.totalCpuMs)} (medians; above 1 = after is faster / cheaper)`;
}

/** The CPU above the floor: what the bets themselves cost (read, check, send, decode, store, ack, the draw). */
function perBetLine(before: VariantFigures, after: VariantFigures, floorBefore: VariantFigures, floorAfter: VariantFigures, bets: number): string {
  const [a, b] = [before.totalCpuMs - floorBefore.totalCpuMs, after.totalCpuMs - floorAfter.totalCpuMs];
  const perBet = (ms: number) => `${((ms * 1000) / bets).toFixed(1)} µs a bet`;
  return `above the floor (the bets' own work; medians subtracted): A ${secs(a)} s (${perBet(a)}), B ${secs(b)} s (${perBet(b)}), ${Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : '-'}`;
}

function failures(rounds: readonly Measurement[][]): string[] {
  return rounds.flatMap((round, i) => round.filter((m) => m.failure !== null).map((m) => `FAILED pair ${i + 1} ${m.variant.name}: ${m.failure}`));
}

function conditionLines(c: Conditions, floorMs: readonly number[], loadBeforeRuns: readonly number[]): string[] {
  const lines = [
    `machine: ${c.machine}`,
    `NODE_EXTRA_CA_CERTS: ${c.extraCaCerts ? 'set in this shell; the runner starts the server and agencies without it (they make no TLS connections)' : 'not set'}`,
    `start-up floor: \`node -e ''\` as the runner's children start, median ${median(floorMs).toFixed(0)} ms over ${floorMs.length} spawns (${floorMs.map((ms) => ms.toFixed(0)).join(', ')})`,
    `load average at start: ${loadText(c.loadAtStart)} (${c.cores} cores); when the runs began: ${loadText(loadBeforeRuns)} (includes the builds above)`,
  ];
  if (loadIsHigh(c.loadAtStart[0], c.cores)) lines.push(`LOAD HIGH: figures unreliable (1-minute load ${c.loadAtStart[0].toFixed(2)} > ${c.cores} cores × 0.5 at start)`);
  return lines;
}

function printReport(report: {
  conditions: Conditions;
  floorMs: number[];
  loadBeforeRuns: number[];
  dataset: Dataset;
  expectedRows: number;
  variants: readonly [Variant, Variant];
  rounds: Measurement[][];
  floorRounds: Measurement[][];
}): void {
  const { conditions, variants, rounds, floorRounds, expectedRows } = report;
  const [before, after] = variants.map((v, i) => figures(v, rounds.map((round) => round[i]!)));
  const [floorBefore, floorAfter] = variants.map((v, i) => figures(v, floorRounds.map((round) => round[i]!)));
  const loadAtEnd = loadAverage();
  const out = [
    ...conditionLines(conditions, report.floorMs, report.loadBeforeRuns),
    `data: ${report.dataset.source}; ${expectedRows.toLocaleString('en')} bets in ${report.dataset.files.length} agency files`,
    `variants: A = ${variants[0].label}, B = ${variants[1].label}, each run as its images run it:`,
    ...variants.flatMap((v) => (['@tp0/server', '@tp0/client'] as const).map((pkg) => `  ${v.name}: ${commandLine(appCommand(pkg, { bundled: true, ...v }))}`)),
    `runs: one warm-up of each (discarded), then ${rounds.length} pairs A B, interleaved`,
    '',
    pairsTable(rounds),
    '',
    figuresTable([before!, after!], expectedRows),
    '',
    ratioLine(before!, after!),
    'wall = server spawned → the last agency\'s consulta_ganadores line. CPU = process.cpuUsage() read in each child\'s exit',
    'handler (getrusage RUSAGE_SELF of the child itself: all its threads, not processes it starts); agencies summed;',
    'medians over the runs that did not fail. RSS = VmHWM at exit, max over those runs. stored = rows in bets.csv,',
    `each must equal the dataset's ${expectedRows.toLocaleString('en')} or the run FAILED.`,
    ...failures(rounds),
    '',
    `start-up floor: the same runs on ${report.dataset.files.length} empty agency files (start, connect, hello, finished, an empty draw, winners, exit), ${floorRounds.length} pairs after a warm-up each:`,
    '',
    figuresTable([floorBefore!, floorAfter!], 0),
    '',
    ratioLine(floorBefore!, floorAfter!),
    perBetLine(before!, after!, floorBefore!, floorAfter!, expectedRows),
    ...failures(floorRounds),
    `load average at end: ${loadText(loadAtEnd)}${loadIsHigh(conditions.loadAtStart[0], conditions.cores) ? ' — LOAD HIGH: figures unreliable' : ''}`,
  ];
  console.log(out.join('\n'));
}

/** On Ctrl-C or SIGTERM the finally blocks do not run: remove the worktree and the scratch directory here. */
function removeOnSignal(state: { tree: Worktree | null; work: string }): void {
  const handler = (signal: NodeJS.Signals) => {
    if (state.tree !== null) {
      try {
        execFileSync('git', ['worktree', 'remove', '--force', state.tree.dir], { cwd: REPO, stdio: 'ignore' });
      } catch {
        // The directory removal below and a later `git worktree prune` finish the job.
      }
    }
    execFileSync('rm', ['-rf', state.work]);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
}

async function compare(options: CompareOptions): Promise<boolean> {
  const conditions = readConditions();
  const work = await mkdtemp(path.join(tmpdir(), 'tp0-compare-'));
  const state: { tree: Worktree | null; work: string } = { tree: null, work };
  removeOnSignal(state);
  try {
    log('bundling this tree (node docker/bundle.mjs)');
    const afterDir = await bundleThisTree(path.join(work, 'after-bundles'));
    log(`checking out ${options.ref} in a worktree`);
    state.tree = await addWorktree(REPO, options.ref, path.join(work, 'before'));
    const beforeDir = await buildBundles(state.tree, log);
    const variants: [Variant, Variant] = [
      { name: 'A', label: `before (${state.tree.commit})`, bundleDir: beforeDir, dockerDir: path.join(state.tree.dir, 'docker') },
      { name: 'B', label: 'after (this tree)', bundleDir: afterDir, dockerDir: DOCKER_DIR },
    ];
    const dataset = await courseDataset(path.join(work, 'data'));
    const expectedRows = await totalRows(dataset);
    const floorMs = await nodeStartupMs(5);
    const loadBeforeRuns = loadAverage();
    let runIndex = 0;
    const rounds = await runInterleaved(variants, options.pairs, (variant) =>
      measure(variant, dataset, expectedRows, path.join(work, `run-${++runIndex}-${variant.name}`)),
    );
    log('start-up floor: the same on empty agency files');
    const empty = await emptyDataset(path.join(work, 'empty'), dataset.files.length);
    const floorRounds = await runInterleaved(variants, options.pairs, (variant) => measure(variant, empty, 0, path.join(work, `run-${++runIndex}-${variant.name}`)));
    printReport({ conditions, floorMs, loadBeforeRuns, dataset, expectedRows, variants, rounds, floorRounds });
    return failures(rounds).length === 0 && failures(floorRounds).length === 0;
  } finally {
    if (state.tree !== null) {
      const problem = await removeWorktree(REPO, state.tree);
      if (problem !== null) log(`could not remove the worktree ${state.tree.dir}: ${problem}`);
    }
    await rm(work, { recursive: true, force: true });
  }
}

try {
  process.exitCode = (await compare(parseCompareArgs(process.argv.slice(2)))) ? 0 : 1;
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`compare: ${error.message}\n${USAGE}\n`);
  process.exitCode = 2;
}
