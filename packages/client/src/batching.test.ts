import test from 'ava';
import { from, lastValueFrom, toArray } from 'rxjs';
import { batchFrameSize, MAX_BATCH_FRAME_BYTES, type Bet } from '@tp0/protocol';
import { frameBatches } from './batching.js';

function bets(n: number, firstName = 'Ana', lastName = 'Pérez'): Bet[] {
  return Array.from({ length: n }, (_, i) => ({ firstName, lastName, document: String(i).padStart(8, '0'), birthdate: '1999-03-17', number: i % 10_000 }));
}

function batch(input: Bet[], maxAmount: number): Promise<Bet[][]> {
  return lastValueFrom(from(input).pipe(frameBatches(maxAmount), toArray()));
}

async function sizes(input: Bet[], maxAmount: number): Promise<number[]> {
  return (await batch(input, maxAmount)).map(b => b.length);
}

test('batch counts: none, one row, N×maxAmount, N×maxAmount+1, 100 rows by 7', async t => {
  t.deepEqual(await sizes([], 10), []);
  t.deepEqual(await sizes(bets(1), 10), [1]);
  t.deepEqual(await sizes(bets(30), 10), [10, 10, 10]);
  t.deepEqual(await sizes(bets(31), 10), [10, 10, 10, 1]);
  t.deepEqual(await sizes(bets(5), 1), [1, 1, 1, 1, 1]);
  t.deepEqual(await sizes(bets(100), 7), [...Array<number>(14).fill(7), 2]);
});

test('bets keep their order across batches', async t => {
  const input = bets(25);
  t.deepEqual((await batch(input, 7)).flat(), input);
});

test('the byte budget splits a batch of long UTF-8 names so no frame passes 8192 bytes', async t => {
  // 127 × "ñ" = 254 bytes per name: 2+254 + 2+254 + 2+8 + 2+10 + 2 (number) = 536 bytes per bet, 15 fit in 8192.
  const out = await batch(bets(100, 'ñ'.repeat(127), 'Ñ'.repeat(127)), 134);
  t.deepEqual(out.map(b => b.length), [15, 15, 15, 15, 15, 15, 10]);
  for (const b of out) t.true(batchFrameSize(b) <= MAX_BATCH_FRAME_BYTES);
  t.is(batchFrameSize(out[0]!), 13 + 15 * 536);
});

test('the budget splits each count batch on its own: long names in the middle of short ones', async t => {
  const input = [...bets(20), ...bets(30, 'ñ'.repeat(127), 'Ñ'.repeat(127)), ...bets(20)];
  const out = await batch(input, 25);
  t.deepEqual(out.flat(), input);
  for (const b of out) t.true(batchFrameSize(b) <= MAX_BATCH_FRAME_BYTES && b.length <= 25);
  // [20 short + 5 long] fits; [25 long] is cut 15 + 10; [20 short] is the tail.
  t.deepEqual(out.map(b => b.length), [25, 15, 10, 20]);
});

test('the default 134 course-data bets of the longest names fit exactly under the limit', async t => {
  // Longest course first+last name pair: 33 bytes.
  const longest = bets(135, 'M'.repeat(16), 'N'.repeat(17));
  t.deepEqual(await sizes(longest, 134), [134, 1]);
  t.is(batchFrameSize(longest.slice(0, 134)), 8187);
  t.true(batchFrameSize(longest) > MAX_BATCH_FRAME_BYTES);
});
