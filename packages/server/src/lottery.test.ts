import test from 'ava';
import { setImmediate } from 'node:timers/promises';
import type { DrawResult, DrawRun } from './draw.js';
import { Lottery, LotteryError } from './lottery.js';
import { captureLogger } from './test/helpers.js';

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
  const lottery = new Lottery(3, draws.run, logs.log);
  // `finished` starts the draw synchronously, so the count is exact right after each call.
  lottery.finished(1);
  lottery.finished(1);
  lottery.finished(2);
  lottery.finished(2);
  t.is(draws.state.started, 0);
  lottery.finished(3);
  t.is(draws.state.started, 1);
  lottery.finished(3);
  lottery.finished(1);
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
  const lottery = new Lottery(2, async () => ({ result, cancel: async () => {} }), captureLogger().log);
  // Whether the result was out when the query was answered: an early answer is caught however late it is noticed.
  const query = lottery.winnersOf(2).then((documents) => ({ documents, published }));
  lottery.finished(2);
  lottery.finished(1);
  // Every callback ready to run gets its turn before the result is out.
  await setImmediate();
  published = true;
  publish({ winners: new Map([[1, ['11']], [2, ['21', '22']]]), rows: 9 });
  t.deepEqual(await query, { documents: ['21', '22'], published: true });
  t.deepEqual(await lottery.winnersOf(1), ['11']);
});

test('an agency with no winners gets an empty list', async (t) => {
  const lottery = new Lottery(3, fakeDraws().run, captureLogger().log);
  for (const a of [1, 2, 3]) lottery.finished(a);
  t.deepEqual(await lottery.winnersOf(3), []);
});

test('bets: unknown agencies and agencies already finished are refused', (t) => {
  const lottery = new Lottery(2, fakeDraws().run, captureLogger().log);
  t.is(lottery.betProblem(1), null);
  for (const agency of [0, 3, -1, 1.5]) t.is(lottery.betProblem(agency)?.code, 'UNKNOWN_AGENCY', String(agency));
  lottery.finished(1);
  t.is(lottery.betProblem(1)?.code, 'UNKNOWN_AGENCY');
  t.regex(lottery.betProblem(1)?.message ?? '', /already finished/);
  t.throws(() => lottery.finished(7), { instanceOf: LotteryError, message: /agency 7/ });
});

test('close releases waiting queries with SHUTTING_DOWN and cancels the draw', async (t) => {
  let cancelled = 0;
  let drawStarted!: () => void;
  const started = new Promise<void>((resolve) => (drawStarted = resolve));
  const never: DrawRun = { result: new Promise(() => {}), cancel: async () => void (cancelled += 1) };
  const lottery = new Lottery(1, async () => (drawStarted(), never), captureLogger().log);
  const query = lottery.winnersOf(1);
  lottery.finished(1);
  await started;
  await lottery.close();
  const err = await t.throwsAsync(query, { instanceOf: LotteryError });
  t.is(err.code, 'SHUTTING_DOWN');
  t.is(cancelled, 1);
});

test('a failed draw is logged and answered with STORAGE_FAILURE', async (t) => {
  const logs = captureLogger();
  const lottery = new Lottery(1, async () => ({ result: Promise.reject(new Error('disk gone')), cancel: async () => {} }), logs.log);
  lottery.finished(1);
  const err = await t.throwsAsync(lottery.winnersOf(1), { instanceOf: LotteryError });
  t.is(err.code, 'STORAGE_FAILURE');
  t.true(logs.lines().some((l) => l.includes('action: sorteo | result: fail | error: disk gone')));
});

test('AGENCIES = 0: any agency may bet, finished is harmless, there is no draw to wait for', async (t) => {
  const draws = fakeDraws();
  const lottery = new Lottery(0, draws.run, captureLogger().log);
  t.is(lottery.betProblem(40), null);
  lottery.finished(40);
  // A draw would have started inside `finished`.
  t.is(draws.state.started, 0);
  const err = await t.throwsAsync(lottery.winnersOf(40), { instanceOf: LotteryError });
  t.is(err.code, 'UNEXPECTED_MESSAGE');
});
