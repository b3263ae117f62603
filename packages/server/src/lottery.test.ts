import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
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
  lottery.finished(1);
  lottery.finished(1);
  lottery.finished(2);
  lottery.finished(2);
  await sleep(10);
  t.is(draws.state.started, 0);
  lottery.finished(3);
  lottery.finished(3);
  lottery.finished(1);
  await sleep(10);
  t.is(draws.state.started, 1);
  const sorteo = logs.parsed().filter((l) => l.action === 'sorteo');
  t.deepEqual(sorteo.map((l) => [l.result, l.fields['winners']]), [['success', '3']]);
  t.true(logs.lines().some((l) => / INFO     action: sorteo \| result: success \| winners: 3/.test(l)));
});

test('winnersOf waits for the draw and gives only that agency\'s documents', async (t) => {
  const lottery = new Lottery(2, fakeDraws().run, captureLogger().log);
  let answered = false;
  const query = lottery.winnersOf(2).then((docs) => ((answered = true), docs));
  lottery.finished(2);
  await sleep(20);
  t.false(answered);
  lottery.finished(1);
  t.deepEqual(await query, ['21', '22']);
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
  const never: DrawRun = { result: new Promise(() => {}), cancel: async () => {} };
  let cancelled = 0;
  const lottery = new Lottery(1, async () => ({ ...never, cancel: async () => void (cancelled += 1) }), captureLogger().log);
  const query = lottery.winnersOf(1);
  lottery.finished(1);
  await sleep(5);
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
  await sleep(5);
  t.is(draws.state.started, 0);
  const err = await t.throwsAsync(lottery.winnersOf(40), { instanceOf: LotteryError });
  t.is(err.code, 'UNEXPECTED_MESSAGE');
});
