/**
 * Child process of server.test.ts: starts the server with 2 agencies, connects both, stores their bets, has agency 1
 * finish and wait for its winners, then opens files until the process has no descriptor left, and only then lets
 * agency 2 finish and ask. Prints { openError, held, finished, winners } as JSON. Usage: draw-without-fds.ts <bets file>
 */
import { open, type FileHandle } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { createLogger } from '@tp0/common';
import { startServer } from '../server.js';
import { lotteryClient, request, sampleBet } from './clients.js';

const betsFile = process.argv[2]!;
const server = await startServer(
  { port: 0, ip: '127.0.0.1', listenBacklog: 16, loggingLevel: 'INFO', agencies: 2, betsFile, fsync: 'none', idleTimeout: 0, agencySecrets: new Map() },
  createLogger({ name: 'server', level: 'INFO', out: new PassThrough().resume() }),
);
const one = await lotteryClient(server.port);
const two = await lotteryClient(server.port);
await request(one, { type: 'bet_batch', agency: 1, first: 0, bets: [sampleBet('00000042', 7574), sampleBet('1', 1)] });
await request(two, { type: 'bet_batch', agency: 2, first: 0, bets: [sampleBet('7', 1), sampleBet('8', 7574)] });
await request(one, { type: 'finished', agency: 1, total: 2 });
const waiting = request(one, { type: 'winners_query', agency: 1 });

const held: FileHandle[] = [];
let openError = 'none';
for (;;) {
  try {
    held.push(await open(betsFile, 'r'));
  } catch (err) {
    openError = String((err as NodeJS.ErrnoException).code);
    break;
  }
}
const finished = await request(two, { type: 'finished', agency: 2, total: 2 });
const winners = [await waiting, await request(two, { type: 'winners_query', agency: 2 })];
const report = JSON.stringify({ openError, held: held.length, finished, winners });
await Promise.all(held.map((file) => file.close()));
one.destroy();
two.destroy();
await server.close();
process.stdout.write(report);
