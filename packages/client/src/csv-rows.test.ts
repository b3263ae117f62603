import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { lastValueFrom, map, tap } from 'rxjs';
import { fromReadable } from '@tp0/codec';
import type { Bet } from '@tp0/protocol';
import { BadRowError, badRowOf, betOfRecord, countCsvRecords, openCsvRecords } from './csv-rows.js';

function csvFile(text: string | Buffer): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'tp0-client-csv-')), 'agency-1.csv');
  writeFileSync(file, text);
  return file;
}

/** The file's bets as the agency reads them (no window bound here), and the error that stopped them, as a BadRowError when a row caused it. */
async function read(file: string, skip = 0): Promise<{ bets: Bet[]; error?: unknown }> {
  const bets: Bet[] = [];
  const records = openCsvRecords(file, skip);
  try {
    const source = fromReadable<string[]>(records, { window: Number.MAX_SAFE_INTEGER });
    await lastValueFrom(source.pipe(map((record, index) => betOfRecord(record, skip + index)), tap(bet => bets.push(bet))), { defaultValue: undefined });
    return { bets };
  } catch (error) {
    return { bets, error: badRowOf(error) ?? error };
  } finally {
    records.destroy();
  }
}

const GOOD = 'Belén,Sánchez,00000042,1999-03-17,7574\r\nJosé María,Ñandú,12345678,1980-01-01,1\r\nAna,Saldaña,87654321,2005-12-31,0\r\n';

test('CRLF rows, no header, accents byte-exact, documents keep leading zeros', async t => {
  const { bets, error } = await read(csvFile(GOOD));
  t.is(error, undefined);
  t.deepEqual(bets, [
    { firstName: 'Belén', lastName: 'Sánchez', document: '00000042', birthdate: '1999-03-17', number: 7574 },
    { firstName: 'José María', lastName: 'Ñandú', document: '12345678', birthdate: '1980-01-01', number: 1 },
    { firstName: 'Ana', lastName: 'Saldaña', document: '87654321', birthdate: '2005-12-31', number: 0 },
  ]);
  t.deepEqual(Buffer.from(bets[1]!.lastName, 'utf8'), Buffer.from([0xc3, 0x91, 0x61, 0x6e, 0x64, 0xc3, 0xba]));
});

test('LF endings, a missing final newline and a UTF-8 BOM read the same', async t => {
  const expected = (await read(csvFile(GOOD))).bets;
  t.deepEqual((await read(csvFile(GOOD.replaceAll('\r\n', '\n').trimEnd()))).bets, expected);
  t.deepEqual((await read(csvFile(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(GOOD)])))).bets, expected);
});

test('a malformed row is reported with its line number and reason, after the good rows', async t => {
  const cases: Array<[string, RegExp]> = [
    ['Ana,Pérez,1,1999-01-01', /expected 5 fields.*got 4/],
    ['Ana,Pérez,1,1999-01-01,5,extra', /got 6/],
    ['Ana,Pérez,1,1999-02-30,5', /birthdate "1999-02-30"/],
    ['Ana,Pérez,1,01/02/1999,5', /birthdate/],
    ['Ana,Pérez,1,1999-01-01,12345', /number "12345"/],
    ['Ana,Pérez,1,1999-01-01,x', /number "x"/],
    [',Pérez,1,1999-01-01,5', /first name is empty/],
    ['Ana, ,1,1999-01-01,5', /last name is empty/],
    ['Ana,Pérez,1a,1999-01-01,5', /document "1a"/],
    ['', /got 1/],
  ];
  for (const [row, reason] of cases) {
    const { bets, error } = await read(csvFile(`${GOOD}${row}\r\nLuis,Gómez,5,1990-05-05,5\r\n`));
    t.true(error instanceof BadRowError, row);
    t.is((error as BadRowError).line, 4, row);
    t.regex((error as BadRowError).reason, reason, row);
    t.is(bets.length, 3, row);
  }
});

test('quoted fields are CSV text: a comma, a doubled quote, a quote right after the BOM', async t => {
  const { bets, error } = await read(csvFile(`\ufeff"Ana, María","O""Brien",00000001,1999-01-01,5\r\n${GOOD}`));
  t.is(error, undefined);
  t.deepEqual(bets[0], { firstName: 'Ana, María', lastName: 'O"Brien', document: '00000001', birthdate: '1999-01-01', number: 5 });
  t.is(bets.length, 4);
});

test('skip: the first records are read, not handed out, and still counted; a later bad row names its line from the file start', async t => {
  const file = csvFile(`${GOOD}Ana,"Pé"rez,1,1999-01-01,5\r\n`);
  const { bets, error } = await read(file, 2);
  t.deepEqual(bets.map(bet => bet.document), ['87654321']);
  t.is((error as BadRowError).line, 4);
  t.regex((error as BadRowError).reason, /^Invalid Closing Quote: got "r" at line 4\b/);
  t.is(await countCsvRecords(csvFile(GOOD)), 3);
});

