import test from 'ava';
import { batchFrameSize, MAX_BATCH_FRAME_BYTES } from '@tp0/codec';
import type { BetFields } from '@tp0/common';
import { batches } from './batches.js';

async function* source(bets: BetFields[]): AsyncGenerator<BetFields> {
  yield* bets;
}

function bets(n: number, firstName = 'Ana', lastName = 'Pérez'): BetFields[] {
  return Array.from({ length: n }, (_, i) => ({ firstName, lastName, document: String(i).padStart(8, '0'), birthdate: '1999-03-17', number: i % 10_000 }));
}

async function sizes(input: BetFields[], maxAmount: number): Promise<number[]> {
  const out: number[] = [];
  for await (const batch of batches(source(input), { maxAmount })) out.push(batch.length);
  return out;
}

test('batch counts: none, one row, N×maxAmount, N×maxAmount+1', async t => {
  t.deepEqual(await sizes([], 10), []);
  t.deepEqual(await sizes(bets(1), 10), [1]);
  t.deepEqual(await sizes(bets(30), 10), [10, 10, 10]);
  t.deepEqual(await sizes(bets(31), 10), [10, 10, 10, 1]);
  t.deepEqual(await sizes(bets(5), 1), [1, 1, 1, 1, 1]);
});

test('bets keep their order across batches', async t => {
  const input = bets(25);
  const output: BetFields[] = [];
  for await (const batch of batches(source(input), { maxAmount: 7 })) output.push(...batch);
  t.deepEqual(output, input);
});

test('the byte budget splits a batch of long UTF-8 names so no frame passes 8192 bytes', async t => {
  // 127 × "ñ" = 254 bytes per name: 10 + 254 + 254 + 8 + 10 = 536 bytes per bet, 15 fit in 8192.
  const long = bets(100, 'ñ'.repeat(127), 'Ñ'.repeat(127));
  const out: BetFields[][] = [];
  for await (const batch of batches(source(long), { maxAmount: 134 })) out.push(batch);
  t.deepEqual(out.map(b => b.length), [15, 15, 15, 15, 15, 15, 10]);
  for (const batch of out) t.true(batchFrameSize(batch) <= MAX_BATCH_FRAME_BYTES);
  t.is(batchFrameSize(out[0]!), 9 + 15 * 536);
});

test('the default 134 course-data bets of the longest names fit exactly under the limit', async t => {
  // Longest course first+last name pair: 33 bytes.
  const longest = bets(135, 'M'.repeat(16), 'N'.repeat(17));
  const out: number[] = [];
  for await (const batch of batches(source(longest), { maxAmount: 134 })) {
    out.push(batch.length);
    t.true(batchFrameSize(batch) <= MAX_BATCH_FRAME_BYTES);
  }
  t.deepEqual(out, [134, 1]);
  t.is(batchFrameSize(longest.slice(0, 134)), 8183);
  t.true(batchFrameSize(longest) > MAX_BATCH_FRAME_BYTES);
});

test('pull-based: no bet is read ahead of the batch being consumed', async t => {
  let read = 0;
  async function* counted(): AsyncGenerator<BetFields> {
    for (const bet of bets(1000)) {
      read++;
      yield bet;
    }
  }
  const iterator = batches(counted(), { maxAmount: 10 });
  await iterator.next();
  t.is(read, 10);
  await iterator.next();
  t.is(read, 20);
  await iterator.return(undefined);
});
