import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgencyBet } from '@tp0/protocol';
import { BetRowError, storeBets } from '../storage/bets.js';
import { tempDir } from '../test/helpers.js';
import { AgencyLedger } from './ledger.js';

const bet = (agency: number, document: string, number: number, patch: Partial<AgencyBet> = {}): AgencyBet => ({
  agency, firstName: 'A', lastName: 'B', document, birthdate: '2000-01-01', number, ...patch,
});

test('bets added as they are stored: each agency\'s count, and its winners (hasWon) in the order stored', (t) => {
  const ledger = new AgencyLedger();
  ledger.add([bet(2, '21', 7574), bet(1, '11', 1)]);
  ledger.add([bet(2, '22', 7575), bet(2, '00000023', 7574), bet(3, '31', 7574)]);
  t.deepEqual(ledger.agencies(), [1, 2, 3]);
  t.deepEqual([ledger.stored(1), ledger.stored(2), ledger.stored(3), ledger.stored(4)], [1, 3, 1, 0]);
  t.is(ledger.rows, 5);
  t.deepEqual([...ledger.winners()], [[2, ['21', '00000023']], [3, ['31']]]);
});

test('recover reads the bets file back through loadBets: the same counts and winners as when the bets were stored', async (t) => {
  const path = join(await tempDir(t), 'bets.csv');
  const stored = [
    bet(1, '00000001', 7574),
    bet(1, '2', 7575),
    bet(2, '3', 7574, { firstName: 'Ñandú', lastName: 'Pérez, "hijo"' }),
    bet(1, '4', 7574),
    bet(3, '5', 1),
  ];
  await storeBets(stored, path);
  const live = new AgencyLedger();
  live.add(stored);
  const recovered = await AgencyLedger.recover(path);
  t.deepEqual(recovered.agencies(), live.agencies());
  t.deepEqual(recovered.agencies().map((a) => recovered.stored(a)), [3, 1, 1]);
  t.is(recovered.rows, 5);
  t.deepEqual([...recovered.winners()], [...live.winners()]);
  t.deepEqual([...recovered.winners()], [[1, ['00000001', '4']], [2, ['3']]]);
});

test('recover refuses a row that is not a bet, naming the file and the row, and leaves the file as it is', async (t) => {
  const path = join(await tempDir(t), 'bets.csv');
  const text = '1,A,B,1,2000-01-01,7574\r\nx,A,B,1,2000-01-01,7574\r\n1,A,B,2,2000-01-01,1\r\n';
  await writeFile(path, text);
  await t.throwsAsync(() => AgencyLedger.recover(path), { instanceOf: BetRowError, message: `${path}, row 2: invalid literal for int() with base 10: "x"` });
  t.is(await readFile(path, 'utf8'), text);
});

test('exclusive runs one piece of work at a time per agency, in call order, failures included', async (t) => {
  const ledger = new AgencyLedger();
  const order: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const first = ledger.exclusive(1, async () => {
    await gate;
    order.push('1a');
    throw new Error('write failed');
  });
  const second = ledger.exclusive(1, async () => void order.push('1b'));
  const other = ledger.exclusive(2, async () => void order.push('2'));
  await other;
  t.deepEqual(order, ['2'], 'another agency does not wait');
  release();
  await t.throwsAsync(first, { message: 'write failed' });
  await second;
  t.deepEqual(order, ['2', '1a', '1b']);
});