test('a missing file is an error, not a bad row', async t => {
  const { error } = await read('/nonexistent/agency-1.csv');
  t.false(error instanceof BadRowError);
  t.regex((error as Error).message, /ENOENT/);
});

test('a quoted field with a newline counts its lines: the row is reported at the line where it ends', async t => {
  const { bets, error } = await read(csvFile(`${GOOD}"Ana\nMaría",Pérez,1,1999-01-01,5\r\nLuis,Gómez,5,1990-05-05,12345\r\n`));
  t.true(error instanceof BadRowError);
  t.is((error as BadRowError).line, 5);
  t.regex((error as BadRowError).reason, /first name contains a line break/);
  t.is(bets.length, 3);
});

test('regression: a CRLF inside a quoted field counts as one line (csv-parse info.lines counts it twice)', async t => {
  const { bets, error } = await read(csvFile(`${GOOD}"Ana\r\nMaría",Pérez,1,1999-01-01,5\r\n`));
  t.is((error as BadRowError).line, 5);
  t.regex((error as BadRowError).reason, /first name contains a line break/);
  t.is(bets.length, 3);
});

test('bad CSV (a stray quote) is a bad row at its line, after every record before it, even those csv-parse buffered', async t => {
  let text = '';
  for (let i = 0; i < 5000; i++) text += `Ana,Pérez,${i},1999-01-01,${i % 10_000}\n`;
  const { bets, error } = await read(csvFile(`${text}Ana,"Pé"rez,1,1999-01-01,5\nLuis,Gómez,5,1990-05-05,5\n`));
  t.true(error instanceof BadRowError, String(error));
  t.is((error as BadRowError).line, 5001);
  t.regex((error as BadRowError).reason, /^Invalid Closing Quote: got "r" at line 5001\b/);
  t.is(bets.length, 5000);
});

test('an unclosed quote at the end of the file is a bad row at the line where the quote opened', async t => {
  const { bets, error } = await read(csvFile(`${GOOD}"Ana,Pérez,1,1999-01-01,5\n`));
  t.true(error instanceof BadRowError, String(error));
  t.regex((error as BadRowError).reason, /Quote Not Closed/);
  t.is((error as BadRowError).line, 4);
  t.is(bets.length, 3);
});

test('invalid UTF-8 (a Latin-1 "José") is a bad row at its physical line, not a U+FFFD in a stored name', async t => {
  const latin1 = Buffer.concat([Buffer.from(GOOD), Buffer.from('Jos'), Buffer.of(0xe9), Buffer.from(',Pérez,1,1999-01-01,5\r\n')]);
  const { error } = await read(csvFile(latin1));
  t.true(error instanceof BadRowError, String(error));
  t.is((error as BadRowError).line, 4);
  t.is((error as BadRowError).reason, 'not UTF-8: byte 0xE9');
});

test('invalid UTF-8 far into the file (past several 64 KiB chunks) names its physical line', async t => {
  let text = '"Ana, María",Pérez,1,1999-01-01,5\r\n';
  for (let i = 0; i < 5000; i++) text += `José,Pérez,${i},1999-01-01,${i % 10_000}\r\n`;
  const { error } = await read(csvFile(Buffer.concat([Buffer.from(text), Buffer.from('Ana,P'), Buffer.of(0xc3, 0x28), Buffer.from(',1,1999-01-01,5\r\n')])));
  t.true(error instanceof BadRowError, String(error));
  // 5001 good rows (lines 1-5001): the bad byte is on line 5002.
  t.is((error as BadRowError).line, 5002);
});

test('a UTF-8 character cut by the 64 KiB chunk boundary reads whole', async t => {
  // 2046 rows of 32 bytes, a row of 36 + 22 bytes, then "Ana,P": the "é" of "Pérez" starts at the chunk's last byte.
  const text = 'Ana,Perez,00000000,1999-01-01,1\n'.repeat(2046) + `${'A'.repeat(36)},Perez,1,1999-01-01,1\n` + 'Ana,Pérez,2,1999-01-01,2\n';
  const bytes = Buffer.from(text);
  t.deepEqual([bytes[65_535], bytes[65_536]], [0xc3, 0xa9]);
  const { bets, error } = await read(csvFile(bytes));
  t.is(error, undefined);
  t.is(bets.length, 2048);
  t.is(bets.at(-1)!.lastName, 'Pérez');
});

test('a file that ends inside a UTF-8 character is a bad row at its last line', async t => {
  const { error } = await read(csvFile(Buffer.concat([Buffer.from(GOOD), Buffer.from('Ana,P'), Buffer.of(0xc3)])));
  t.is((error as BadRowError).line, 4);
  t.regex((error as BadRowError).reason, /ends inside a character/);
});
