/**
 * Codec throughput: framing (frames/s, MB/s), and a message holding a list of 100 records (4 str16 + a u16 each)
 * encoded and decoded (messages/s, records/s). Prints figures; asserts nothing. Run: pnpm bench
 */
import os from 'node:os';
import { PassThrough } from 'node:stream';
import { binaryCodec, encodeFrame, fields, FrameDecoder, message, type MessageOf } from '../index.js';

// A record of four strings and a u16, 100 of them per message.
const person = fields().str16('name').str16('surname').str16('phone').str16('since').u16('year');
const rosterTypes = [message(0x01, 'roster', fields().u16('team').list('people', person))] as const;
type Roster = MessageOf<(typeof rosterTypes)[number]>;
const codec = binaryCodec<Roster>('bench', rosterTypes, { maxFrameLength: 1 << 16 });

const roster: Roster = {
  type: 'roster',
  team: 1,
  people: Array.from({ length: 100 }, (_, i) => ({
    name: i % 3 === 0 ? 'Belén' : 'José María',
    surname: i % 2 === 0 ? 'Sánchez' : 'Saldaña',
    phone: String(30_000_000 + i).padStart(8, '0'),
    since: '1999-03-17',
    year: (i * 7919) % 10_000,
  })),
};
const rosterFrame = codec.encode(roster);

function rate(label: string, count: number, unit: string, ms: number, bytes?: number): void {
  const perSecond = Math.round((count / ms) * 1000).toLocaleString('en-US');
  const mb = bytes === undefined ? '' : `, ${(((bytes / ms) * 1000) / 1e6).toFixed(0)} MB/s`;
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
  console.log(`roster of 100 records: ${rosterFrame.length} bytes on the wire`);
  await framing(64, 500_000, 65_536);
  await framing(rosterFrame.length - 4, 100_000, 65_536);
  await framing(rosterFrame.length - 4, 20_000, 1_000);

  const rounds = 20_000;
  for (let i = 0; i < 2000; i++) codec.decodeFrame(codec.encode(roster).subarray(4)); // warm-up
  const encodeMs = timed(() => {
    for (let i = 0; i < rounds; i++) codec.encode(roster);
  });
  rate('encode roster (100 records)', rounds, 'messages', encodeMs, rounds * rosterFrame.length);
  rate('  … as records', rounds * 100, 'records', encodeMs);
  const payload = rosterFrame.subarray(4);
  const decodeMs = timed(() => {
    for (let i = 0; i < rounds; i++) codec.decodeFrame(payload);
  });
  rate('decode roster (100 records)', rounds, 'messages', decodeMs, rounds * rosterFrame.length);
  rate('  … as records', rounds * 100, 'records', decodeMs);
}

await main();
