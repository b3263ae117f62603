import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../test/helpers.js';
import type { AgencyBet } from '@tp0/protocol';
import { BetRowError, hasWon, loadBets, LOTTERY_WINNER_NUMBER, storeBets, STORAGE_FILEPATH } from './bets.js';

const bet = (agency: number, firstName: string, lastName: string, document: string, birthdate: string, number: number): AgencyBet => ({
  agency,
  firstName,
  lastName,
  document,
  birthdate,
  number,
});

const bets = () => [
  bet(1, 'Belén', 'Sánchez', '00000042', '1999-03-17', 7574),
  bet(2, 'Ñandú', 'Pérez, hijo', '30904465', '2000-02-29', 42),
  bet(3, 'Juan "el Toro"', 'O\'Neil', '7', '0999-12-31', 1),
  bet(4, 'Ana\nMaría', 'Gómez\r', '12345678', '1980-01-01', 9999),
];

async function loadAll(path: string): Promise<AgencyBet[]> {
  const loaded: AgencyBet[] = [];
  for await (const b of loadBets(path)) loaded.push(b);
  return loaded;
}

test('constants match utils.py', (t) => {
  t.is(STORAGE_FILEPATH, './bets.csv');
  t.is(LOTTERY_WINNER_NUMBER, 7574);
});

test('loadBets reads agency and number as Python\'s int() does (blanks, sign, leading zeros); the document stays text', async (t) => {
  const path = join(await tempDir(t), 'bets.csv');
  await writeFile(path, ' 5 ,A,B,00012,1999-03-17,0042\r\n+3,A,B,7,0001-01-01, -1\r\n');
  t.deepEqual(await loadAll(path), [bet(5, 'A', 'B', '00012', '1999-03-17', 42), bet(3, 'A', 'B', '7', '0001-01-01', -1)]);
});

test('loadBets refuses a row that is not a bet, naming the file and the row', async (t) => {
  const dir = await tempDir(t);
  // Row numbers count records: the quoted line break in row 1 does not shift them.
  const good = '1,"Ana\nMaría",B,1,2000-01-01,1\r\n';
  const cases: Array<[string, RegExp]> = [
    ['x,A,B,1,1999-03-17,1', /row 2: invalid literal for int\(\) with base 10: "x"/],
    ['1,A,B,1,1999-03-17,1.5', /row 2: invalid literal for int\(\) with base 10: "1.5"/],
    ['1,A,B,1,1999-02-30,1', /row 2: birthdate "1999-02-30" is not a real YYYY-MM-DD date/],
    ['1,A,B,1,1999-3-1,1', /row 2: birthdate "1999-3-1"/],
    ['1,A,B,1,0000-01-01,1', /row 2: birthdate "0000-01-01"/],
    ['1,A,B,1', /row 2: birthdate ""/],
  ];
  for (const [index, [row, message]] of cases.entries()) {
    const path = join(dir, `bad-${index}.csv`);
    await writeFile(path, `${good}${row}\r\n`);
    const err = await t.throwsAsync(() => loadAll(path), { instanceOf: BetRowError, message }, row);
    t.is(err?.row, 2, row);
    t.true(err?.message.startsWith(`${path}, row 2: `), row);
  }
});

test('hasWon compares the number with 7574', (t) => {
  t.true(hasWon(bet(1, 'A', 'B', '1', '2000-01-01', 7574)));
  t.false(hasWon(bet(1, 'A', 'B', '1', '2000-01-01', 7575)));
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
  const loaded = await loadAll(path);
  t.deepEqual(loaded, bets());
  t.is(loaded[0]!.document, '00000042');
  t.is(loaded[1]!.lastName, 'Pérez, hijo');
});

test('loadBets also reads rows ending in "\\n" and is lazy: breaking early stops reading', async (t) => {
  const path = join(await tempDir(t), 'bets.csv');
  const rows = 200_000;
  await writeFile(path, '1,A,B,1,2000-01-01,1\n'.repeat(rows));
  let seen = 0;
  const before = process.memoryUsage().rss;
  for await (const loaded of loadBets(path)) {
    t.is(loaded.agency, 1);
    if (++seen === 3) break;
  }
  t.is(seen, 3);
  t.true(process.memoryUsage().rss - before < 64 * 1024 * 1024);
});

test('loadBets on a missing file rejects with ENOENT, as open() does in Python', async (t) => {
  const it = loadBets('/nonexistent/tp0/bets.csv');
  await t.throwsAsync(() => it.next(), { code: 'ENOENT' });
});

test('loadBets reports a row that is not CSV as a BetRowError, after any earlier bad row (as Python\'s lazy reader)', async (t) => {
  const dir = await tempDir(t);
  const good = '1,A,B,1,2000-01-01,1\r\n';
  const quote = join(dir, 'quote.csv');
  await writeFile(quote, `${good}${good}1,A"B,C,1,2000-01-01,1\r\n${good}`);
  const err = await t.throwsAsync(() => loadAll(quote), { instanceOf: BetRowError, message: /row 3: Invalid Opening Quote/ });
  t.is(err?.code, 'INVALID_OPENING_QUOTE');
  // Both rows are in the same read: the stream's error must not overtake the earlier row.
  const both = join(dir, 'both.csv');
  await writeFile(both, `${good}x,A,B,1,2000-01-01,1\r\n1,A"B,C,1,2000-01-01,1\r\n`);
  await t.throwsAsync(() => loadAll(both), { instanceOf: BetRowError, message: /row 2: invalid literal for int\(\)/ });
});
