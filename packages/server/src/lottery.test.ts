import test, { type ExecutionContext } from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate } from 'node:timers/promises';
import { FinishedRecord } from './agencies/finished-record.js';
import type { DrawResult, DrawRun } from './draw.js';
import { Lottery, LotteryError } from './lottery.js';
import { captureLogger, tempDir, until } from './test/helpers.js';

/** A real finished record in a fresh directory. */
async function record(t: ExecutionContext): Promise<FinishedRecord> {
  const opened = await FinishedRecord.open(join(await tempDir(t), 'bets.csv.finished'));
  t.teardown(() => opened.close());
  return opened;
}

/** A draw whose result the test decides; counts how often the lottery started one. */
function fakeDraws(result: DrawResult = { winners: new Map([[1, ['11']], [2, ['21', '22']]]), rows: 9 }) {
  const state = { started: 0, cancelled: 0 };
  const run = async (): Promise<DrawRun> => {
    state.started += 1;
    return { result: Promise.resolve(result), cancel: async () => void (state.cancelled += 1) };
  };
  return { state, run };
}

test('the draw runs exactly once, right after the N-th distinct agency finished; repeats are harmless', async (t) => {
  const logs = captureLogger();
  const draws = fakeDraws();
  const lottery = new Lottery(3, draws.run, logs.log, await record(t));
  // `finished` starts the draw as soon as the N-th agency is recorded, so the count is exact after each call.
  await lottery.finished(1, 0);
  await lottery.finished(1, 0);
  await lottery.finished(2, 0);
  await lottery.finished(2, 0);
  t.is(draws.state.started, 0);
  await lottery.finished(3, 0);
  t.is(draws.state.started, 1);
  await lottery.finished(3, 0);
  await lottery.finished(1, 0);
  await lottery.winnersOf(1);
  t.is(draws.state.started, 1);
  const sorteo = logs.parsed().filter((l) => l.action === 'sorteo');
  t.deepEqual(sorteo.map((l) => [l.result, l.fields['winners']]), [['success', '3']]);
  t.true(logs.lines().some((l) => / INFO     action: sorteo \| result: success \| winners: 3/.test(l)));
});

test('winnersOf waits for the draw\'s result and gives only that agency\'s documents', async (t) => {
  let publish!: (result: DrawResult) => void;
  const result = new Promise<DrawResult>((resolve) => (publish = resolve));
  let published = false;
  const lottery = new Lottery(2, async () => ({ result, cancel: async () => {} }), captureLogger().log, await record(t));
  // Whether the result was out when the query was answered: an early answer is caught however late it is noticed.
  const query = lottery.winnersOf(2).then((documents) => ({ documents, published }));
  await lottery.finished(2, 0);
  await lottery.finished(1, 0);
  // Every callback ready to run gets its turn before the result is out.
  await setImmediate();
  published = true;
  publish({ winners: new Map([[1, ['11']], [2, ['21', '22']]]), rows: 9 });
  t.deepEqual(await query, { documents: ['21', '22'], published: true });
  t.deepEqual(await lottery.winnersOf(1), ['11']);
});

test('an agency with no winners gets an empty list', async (t) => {
  const lottery = new Lottery(3, fakeDraws().run, captureLogger().log, await record(t));
  for (const a of [1, 2, 3]) await lottery.finished(a, 0);
  t.deepEqual(await lottery.winnersOf(3), []);
});

test('bets: unknown agencies and agencies already finished are refused', async (t) => {
  const lottery = new Lottery(2, fakeDraws().run, captureLogger().log, await record(t));
  t.is(lottery.betProblem(1), null);
  for (const agency of [0, 3, -1, 1.5]) t.is(lottery.betProblem(agency)?.code, 'UNKNOWN_AGENCY', String(agency));
  await lottery.finished(1, 0);
  t.is(lottery.betProblem(1)?.code, 'UNKNOWN_AGENCY');
  t.regex(lottery.betProblem(1)?.message ?? '', /already finished/);
  await t.throwsAsync(lottery.finished(7, 0), { instanceOf: LotteryError, message: /agency 7/ });
});

