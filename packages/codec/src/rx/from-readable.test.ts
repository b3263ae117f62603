import test from 'ava';
import { Readable } from 'node:stream';
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { bufferCount, concatMap, firstValueFrom, from, lastValueFrom, materialize, take, toArray, type Observable } from 'rxjs';
import { CodecError, DecodeFailure, fromReadable, isCodecError } from '../index.js';

const ITEMS = 10_000;
const HIGH_WATER_MARK = 16;

/** An object-mode Readable of 0..count-1 that counts how many items it has produced. */
function countingReadable(count: number): Readable & { produced: number } {
  const readable = new Readable({
    objectMode: true,
    highWaterMark: HIGH_WATER_MARK,
    read() {
      if (readable.produced === count) this.push(null);
      else this.push(readable.produced++);
    },
  }) as Readable & { produced: number };
  readable.produced = 0;
  return readable;
}

/**
 * Runs `concatMap(slow work)` over `items`, and returns the furthest the readable got ahead of the finished work.
 * The work yields a macrotask per item, so a source that reads without waiting for it races ahead.
 */
async function readAhead(readable: Readable & { produced: number }, items: Observable<number>, done: () => void): Promise<{ maxAhead: number; seen: number[] }> {
  let finished = 0;
  let maxAhead = 0;
  const seen = await lastValueFrom(
    items.pipe(
      concatMap(async item => {
        maxAhead = Math.max(maxAhead, readable.produced - finished);
        await nextMacrotask();
        finished++;
        done();
        return item;
      }),
      toArray(),
    ),
  );
  return { maxAhead, seen };
}

test('fromReadable reads at most window + the readable highWaterMark items ahead of the work done', async t => {
  for (const window of [1, 8, 64]) {
    const readable = countingReadable(ITEMS);
    const source = fromReadable<number>(readable, { window });
    const { maxAhead, seen } = await readAhead(readable, source, () => source.release());
    t.deepEqual(seen, Array.from({ length: ITEMS }, (_, i) => i));
    t.log(`window ${window}: read at most ${maxAhead} items ahead of ${ITEMS}`);
    t.true(maxAhead <= window + HIGH_WATER_MARK, `window ${window}: ${maxAhead} items read ahead`);
    t.true(maxAhead >= window, 'the window is used');
  }
});

test('for comparison: plain from(readable) under the same slow work reads far ahead', async t => {
  const readable = countingReadable(ITEMS);
  const { maxAhead, seen } = await readAhead(readable, from(readable) as Observable<number>, () => {});
  t.is(seen.length, ITEMS);
  t.log(`from(readable): read at most ${maxAhead} items ahead of ${ITEMS}`);
  t.true(maxAhead > 10 * (64 + HIGH_WATER_MARK), `${maxAhead} items read ahead`);
});

test('bufferCount(n) under a window >= n gets every full batch and the partial tail', async t => {
  const readable = countingReadable(25);
  const source = fromReadable<number>(readable, { window: 10 });
  let maxOutstanding = 0;
  const batches = await lastValueFrom(
    source.pipe(
      bufferCount(10),
      concatMap(async batch => {
        maxOutstanding = Math.max(maxOutstanding, source.outstanding);
        await nextMacrotask();
        source.release(batch.length);
        return batch.length;
      }),
      toArray(),
    ),
  );
  t.deepEqual(batches, [10, 10, 5]);
  t.is(maxOutstanding, 10);
});

test('a DecodeFailure item ends the source with its error, after every item before it', async t => {
  const failure = new CodecError('ERR_MALFORMED', 'bad input');
  const source = fromReadable<number>(Readable.from([1, 2, 3, new DecodeFailure(failure), 4]), { window: 2 });
  const seen: number[] = [];
  const error = await new Promise(resolve => source.subscribe({ next: item => (seen.push(item), source.release()), error: resolve }));
  t.is(error, failure);
  t.deepEqual(seen, [1, 2, 3]);
});

test('under concatMap, materialize keeps the error behind the queued items (RxJS drops what an operator buffers on error)', async t => {
  const failure = new CodecError('ERR_MALFORMED', 'bad input');
  const source = fromReadable<number>(Readable.from([1, 2, 3, new DecodeFailure(failure), 4]), { window: 2 });
  const seen: number[] = [];
  const error = await t.throwsAsync(
    lastValueFrom(
      source.pipe(
        materialize(),
        concatMap(async event => {
          if (event.kind === 'E') throw event.error;
          if (event.kind === 'N') {
            await nextMacrotask();
            seen.push(event.value);
            source.release();
          }
        }),
      ),
    ),
  );
  t.is(error, failure);
  t.deepEqual(seen, [1, 2, 3]);
});

test("an 'error' event ends the source after the items buffered before it, however slowly they are released", async t => {
  const readable = new Readable({ objectMode: true, read() {} });
  for (const item of [1, 2, 3, 4, 5]) readable.push(item);
  readable.destroy(new Error('cut short'));
  const source = fromReadable<number>(readable, { window: 1 });
  const seen: number[] = [];
  const error = await new Promise<unknown>(resolve =>
    source.subscribe({ next: item => void (seen.push(item), setImmediate(() => source.release())), error: resolve, complete: () => resolve('completed') }),
  );
  t.is((error as Error).message, 'cut short');
  t.deepEqual(seen, [1, 2, 3, 4, 5]);
});

