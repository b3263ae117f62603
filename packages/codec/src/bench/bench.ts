/**
 * Codec throughput, in CPU time (process.cpuUsage) and rates: framing, a roster message (a list of 100 records), and
 * lottery-like bet batches (134 bets, the course's 8 KiB frames) encoded, decoded from a payload, and decoded from a
 * byte stream through the codec's decoder stages. Prints figures; asserts nothing.
 *
 *   pnpm bench                                  this tree
 *   pnpm bench --against <other>/src/index.ts   this tree and another copy of the codec (say a `git worktree` of
 *                                               the last commit), interleaved in one process, with CPU ratios
 */
import os from 'node:os';
import { PassThrough, type Transform } from 'node:stream';
import * as thisCodec from '../index.js';
import { random } from '../testing/fuzz.js';

type Lib = typeof thisCodec;
interface Subject {
  readonly label: string;
  readonly lib: Lib;
}

const BETS_PER_BATCH = 134;
const DATASET_BETS = 78_697;
const ROUNDS = Number(process.env.ROUNDS ?? 5);

// The lottery's bet batch, declared here: the codec does not depend on @tp0/protocol.
function lotteryCodec(lib: Lib) {
  const bet = lib.fields().str16('firstName').str16('lastName').str16('document').str16('birthdate').u16('number');
  const types = [lib.message(0x02, 'bet_batch', lib.fields().u16('agency').u32('first').list('bets', bet))] as const;
  type Batch = thisCodec.MessageOf<(typeof types)[number]>;
  return lib.binaryCodec<Batch>('lottery', types, { maxFrameLength: 8192 });
}

function rosterCodec(lib: Lib) {
  const person = lib.fields().str16('name').str16('surname').str16('phone').str16('since').u16('year');
  const types = [lib.message(0x01, 'roster', lib.fields().u16('team').list('people', person))] as const;
  type Roster = thisCodec.MessageOf<(typeof types)[number]>;
  return lib.binaryCodec<Roster>('bench', types, { maxFrameLength: 1 << 16 });
}

// Like the course dataset: one or two first names (5% with accents), last names (25% with accents), names up to 33 bytes.
const FIRST = ['Santiago', 'Lionel', 'Agustín', 'Emanuel', 'Tiago', 'Nicolás', 'María', 'Fernanda', 'Valentina', 'Juan', 'Sofía', 'Mateo', 'Camila', 'Benjamin', 'Martina', 'Joaquin', 'Lucía', 'Bautista', 'Catalina', 'Maximiliano'];
const LAST = ['Lorca', 'Zambrano', 'Rivera', 'Sánchez', 'Gómez', 'Fernández', 'Saldaña', 'Pérez', 'Rodríguez', 'Ibáñez', 'López', 'Acosta', 'Benítez', 'Molina', 'Castro', 'Ortiz', 'Silva', 'Núñez', 'Rojas', 'Medina', 'Sosa', 'Díaz'];
const pad = (n: number, width: number) => String(n).padStart(width, '0');

function betBatches(count: number) {
  const next = random(7574);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
  return Array.from({ length: count }, (_, b) => ({
    type: 'bet_batch' as const,
    agency: 1 + (b % 5),
    first: b * BETS_PER_BATCH,
    bets: Array.from({ length: BETS_PER_BATCH }, () => {
      let firstName = next() < 0.55 ? `${pick(FIRST)} ${pick(FIRST)}` : pick(FIRST);
      while (Buffer.byteLength(firstName) > 33) firstName = pick(FIRST);
      return {
        firstName,
        lastName: next() < 0.1 ? `${pick(LAST)} ${pick(LAST)}` : pick(LAST),
        document: pad(10_000_000 + Math.floor(next() * 35_000_000), 8),
        birthdate: `${1950 + Math.floor(next() * 55)}-${pad(1 + Math.floor(next() * 12), 2)}-${pad(1 + Math.floor(next() * 28), 2)}`,
        number: Math.floor(next() * 10_000),
      };
    }),
  }));
}

/** CPU microseconds (user + system) that `fn` took. */
async function cpuAsync(fn: () => Promise<void>): Promise<number> {
  const start = process.cpuUsage();
  await fn();
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

/** Pushes `chunks` through decoder stages; resolves with the number of items out of the last one. */
async function throughStages(stages: Transform[], chunks: readonly Buffer[]): Promise<number> {
  const source = new PassThrough();
  let previous: NodeJS.ReadableStream = source;
  for (const stage of stages) previous = previous.pipe(stage);
  const last = stages[stages.length - 1]!;
  let seen = 0;
  last.on('data', item => {
    // By name: the other copy of the codec has its own DecodeFailure class.
    if (item?.constructor?.name === 'DecodeFailure') throw (item as { error: Error }).error;
    seen++;
  });
  const ended = new Promise(resolve => last.once('end', resolve));
  for (const chunk of chunks) source.write(chunk);
  source.end();
  await ended;
  return seen;
}

function chunked(stream: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < stream.length; at += size) chunks.push(stream.subarray(at, at + size));
  return chunks;
}

interface Scenario {
  readonly name: string;
  /** What one unit of `units` is, and how many a run does. */
  readonly unit: string;
  readonly units: number;
  /** Extra line: CPU ms for the whole course dataset, from the per-unit figure. */
  readonly perDataset?: number;
  prepare(lib: Lib): () => Promise<void> | void;
}

