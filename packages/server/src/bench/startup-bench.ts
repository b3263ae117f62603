/**
 * Start-up recovery and the draw's latency, on a generated bets.csv of ROWS bets (default 600,000) from 5 agencies,
 * agencies 1-4 recorded as finished:
 *   1. `startServer` until it listens: the torn-tail check and one `loadBets` pass that recovers each agency's stored
 *      count and winners (wall, CPU), RUNS times (default 3);
 *   2. then, over a real socket, agency 5's `finished` → ack → `winners_query` → winners: the draw publishes the
 *      winners counted while storing, so this is the time from the last `finished` to the answer.
 * Usage: node dist/bench/startup-bench.js [rows] [runs]
 */
import net from 'node:net';
import { mkdtemp, open, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Connection } from '@tp0/codec';
import { createLogger } from '@tp0/common';
import { lottery, LOTTERY_HEADER, type AgencyBet, type LotteryRequest, type LotteryResponse } from '@tp0/protocol';
import type { ServerConfig } from '../config.js';
import { finishedRecordPath, startServer } from '../server.js';
import { encodeBets, LOTTERY_WINNER_NUMBER } from '../storage/bets.js';

const [rows = 600_000, runs = 3] = process.argv.slice(2).map(Number);
const AGENCIES = 5;
const dir = await mkdtemp(join(tmpdir(), 'tp0-startup-bench-'));

/** `count` bets, agency i % 5 + 1, one in 1,000 a winner; returns each agency's count. */
async function generate(path: string, count: number): Promise<number[]> {
  const perAgency = new Array<number>(AGENCIES + 1).fill(0);
  const file = await open(path, 'w');
  const CHUNK = 10_000;
  for (let start = 0; start < count; start += CHUNK) {
    const bets: AgencyBet[] = [];
    for (let i = start; i < Math.min(count, start + CHUNK); i += 1) {
      const agency = (i % AGENCIES) + 1;
      perAgency[agency]! += 1;
      const number = i % 1000 === 0 ? LOTTERY_WINNER_NUMBER : i % 10_000;
      bets.push({ agency, firstName: 'Belén', lastName: 'Sánchez, "Ñandú"', document: String(i).padStart(8, '0'), birthdate: '1999-03-17', number });
    }
    await file.write(encodeBets(bets));
  }
  await file.close();
  return perAgency;
}

type Client = Connection<LotteryResponse, LotteryRequest>;

async function connect(port: number): Promise<Client> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.write(LOTTERY_HEADER);
  return new Connection(socket, lottery.client);
}

async function request(conn: Client, message: LotteryRequest): Promise<LotteryResponse> {
  await conn.send(message);
  return conn.receive();
}

const f = (ms: number) => ms.toFixed(0);

try {
  const betsFile = join(dir, 'bets.csv');
  const perAgency = await generate(betsFile, rows);
  const { size } = await stat(betsFile);
  console.log(`bets.csv: ${rows} rows (${(size / 2 ** 20).toFixed(1)} MiB), ${AGENCIES} agencies`);
  const startups: number[] = [];
  for (let run = 1; run <= runs; run += 1) {
    await writeFile(finishedRecordPath(betsFile), [1, 2, 3, 4].map((a) => `${a},${perAgency[a]}\n`).join(''));
    const config: ServerConfig = {
      port: 0, ip: '127.0.0.1', listenBacklog: 16, loggingLevel: 'INFO', agencies: AGENCIES, betsFile, fsync: 'none',
      idleTimeout: 0, agencySecrets: new Map(),
    };
    const log = createLogger({ name: 'bench', level: 'INFO', out: new PassThrough().resume() });
    const cpu = process.cpuUsage();
    const started = performance.now();
    const server = await startServer(config, log);
    const startMs = performance.now() - started;
    const { user, system } = process.cpuUsage(cpu);
    startups.push(startMs);

    const conn = await connect(server.port);
    await request(conn, { type: 'hello', agency: 5, secret: '' });
    const finishedAt = performance.now();
    const ack = await request(conn, { type: 'finished', agency: 5, total: perAgency[5]! });
    const winners = await request(conn, { type: 'winners_query', agency: 5 });
    const drawMs = performance.now() - finishedAt;
    if (ack.type !== 'ack' || winners.type !== 'winners') throw new Error(`unexpected replies ${JSON.stringify([ack, winners])}`);
    conn.destroy();
    await server.close();
    console.log(
      `run ${run}: start-up to listening ${f(startMs)} ms (CPU ${f((user + system) / 1000)} ms, ${Math.round(rows / (startMs / 1000))} rows/s); ` +
        `last finished → winners ${drawMs.toFixed(1)} ms (${winners.documents.length} winners of agency 5)`,
    );
  }
  startups.sort((a, b) => a - b);
  console.log(`start-up median ${f(startups[Math.floor(startups.length / 2)]!)} ms; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
