/**
 * The draw's figures, each against the faithful port (loadBets + hasWon) in the same run:
 *   1. the course's dataset (../shared/datasets/tp0-dataset.zip, 78,697 bets) stored as the server stores it;
 *   2. ROWS generated bets (default 2,000,000), with the main thread's event-loop delay while the draw runs.
 * Usage: node dist/bench/draw-bench.js [rows] [--dataset path.zip] [--no-port]   (--no-port: skip the port on 2.)
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { AgencyBet } from '@tp0/protocol';
import { DrawSource } from '../draw-source.js';
import { startDraw } from '../draw.js';
import { encodeBets, hasWon, loadBets, LOTTERY_WINNER_NUMBER } from '../storage/bets.js';

const args = process.argv.slice(2);
const rows = Number(args.find((a) => /^\d+$/.test(a)) ?? 2_000_000);
const datasetFlag = args.indexOf('--dataset');
const dataset = datasetFlag >= 0 ? args[datasetFlag + 1]! : resolve(import.meta.dirname, '../../../../../shared/datasets/tp0-dataset.zip');
const dir = await mkdtemp(join(tmpdir(), 'tp0-draw-bench-'));

interface Timing {
  readonly ms: number;
  readonly cpuMs: number;
  readonly winners: number;
  readonly rows: number;
}

async function timed(run: () => Promise<{ winners: Map<number, string[]>; rows: number }>): Promise<Timing> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const { winners, rows: read } = await run();
  const ms = performance.now() - started;
  const { user, system } = process.cpuUsage(cpu);
  let count = 0;
  for (const documents of winners.values()) count += documents.length;
  return { ms, cpuMs: (user + system) / 1000, winners: count, rows: read };
}

async function drawOnce(path: string): Promise<Timing> {
  const source = await DrawSource.open(path);
  try {
    return await timed(() => startDraw(source).result);
  } finally {
    await source.close();
  }
}

async function portOnce(path: string): Promise<Timing> {
  return timed(async () => {
    const winners = new Map<number, string[]>();
    let read = 0;
    for await (const bet of loadBets(path)) {
      read += 1;
      if (hasWon(bet)) winners.set(bet.agency, [...(winners.get(bet.agency) ?? []), bet.document]);
    }
    return { winners, rows: read };
  });
}

/** The run with the median wall time of `times` runs. */
async function median(times: number, run: () => Promise<Timing>): Promise<Timing> {
  const runs: Timing[] = [];
  for (let i = 0; i < times; i++) runs.push(await run());
  return runs.sort((a, b) => a.ms - b.ms)[Math.floor(times / 2)]!;
}

const f = (ms: number) => ms.toFixed(1);

/** The agencies' files, each row prefixed with its agency: the bytes the server stores (the rows need no quotes). */
async function datasetBets(): Promise<string | null> {
  if (!existsSync(dataset)) return null;
  const extracted = join(dir, 'dataset');
  execFileSync('python3', ['-m', 'zipfile', '-e', dataset, extracted]);
  const path = join(dir, 'dataset-bets.csv');
  const parts: Buffer[] = [];
  for (let agency = 1; agency <= 5; agency++) {
    const text = await readFile(join(extracted, `agency-${agency}.csv`), 'utf8');
    parts.push(Buffer.from(text.split('\r\n').filter(Boolean).map((row) => `${agency},${row}\r\n`).join(''), 'utf8'));
  }
  await writeFile(path, Buffer.concat(parts));
  return path;
}

async function generatedBets(count: number): Promise<string> {
  const path = join(dir, 'bets.csv');
  const file = await open(path, 'w');
  const CHUNK = 10_000;
  for (let start = 0; start < count; start += CHUNK) {
    const bets: AgencyBet[] = [];
    for (let i = start; i < Math.min(count, start + CHUNK); i += 1) {
      const number = i % 1000 === 0 ? LOTTERY_WINNER_NUMBER : i % 10_000;
      bets.push({ agency: (i % 5) + 1, firstName: 'Belén', lastName: 'Sánchez, "Ñandú"', document: String(i).padStart(8, '0'), birthdate: '1999-03-17', number });
    }
    await file.write(encodeBets(bets));
  }
  await file.close();
  return path;
}

try {
  const real = await datasetBets();
  if (real === null) console.log(`dataset: ${dataset} not found, skipped`);
  else {
    // The server draws once: the first run (cold JIT) is the one it sees.
    const cold = await drawOnce(real);
    const draw = await median(7, () => drawOnce(real));
    const port = await median(3, () => portOnce(real));
    console.log(`dataset: ${draw.rows} rows, ${draw.winners} winners (port: ${port.rows} rows, ${port.winners} winners)`);
    console.log(`  draw: first run ${f(cold.ms)} ms (CPU ${f(cold.cpuMs)} ms), median of 7 more ${f(draw.ms)} ms (CPU ${f(draw.cpuMs)} ms)`);
    console.log(`  port ${f(port.ms)} ms (CPU ${f(port.cpuMs)} ms); port/draw ${(port.ms / draw.ms).toFixed(1)}x (medians)`);
  }

  const path = await generatedBets(rows);
  const { size } = await stat(path);
  const rssBefore = process.memoryUsage().rss;
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const draw = await drawOnce(path);
  delay.disable();
  const toMs = (ns: number) => (ns / 1e6).toFixed(1);
  console.log(`generated: ${draw.rows} rows (${(size / 2 ** 20).toFixed(0)} MiB), ${draw.winners} winners`);
  console.log(`  draw ${f(draw.ms)} ms (CPU ${f(draw.cpuMs)} ms), ${Math.round(draw.rows / (draw.ms / 1000))} rows/s`);
  console.log(`  event-loop delay during the draw: p50 ${toMs(delay.percentile(50))} ms, p99 ${toMs(delay.percentile(99))} ms, max ${toMs(delay.max)} ms`);
  console.log(`  RSS before the draw ${(rssBefore / 2 ** 20).toFixed(0)} MiB, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  if (!args.includes('--no-port')) {
    const port = await portOnce(path);
    console.log(`  port ${f(port.ms)} ms (CPU ${f(port.cpuMs)} ms), ${port.winners} winners; port/draw ${(port.ms / draw.ms).toFixed(1)}x`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
