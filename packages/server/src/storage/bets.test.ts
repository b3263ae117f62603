import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../test/helpers.js';
import { Bet, BetDate, hasWon, loadBets, LOTTERY_WINNER_NUMBER, storeBets, STORAGE_FILEPATH } from './bets.js';

const bets = () => [
  new Bet('1', 'Belén', 'Sánchez', '00000042', '1999-03-17', '7574'),
  new Bet('2', 'Ñandú', 'Pérez, hijo', '30904465', '2000-02-29', '0042'),
  new Bet('3', 'Juan "el Toro"', 'O\'Neil', '7', '0999-12-31', '1'),
  new Bet('4', 'Ana\nMaría', 'Gómez\r', '12345678', '1980-01-01', '9999'),
];

test('constants match utils.py', (t) => {
  t.is(STORAGE_FILEPATH, './bets.csv');
  t.is(LOTTERY_WINNER_NUMBER, 7574);
});

test('Bet parses its text fields as Python does: int(agency), date.fromisoformat, int(number); document stays text', (t) => {
  const bet = new Bet(' 5 ', 'A', 'B', '00012', '1999-03-17', '0042');
  t.is(bet.agency, 5);
  t.is(bet.document, '00012');
  t.is(bet.number, 42);
  t.is(String(bet.birthdate), '1999-03-17');
  t.is(JSON.stringify({ d: bet.birthdate }), '{"d":"1999-03-17"}');
  t.throws(() => new Bet('x', 'A', 'B', '1', '1999-03-17', '1'), { message: /int\(\)/ });
  t.throws(() => new Bet('1', 'A', 'B', '1', '1999-02-30', '1'), { message: /isoformat/ });
  t.throws(() => new Bet('1', 'A', 'B', '1', '1999-3-1', '1'), { message: /isoformat/ });
  t.is(BetDate.fromIsoFormat('0001-01-01').isoFormat(), '0001-01-01');
});

test('hasWon compares the number with 7574', (t) => {
  t.true(hasWon(new Bet('1', 'A', 'B', '1', '2000-01-01', '7574')));
  t.false(hasWon(new Bet('1', 'A', 'B', '1', '2000-01-01', '7575')));
});

test('storeBets appends rows byte-for-byte as csv.writer(QUOTE_MINIMAL) does', async (t) => {
  const path = join(await tempDir(t), 'bets.csv');
  await storeBets(bets().slice(0, 2), path);
  await storeBets(bets().slice(2), path);
  const expected =
    '1,Belén,Sánchez,00000042,1999-03-17,7574\r\n' +
    '2,Ñandú,"Pérez, hijo",30904465,2000-02-29,42\r\n' +
    '3,"Juan ""el Toro""",O\'Neil,7,0999-12-31,1\r\n' +
    '4,"Ana\nMaría","Gómez\r",12345678,1980-01-01,9999\r\n';
  t.deepEqual(await readFile(path), Buffer.from(expected, 'utf8'));
});

test('loadBets reads back what storeBets wrote: accents, commas, quotes, line breaks, leading zeros', async (t) => {
  const path = join(await tempDir(t), 'bets.csv');
  await storeBets(bets(), path);
  const loaded = [];
  for await (const bet of loadBets(path)) loaded.push(bet);
  t.deepEqual(JSON.parse(JSON.stringify(loaded)), JSON.parse(JSON.stringify(bets())));
  t.is(loaded[0]!.document, '00000042');
  t.is(loaded[1]!.lastName, 'Pérez, hijo');
});

test('loadBets also reads rows ending in "\\n" and is lazy: breaking early stops reading', async (t) => {
  const path = join(await tempDir(t), 'bets.csv');
  const rows = 200_000;
  await writeFile(path, '1,A,B,1,2000-01-01,1\n'.repeat(rows));
  let seen = 0;
  const before = process.memoryUsage().rss;
  for await (const bet of loadBets(path)) {
    t.is(bet.agency, 1);
    if (++seen === 3) break;
  }
  t.is(seen, 3);
  t.true(process.memoryUsage().rss - before < 64 * 1024 * 1024);
});

test('loadBets on a missing file rejects with ENOENT, as open() does in Python', async (t) => {
  const it = loadBets('/nonexistent/tp0/bets.csv');
  await t.throwsAsync(() => it.next(), { code: 'ENOENT' });
});