test('close releases waiting queries with SHUTTING_DOWN and cancels the draw', async (t) => {
  let cancelled = 0;
  let drawStarted!: () => void;
  const started = new Promise<void>((resolve) => (drawStarted = resolve));
  const never: DrawRun = { result: new Promise(() => {}), cancel: async () => void (cancelled += 1) };
  const lottery = new Lottery(1, async () => (drawStarted(), never), captureLogger().log, await record(t));
  const query = lottery.winnersOf(1);
  await lottery.finished(1, 0);
  await started;
  await lottery.close();
  const err = await t.throwsAsync(query, { instanceOf: LotteryError });
  t.is(err.code, 'SHUTTING_DOWN');
  t.is(cancelled, 1);
});

test('a failed draw is logged, answered with STORAGE_FAILURE, and run again at the next query', async (t) => {
  const logs = captureLogger();
  const results: Array<Promise<DrawResult>> = [
    Promise.reject(new Error('EMFILE: too many open files')),
    Promise.reject(new Error('disk gone')),
    Promise.resolve({ winners: new Map([[1, ['11']]]), rows: 3 }),
  ];
  let started = 0;
  const lottery = new Lottery(1, async () => ({ result: results[started++]!, cancel: async () => {} }), logs.log, await record(t));
  // The last finish starts the draw with nobody waiting yet: its failure is logged, not kept.
  await lottery.finished(1, 3);
  await until(() => logs.lines().find((l) => l.includes('action: sorteo | result: fail | intento: 1 | error: EMFILE')));
  const second = await t.throwsAsync(lottery.winnersOf(1), { instanceOf: LotteryError });
  t.is(second.code, 'STORAGE_FAILURE');
  t.regex(second.message, /attempt 2.*disk gone/);
  t.deepEqual(await lottery.winnersOf(1), ['11']);
  t.deepEqual(await lottery.winnersOf(1), ['11'], 'a successful draw is kept');
  t.is(started, 3);
  t.is(logs.parsed().filter((l) => l.action === 'sorteo' && l.result === 'success').length, 1);
});

test('finished is written to the record before it counts, and a recovered record counts at start-up', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'bets.csv.finished');
  const first = await FinishedRecord.open(path);
  const draws = fakeDraws();
  const lottery = new Lottery(2, draws.run, captureLogger().log, first);
  await lottery.finished(2, 40);
  t.is(await readFile(path, 'utf8'), '2,40\n');
  await first.close();

  const reopened = await FinishedRecord.open(path);
  t.teardown(() => reopened.close());
  t.deepEqual(reopened.recovered, [{ agency: 2, total: 40 }]);
  const restarted = new Lottery(2, draws.run, captureLogger().log, reopened, reopened.recovered.map((f) => f.agency));
  t.true(restarted.hasFinished(2));
  t.is(restarted.betProblem(2)?.code, 'UNKNOWN_AGENCY');
  await restarted.finished(1, 0);
  t.deepEqual(await restarted.winnersOf(2), ['21', '22']);
});

test('a torn last line in the finished record (a crash mid-write) is cut, not counted', async (t) => {
  const path = join(await tempDir(t), 'bets.csv.finished');
  await writeFile(path, '1,10\n3,');
  const opened = await FinishedRecord.open(path);
  t.deepEqual(opened.recovered, [{ agency: 1, total: 10 }]);
  await opened.add({ agency: 2, total: 5 });
  await opened.close();
  t.is(await readFile(path, 'utf8'), '1,10\n2,5\n');
});

test('AGENCIES = 0: any agency may bet, finished is harmless, there is no draw to wait for', async (t) => {
  const draws = fakeDraws();
  const lottery = new Lottery(0, draws.run, captureLogger().log, await record(t));
  t.is(lottery.betProblem(40), null);
  await lottery.finished(40, 0);
  // A draw would have started inside `finished`.
  t.is(draws.state.started, 0);
  const err = await t.throwsAsync(lottery.winnersOf(40), { instanceOf: LotteryError });
  t.is(err.code, 'UNEXPECTED_MESSAGE');
});
