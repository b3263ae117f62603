/**
 * Peak RSS of the agency client streaming a large file against a server that acks slowly: generates N rows
 * (default 1,000,000) in a temp dir, runs `node dist/main.js` against an in-process server (real TCP, @tp0/codec +
 * @tp0/protocol) that waits `ackDelayMs` (default 1) before each ack, and samples the child's VmRSS / VmHWM.
 * With acks slower than parsing, a source that read ahead would hold the file in memory; the demand-driven
 * pipeline keeps RSS flat.
 *
 *   pnpm --filter @tp0/client build && node packages/client/dist/bench/rss-bench.js [rows] [maxAmount] [ackDelayMs]
 *
 * CLIENT_NODE_OPTIONS (e.g. "--max-semi-space-size=1") is passed to the client only, as its NODE_OPTIONS.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { lastValueFrom } from 'rxjs';
import { Connection, detectProtocol } from '@tp0/codec';
import { lotteryProtocol, type LotteryRequest, type LotteryResponse } from '@tp0/protocol';

const rows = Number(process.argv[2] ?? 1_000_000);
const maxAmount = process.argv[3] ?? '134';
const ackDelayMs = Number(process.argv[4] ?? 1);
const RSS_TARGET_MIB = 100;
const MAIN = fileURLToPath(new URL('../main.js', import.meta.url));
const clientNodeOptions = process.env['CLIENT_NODE_OPTIONS'] ?? '';
const NAMES = ['Belén,Sánchez', 'José María,Ñandú', 'Ana,Saldaña', 'Martín,Fernández'];

function writeRows(file: string, count: number): void {
  const fd = openSync(file, 'w');
  let chunk = '';
  for (let i = 0; i < count; i++) {
    chunk += `${NAMES[i % NAMES.length]},${String(i % 100_000_000).padStart(8, '0')},19${40 + (i % 60)}-0${(i % 9) + 1}-1${i % 10},${i % 10_000}\r\n`;
    if (chunk.length > 1 << 20) {
      writeSync(fd, chunk);
      chunk = '';
    }
  }
  writeSync(fd, chunk);
  closeSync(fd);
}

/** Acks every batch after `ackDelayMs`; counts bets; replies the 7574 documents as winners. */
function startAckServer(): Promise<{ server: net.Server; port: number; stats: { bets: number; batches: number } }> {
  const stats = { bets: 0, batches: 0 };
  const server = net.createServer({ allowHalfOpen: true }, socket => {
    socket.on('error', () => undefined);
    session(socket).catch(() => socket.destroy());
  });
  async function session(socket: net.Socket): Promise<void> {
    const selection = await detectProtocol(socket, [lotteryProtocol]);
    const connection = new Connection<LotteryRequest, LotteryResponse>(socket, lotteryProtocol.codec, { selection });
    const winners: string[] = [];
    const reply = async (message: LotteryRequest): Promise<void> => {
      if (message.type === 'hello') {
        // A fresh session: nothing stored yet.
        await connection.send({ type: 'resume', agency: message.agency, stored: 0, finished: 0 });
      } else if (message.type === 'bet_batch') {
        stats.bets += message.bets.length;
        stats.batches++;
        for (const bet of message.bets) if (bet.number === 7574) winners.push(bet.document);
        if (ackDelayMs > 0) await sleep(ackDelayMs);
        await connection.send({ type: 'ack', count: message.bets.length });
      } else if (message.type === 'finished') {
        await connection.send({ type: 'ack', count: 0 });
      } else if (message.type === 'winners_query') {
        await connection.send({ type: 'winners', agency: message.agency, documents: winners });
      }
    };
    await lastValueFrom(connection.handle(reply), { defaultValue: undefined });
    await connection.close();
  }
  return new Promise(resolve => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as net.AddressInfo).port, stats })));
}

function kib(status: string, key: string): number {
  return Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
}

const dir = mkdtempSync(path.join(tmpdir(), 'tp0-rss-bench-'));
try {
  const file = path.join(dir, 'agency-1.csv');
  writeRows(file, rows);
  const { server, port, stats } = await startAckServer();
  const started = performance.now();
  const child = spawn(process.execPath, [MAIN], {
    cwd: dir,
    env: { ...process.env, CLI_ID: '1', CLI_SERVER_ADDRESS: `127.0.0.1:${port}`, CLI_DATA_FILE: file, CLI_LOG_LEVEL: 'INFO', CLI_BATCH_MAXAMOUNT: maxAmount, NODE_OPTIONS: clientNodeOptions },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  let peakKib = 0;
  const samples: number[] = [];
  const sampler = setInterval(() => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      peakKib = Math.max(peakKib, kib(status, 'VmHWM'));
      // An exited child that is not reaped yet has no VmRSS line.
      const rss = kib(status, 'VmRSS');
      if (rss > 0) samples.push(rss);
    } catch {
      // the child has exited
    }
  }, 20);
  const code = await new Promise<number | null>(resolve => child.on('exit', resolve));
  clearInterval(sampler);
  const seconds = (performance.now() - started) / 1000;
  server.close();
  const rssAt = (q: number) => samples[Math.floor((samples.length - 1) * q)] ?? 0;
  console.log(output.trim().split('\n').slice(-2).join('\n'));
  console.log(
    [
      `rows: ${rows} (${(statSync(file).size / 2 ** 20).toFixed(1)} MiB), batch.maxAmount ${maxAmount}, ack delay ${ackDelayMs} ms, client NODE_OPTIONS "${clientNodeOptions}", exit ${code}`,
      `server got: ${stats.bets} bets in ${stats.batches} batches`,
      `time: ${seconds.toFixed(2)} s, ${Math.round(stats.bets / seconds).toLocaleString('en-US')} bets/s`,
      `client peak RSS (VmHWM): ${(peakKib / 1024).toFixed(1)} MiB (target <= ${RSS_TARGET_MIB}: ${peakKib / 1024 <= RSS_TARGET_MIB ? 'met' : 'MISSED'}); RSS at 10/25/50/75/100% of the run: ${[0.1, 0.25, 0.5, 0.75, 1].map(q => (rssAt(q) / 1024).toFixed(1)).join(' / ')} MiB`,
    ].join('\n'),
  );
  if (code !== 0 || stats.bets !== rows) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
