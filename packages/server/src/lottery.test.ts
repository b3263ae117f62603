import test, { type ExecutionContext } from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate } from 'node:timers/promises';
import type { AgencyBet } from '@tp0/protocol';
import { FinishedRecord } from './agencies/finished-record.js';
import { AgencyLedger } from './agencies/ledger.js';
import { Lottery, LotteryError } from './lottery.js';
import { captureLogger, tempDir } from './test/helpers.js';

/** A real finished record in a fresh directory. */
async function record(t: ExecutionContext): Promise<FinishedRecord> {
  const opened = await FinishedRecord.open(join(await tempDir(t), 'bets.csv.finished'));
  t.teardown(() => opened.close());
  return opened;
}

const bet = (agency: number, document: string, number: number): AgencyBet => ({ agency, firstName: 'A', lastName: 'B', document, birthdate: '2000-01-01', number });

/** A ledger holding 9 stored bets: agency 1 wins with 11, agency 2 with 21 and 22. */
function ledger(): AgencyLedger {
  const stored = new AgencyLedger();
  stored.add([bet(1, '11', 7574), bet(1, '12', 1), bet(2, '21', 7574), bet(3, '31', 7573), bet(2, '22', 7574), bet(3, '32', 0), bet(1, '13', 7), bet(2, '23', 2), bet(3, '33', 3)]);
  return stored;
}

test('the draw happens exactly once, right after the N-th distinct agency finished; repeats are harmless', async (t) => {
  const logs = captureLogger();
  const lottery = new Lottery(3, ledger(), logs.log, await record(t));
  const draws = () => logs.parsed().filter((l) => l.action === 'sorteo');
  // `finished` draws as soon as the N-th agency is recorded, so the count is exact after each call.
  for (const agency of [1, 1, 2, 2]) await lottery.finished(lottery.agency(agency), 0);
  t.is(draws().length, 0);
  await lottery.finished(lottery.agency(3), 0);
  t.is(draws().length, 1);
  await lottery.finished(lottery.agency(3), 0);
  await lottery.finished(lottery.agency(1), 0);
  await lottery.winnersOf(lottery.agency(1));
  t.deepEqual(draws().map((l) => [l.result, l.fields['winners'], l.fields['bets']]), [['success', '3', '9']]);
  t.true(logs.lines().some((l) => / INFO     action: sorteo \| result: success \| winners: 3 \| bets: 9/.test(l)));
});

test('winnersOf waits for the draw and gives only that agency\'s documents, in the order they were stored', async (t) => {
  const lottery = new Lottery(2, ledger(), captureLogger().log, await record(t));
  let finished = 0;
  // How many agencies had finished when the query was answered: an early answer is caught however late it is noticed.
  const query = lottery.winnersOf(lottery.agency(2)).then((documents) => ({ documents, finished }));
  await lottery.finished(lottery.agency(2), 0);
  finished += 1;
  // Every callback ready to run gets its turn before the last agency finishes.
  await setImmediate();
  await lottery.finished(lottery.agency(1), 0);
  finished += 1;
  t.deepEqual(await query, { documents: ['21', '22'], finished: 2 });
  t.deepEqual(await lottery.winnersOf(lottery.agency(1)), ['11']);
});

test('an agency with no winners gets an empty list', async (t) => {
  const lottery = new Lottery(3, ledger(), captureLogger().log, await record(t));
  for (const a of [1, 2, 3]) await lottery.finished(lottery.agency(a), 0);
  t.deepEqual(await lottery.winnersOf(lottery.agency(3)), []);
});

test('agency ids: one check refuses ids outside 1..N; agencies that finished may not bet', async (t) => {
  const lottery = new Lottery(2, ledger(), captureLogger().log, await record(t));
  for (const agency of [0, 3, -1, 1.5]) {
    const err = t.throws(() => lottery.agency(agency), { instanceOf: LotteryError }, String(agency));
    t.is(err?.code, 'UNKNOWN_AGENCY');
    t.is(err?.message, `agency ${agency} is not one of 1..2`);
  }
  const one = lottery.agency(1);
  t.is(lottery.betProblem(one), null);
  await lottery.finished(one, 0);
  t.is(lottery.betProblem(one)?.code, 'UNKNOWN_AGENCY');
  t.regex(lottery.betProblem(one)?.message ?? '', /already finished/);
});

test('close releases waiting queries with SHUTTING_DOWN', async (t) => {
  const lottery = new Lottery(2, ledger(), captureLogger().log, await record(t));
  const query = lottery.winnersOf(lottery.agency(1));
  await lottery.finished(lottery.agency(1), 0);
  lottery.close();
  const err = await t.throwsAsync(query, { instanceOf: LotteryError });
  t.is(err.code, 'SHUTTING_DOWN');
});

test('a finished that cannot be recorded is not counted and is answered STORAGE_FAILURE', async (t) => {
  const broken = { add: async () => Promise.reject(new Error('EIO: i/o error')) };
  const lottery = new Lottery(1, ledger(), captureLogger().log, broken);
  const err = await t.throwsAsync(lottery.finished(lottery.agency(1), 3), { instanceOf: LotteryError });
  t.is(err.code, 'STORAGE_FAILURE');
  t.regex(err.message, /agency 1 finished: EIO/);
  t.false(lottery.hasFinished(lottery.agency(1)));
});

test('finished is written to the record before it counts, and a recovered record counts at start-up', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'bets.csv.finished');
  const first = await FinishedRecord.open(path);
  const lottery = new Lottery(2, ledger(), captureLogger().log, first);
  await lottery.finished(lottery.agency(2), 40);
  t.is(await readFile(path, 'utf8'), '2,40\n');
  await first.close();

  const reopened = await FinishedRecord.open(path);
  t.teardown(() => reopened.close());
  t.deepEqual(reopened.recovered, [{ agency: 2, total: 40 }]);
  const restarted = new Lottery(2, ledger(), captureLogger().log, reopened, reopened.recovered.map((f) => f.agency));
  const two = restarted.agency(2);
  t.true(restarted.hasFinished(two));
  t.is(restarted.betProblem(two)?.code, 'UNKNOWN_AGENCY');
  await restarted.finished(restarted.agency(1), 0);
  t.deepEqual(await restarted.winnersOf(two), ['21', '22']);
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

test('AGENCIES = 0: any agency id >= 1 may bet, finished is harmless, there is no draw to wait for', async (t) => {
  const logs = captureLogger();
  const lottery = new Lottery(0, ledger(), logs.log, await record(t));
  const forty = lottery.agency(40);
  t.is(lottery.betProblem(forty), null);
  t.throws(() => lottery.agency(0), { message: 'agency 0 is not a positive integer' });
  await lottery.finished(forty, 0);
  t.is(logs.parsed().filter((l) => l.action === 'sorteo').length, 0);
  const err = await t.throwsAsync(lottery.winnersOf(forty), { instanceOf: LotteryError });
  t.is(err.code, 'UNEXPECTED_MESSAGE');
});