test("an 'error' event with nothing buffered ends the source at once; later subscribers get the remembered error", async t => {
  const readable = new Readable({ objectMode: true, read() {} });
  const source = fromReadable<number>(readable, { window: 4 });
  readable.push(1);
  const seen: number[] = [];
  const ended = new Promise<unknown>(resolve => source.subscribe({ next: item => seen.push(item), error: resolve, complete: () => resolve('completed') }));
  await nextMacrotask();
  readable.destroy(new Error('disk on fire'));
  t.is(((await ended) as Error).message, 'disk on fire');
  t.deepEqual(seen, [1]);
  t.is((await t.throwsAsync(firstValueFrom(source)))!.message, 'disk on fire');
});

test('completion is remembered too: a later subscriber completes at once', async t => {
  const source = fromReadable<number>(Readable.from([1, 2]), { window: 4 });
  t.deepEqual(await lastValueFrom(source.pipe(toArray())), [1, 2]);
  t.deepEqual(await lastValueFrom(source.pipe(toArray())), []);
});

test('endError replaces the end of the readable (a transport reset, say)', async t => {
  const reset = new CodecError('ERR_CONNECTION_CLOSED', 'reset');
  const source = fromReadable<number>(Readable.from([1]), { window: 4, endError: () => reset });
  t.is(await t.throwsAsync(lastValueFrom(source)), reset);
});

test('a second concurrent subscriber is refused; the first goes on', async t => {
  const readable = new Readable({ objectMode: true, read() {} });
  const source = fromReadable<string>(readable, { window: 1 });
  const first = firstValueFrom(source);
  const error = await t.throwsAsync(firstValueFrom(source));
  t.regex(error!.message, /already has a subscriber/);
  readable.push('for the first');
  t.is(await first, 'for the first');
});

test('unsubscribing loses nothing: the next subscriber continues where the last one stopped, and the readable lives on', async t => {
  const readable = countingReadable(10);
  const source = fromReadable<number>(readable, { window: 4 });
  t.deepEqual(await lastValueFrom(source.pipe(take(3), toArray())), [0, 1, 2]);
  t.is(await firstValueFrom(source), 3);
  t.false(readable.destroyed);
  const rest = lastValueFrom(
    source.pipe(
      concatMap(async item => {
        source.release();
        return item;
      }),
      toArray(),
    ),
  );
  t.deepEqual(await rest, [4, 5, 6, 7, 8, 9]);
});

test('a byte-mode readable emits its chunks', async t => {
  const readable = new Readable({ read() {} });
  const source = fromReadable<Buffer>(readable, { window: 1 });
  const received = firstValueFrom(source);
  readable.push(Buffer.from('abc'));
  t.deepEqual(await received, Buffer.from('abc'));
  readable.push(null);
  t.deepEqual(await lastValueFrom(source.pipe(toArray())), []);
  t.true(readable.readableEnded);
});

test('a window that is not a positive integer is refused', t => {
  for (const window of [0, -1, 1.5, Number.NaN]) t.throws(() => fromReadable(Readable.from([]), { window }), { instanceOf: RangeError });
  t.true(isCodecError(new CodecError('ERR_MALFORMED', 'x'), 'ERR_MALFORMED'));
});

test('each: credit returns when an item\'s work completes, with no release() by the caller; read-ahead stays bounded', async t => {
  for (const concurrency of [1, 4]) {
    const readable = countingReadable(2_000);
    const source = fromReadable<number>(readable, { window: 8 });
    let finished = 0;
    let maxAhead = 0;
    const seen = await lastValueFrom(
      source
        .each(async item => {
          maxAhead = Math.max(maxAhead, readable.produced - finished);
          await nextMacrotask();
          finished++;
          return item;
        }, { concurrency })
        .pipe(toArray()),
    );
    t.is(seen.length, 2_000);
    if (concurrency === 1) t.deepEqual(seen, Array.from({ length: 2_000 }, (_, i) => i));
    t.true(maxAhead <= 8 + HIGH_WATER_MARK, `concurrency ${concurrency}: ${maxAhead} items read ahead`);
    t.is(source.outstanding, 0);
  }
});

test('inBatches: bufferCount batches, k in flight, each batch\'s credit returned when its work completes', async t => {
  const readable = countingReadable(1_003);
  const source = fromReadable<number>(readable, { window: 30 });
  let inFlight = 0;
  let maxInFlight = 0;
  let maxOutstanding = 0;
  const sizes = await lastValueFrom(
    source
      .inBatches(bufferCount(10), async batch => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        maxOutstanding = Math.max(maxOutstanding, source.outstanding);
        await nextMacrotask();
        inFlight--;
        return batch.length;
      }, { concurrency: 2 })
      .pipe(toArray()),
  );
  t.is(sizes.reduce((a, b) => a + b, 0), 1_003);
  t.is(sizes.at(-1), 3);
  t.is(maxInFlight, 2);
  t.true(maxOutstanding <= 30);
  t.is(source.outstanding, 0);
});

test('inBatches: a source error arrives after the batches in flight completed', async t => {
  const failure = new CodecError('ERR_MALFORMED', 'bad row');
  const source = fromReadable<number>(Readable.from([1, 2, 3, 4, 5, new DecodeFailure(failure)]), { window: 10 });
  const done: number[] = [];
  const error = await new Promise(resolve =>
    source
      .inBatches(bufferCount(2), async batch => {
        await nextMacrotask();
        done.push(...batch);
      }, { concurrency: 3 })
      .subscribe({ error: resolve }),
  );
  t.is(error, failure);
  t.deepEqual(done.sort(), [1, 2, 3, 4]);
});
