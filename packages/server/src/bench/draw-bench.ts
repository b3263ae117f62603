/**
 * Generates a bets.csv of ROWS rows in a temp dir, then runs the server's draw while measuring the main thread's
 * event-loop delay. Usage: node dist/bench/draw-bench.js [rows]   (default 2,000,000 rows)
 */
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { AgencyBet } from '@tp0/protocol';
import { startDraw } from '../draw.js';
import { encodeBets, LOTTERY_WINNER_NUMBER } from '../storage/bets.js';

const rows = Number(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 2_000_000);
const dir = await mkdtemp(join(tmpdir(), 'tp0-draw-bench-'));
const path = join(dir, 'bets.csv');

try {
  const file = await open(path, 'w');
  const CHUNK = 10_000;
  for (let start = 0; start < rows; start += CHUNK) {
    const bets: AgencyBet[] = [];
    for (let i = start; i < Math.min(rows, start + CHUNK); i += 1) {
      const number = i % 1000 === 0 ? LOTTERY_WINNER_NUMBER : i % 10_000;
      bets.push({ agency: (i % 5) + 1, firstName: 'Belén', lastName: 'Sánchez, "Ñandú"', document: String(i).padStart(8, '0'), birthdate: '1999-03-17', number });
    }
    await file.write(encodeBets(bets));
  }
  await file.close();
  const { size } = await stat(path);
  const rssBeforeDraw = process.memoryUsage().rss;

  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const started = performance.now();
  const { winners, rows: read } = await startDraw(path).result;
  const ms = performance.now() - started;
  delay.disable();

  let winnerCount = 0;
  for (const docs of winners.values()) winnerCount += docs.length;
  const toMs = (ns: number) => (ns / 1e6).toFixed(1);
  const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
  console.log(`rows: ${read} (${mib(size)} MiB), winners: ${winnerCount}`);
  console.log(`draw: ${(ms / 1000).toFixed(2)} s, ${Math.round(read / (ms / 1000))} rows/s`);
  console.log(`event-loop delay: p50 ${toMs(delay.percentile(50))} ms, p99 ${toMs(delay.percentile(99))} ms, max ${toMs(delay.max)} ms`);
  console.log(`RSS before the draw: ${mib(rssBeforeDraw)} MiB, peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
