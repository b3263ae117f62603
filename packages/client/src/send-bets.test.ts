import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { lastValueFrom, take, tap } from 'rxjs';
import { openCsvRecords } from './csv-rows.js';
import { openLottery } from './net.js';
import { Requester } from './requester.js';
import { sendBets, windowRows, type Batch } from './send-bets.js';
import { startLotteryServer } from './test/servers.js';

/** csv-parse's readable buffer (object-mode highWaterMark) and the file stream's chunk size. */
const PARSER_BUFFERED_RECORDS = 16;
const FILE_CHUNK_BYTES = 64 * 1024;

function agencyFile(rows: number): { file: string; shortestRowBytes: number } {
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) lines.push(`Ana,Pérez,${String(i).padStart(8, '0')},1999-01-01,${i % 10_000}\n`);
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'tp0-send-bets-')), 'agency-1.csv');
  writeFileSync(file, lines.join(''));
  return { file, shortestRowBytes: Math.min(...lines.slice(0, 1000).map(line => Buffer.byteLength(line))) };
}

test('read-ahead is bounded against a slow server: rows parsed <= rows acked + window + stream buffers (200k-row file)', async t => {
  const { file, shortestRowBytes } = agencyFile(200_000);
  const server = await startLotteryServer({ ackDelayMs: 3 });
  const connection = await openLottery({ host: '127.0.0.1', port: server.port, connectRetry: 0, connectTimeout: 5000 });
  const requester = new Requester(connection);
  const records = openCsvRecords(file);
  t.teardown(() => {
    records.destroy();
    connection.destroy();
    return server.close();
  });
  const options = { maxAmount: 50, inFlight: 2, skipped: 0 };
  const window = windowRows(options);
  let acked = 0;
  let maxPulled = 0;
  let maxParsed = 0;
  const measure = () => {
    // info.records counts what csv-parse produced; readableLength what of it still waits in its buffer.
    maxParsed = Math.max(maxParsed, records.info.records - acked);
    maxPulled = Math.max(maxPulled, records.info.records - records.readableLength - acked);
  };
  const send = async ({ first, bets }: Batch) => {
    measure();
    const reply = await requester.request({ type: 'bet_batch', agency: 1, first, bets }, 10_000);
    if (reply.type !== 'ack') throw new Error(reply.type);
    measure();
  };
  const batches = 60;
  await lastValueFrom(sendBets(records, options, send).pipe(tap(count => (acked += count)), take(batches)));

  t.log(`rows parsed ahead of the acks at most ${maxParsed}, pulled into the pipeline at most ${maxPulled}; ${records.info.records} parsed in all`);
  t.is(acked, batches * options.maxAmount);
  // take() stops after the 60th ack; up to inFlight - 1 later batches were already on the wire.
  t.true(server.firsts.length >= batches && server.firsts.length < batches + options.inFlight, `${server.firsts.length} batches sent`);
  // The pipeline holds exactly `window` rows: the inFlight batches awaiting their acks and the next one, parsed meanwhile.
  t.is(maxPulled, window);
  // Behind it csv-parse holds at most its buffer plus the records of the one file chunk it parsed last.
  const streamBuffers = PARSER_BUFFERED_RECORDS + Math.ceil(FILE_CHUNK_BYTES / shortestRowBytes);
  t.true(maxParsed <= window + streamBuffers, `${maxParsed} rows parsed ahead of the acks; bound ${window} + ${streamBuffers}`);
  t.true(records.info.records < 200_000 / 20, `${records.info.records} of 200000 rows parsed after ${acked} acks`);
});