const batches = betBatches(16);
const streamBatches = Math.ceil(DATASET_BETS / BETS_PER_BATCH);

const scenarios: Scenario[] = [
  {
    name: 'framing: 64 B frames in 64 KiB chunks',
    unit: 'frame',
    units: 100_000,
    prepare: lib => {
      const chunks = chunked(Buffer.concat(Array.from({ length: 100_000 }, () => lib.encodeFrame(Buffer.alloc(64, 1)))), 65_536);
      return async () => void (await throughStages([new lib.FrameDecoder({ maxFrameLength: 64 })], chunks));
    },
  },
  {
    name: 'framing: 8 KiB frames in 1000 B chunks',
    unit: 'frame',
    units: 5_000,
    prepare: lib => {
      const chunks = chunked(Buffer.concat(Array.from({ length: 5_000 }, () => lib.encodeFrame(Buffer.alloc(8188, 1)))), 1000);
      return async () => void (await throughStages([new lib.FrameDecoder({ maxFrameLength: 8188 })], chunks));
    },
  },
  {
    name: 'roster (100 records): encode',
    unit: 'message',
    units: 2_000,
    prepare: lib => {
      const codec = rosterCodec(lib);
      const roster = {
        type: 'roster' as const,
        team: 1,
        people: Array.from({ length: 100 }, (_, i) => ({
          name: i % 3 === 0 ? 'Belén' : 'José María',
          surname: i % 2 === 0 ? 'Sánchez' : 'Saldaña',
          phone: String(30_000_000 + i).padStart(8, '0'),
          since: '1999-03-17',
          year: (i * 7919) % 10_000,
        })),
      };
      return () => {
        for (let i = 0; i < 2_000; i++) codec.encode(roster);
      };
    },
  },
  {
    name: 'bet batch (134 bets): encode',
    unit: 'batch',
    units: 2_000,
    perDataset: streamBatches,
    prepare: lib => {
      const codec = lotteryCodec(lib);
      return () => {
        for (let i = 0; i < 2_000; i++) codec.encode(batches[i % batches.length]!);
      };
    },
  },
  {
    name: 'bet batch (134 bets): decodeFrame',
    unit: 'batch',
    units: 2_000,
    perDataset: streamBatches,
    prepare: lib => {
      const codec = lotteryCodec(lib);
      const payloads = batches.map(batch => codec.encode(batch).subarray(4));
      const sample = codec.decodeFrame(payloads[0]!);
      if (JSON.stringify(sample) !== JSON.stringify(batches[0])) throw new Error('decodeFrame does not give back the batch');
      return () => {
        for (let i = 0; i < 2_000; i++) codec.decodeFrame(payloads[i % payloads.length]!);
      };
    },
  },
  {
    name: `bet batches: ${streamBatches} frames through the decoder stages, 64 KiB chunks`,
    unit: 'batch',
    units: streamBatches,
    perDataset: streamBatches,
    prepare: lib => {
      const codec = lotteryCodec(lib);
      const stream = Buffer.concat(Array.from({ length: streamBatches }, (_, i) => codec.encode(batches[i % batches.length]!)));
      const chunks = chunked(stream, 65_536);
      return async () => {
        const seen = await throughStages(codec.createDecoders(), chunks);
        if (seen !== streamBatches) throw new Error(`decoded ${seen} of ${streamBatches} batches`);
      };
    },
  },
];

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  const againstAt = process.argv.indexOf('--against');
  const subjects: Subject[] = [{ label: 'this', lib: thisCodec }];
  if (againstAt > 0) {
    const path = process.argv[againstAt + 1];
    if (path === undefined) throw new Error('--against needs the path of another copy of src/index.ts');
    subjects.push({ label: 'other', lib: (await import(path)) as Lib });
  }
  console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}; CPU time, median of ${ROUNDS} interleaved rounds`);
  console.log(`bet batch: ${BETS_PER_BATCH} bets, ${lotteryCodec(thisCodec).encode(batches[0]!).length} bytes on the wire`);
  for (const scenario of scenarios) {
    const runs = subjects.map(subject => ({ subject, run: scenario.prepare(subject.lib), times: [] as number[] }));
    for (const entry of runs) await cpuAsync(async () => void (await entry.run())); // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      for (const entry of runs) entry.times.push(await cpuAsync(async () => void (await entry.run())));
    }
    console.log(scenario.name);
    for (const { subject, times } of runs) {
      const micros = median(times);
      const perUnit = micros / scenario.units;
      const dataset = scenario.perDataset === undefined ? '' : `, ${fmt((perUnit * scenario.perDataset) / 1000, 1)} CPU ms per ${fmt(DATASET_BETS)} bets`;
      const bets = scenario.unit === 'batch' ? `, ${fmt((scenario.units * BETS_PER_BATCH * 1e6) / micros)} bets/s` : '';
      console.log(`  ${subject.label.padEnd(5)} ${fmt(perUnit, 2).padStart(9)} µs/${scenario.unit}, ${fmt((scenario.units * 1e6) / micros)} ${scenario.unit === 'batch' ? 'batches' : `${scenario.unit}s`}/s${bets}${dataset}`);
    }
    if (runs.length === 2) console.log(`  CPU ratio other/this: ${(median(runs[1]!.times) / median(runs[0]!.times)).toFixed(2)}×`);
  }
}

await main();
