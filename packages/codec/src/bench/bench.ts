/**
 * Codec throughput: framing (frames/s, MB/s) and lottery batches of 100 bets (messages/s, bets/s) both ways.
 * Prints figures; asserts nothing. Run: pnpm --filter codec bench
 */
import os from 'node:os';
import { PassThrough } from 'node:stream';
import { FrameDecoder, encodeFrame, lotteryCodec, type WireBet } from '../index.js';

const codec = lotteryCodec();
const bets: WireBet[] = Array.from({ length: 100 }, (_, i) => ({
  firstName: i % 3 === 0 ? 'Belén' : 'José María',
  lastName: i % 2 === 0 ? 'Sánchez' : 'Saldaña',
  document: String(30_000_000 + i).padStart(8, '0'),
  birthdate: '1999-03-17',
  number: (i * 7919) % 10_000,
}));
const batchFrame = codec.encode({ type: 'bet_batch', agency: 1, bets });

function rate(label: string, count: number, unit: string, ms: number, bytes?: number): void {
  const perSecond = Math.round((count / ms) * 1000).toLocaleString('en-US');
  const mb = bytes === undefined ? '' : `, ${((bytes / ms) * 1000 / 1e6).toFixed(0)} MB/s`;
  console.log(`${label.padEnd(44)} ${perSecond.padStart(12)} ${unit}/s${mb}  (${count.toLocaleString('en-US')} in ${ms.toFixed(0)} ms)`);
}

function timed(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function framing(payloadBytes: number, frames: number, chunkBytes: number): Promise<void> {
  const stream = Buffer.concat(Array.from({ length: frames }, () => encodeFrame(Buffer.alloc(payloadBytes, 1))));
  const decoder = new FrameDecoder({ maxFrameLength: payloadBytes });
  const source = new PassThrough();
  source.pipe(decoder);
  let seen = 0;
  decoder.on('data', () => seen++);
  const start = process.hrtime.bigint();
  for (let at = 0; at < stream.length; at += chunkBytes) source.write(stream.subarray(at, at + chunkBytes));
  source.end();
  await new Promise(resolve => decoder.on('end', resolve));
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (seen !== frames) throw new Error(`decoded ${seen} of ${frames} frames`);
  rate(`framing: ${payloadBytes} B frames in ${chunkBytes} B chunks`, frames, 'frames', ms, stream.length);
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`);
  console.log(`batch of 100 bets: ${batchFrame.length} bytes on the wire`);
  await framing(64, 500_000, 65_536);
  await framing(batchFrame.length - 4, 100_000, 65_536);
  await framing(batchFrame.length - 4, 20_000, 1_000);

  const rounds = 20_000;
  for (let i = 0; i < 2000; i++) codec.decodeFrame(codec.encode({ type: 'bet_batch', agency: 1, bets }).subarray(4)); // warm-up
  const encodeMs = timed(() => {
    for (let i = 0; i < rounds; i++) codec.encode({ type: 'bet_batch', agency: 1, bets });
  });
  rate('encode bet_batch (100 bets)', rounds, 'messages', encodeMs, rounds * batchFrame.length);
  rate('  … as bets', rounds * 100, 'bets', encodeMs);
  const payload = batchFrame.subarray(4);
  const decodeMs = timed(() => {
    for (let i = 0; i < rounds; i++) codec.decodeFrame(payload);
  });
  rate('decode bet_batch (100 bets)', rounds, 'messages', decodeMs, rounds * batchFrame.length);
  rate('  … as bets', rounds * 100, 'bets', decodeMs);
}

await main();
