import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { lastValueFrom, map, tap } from 'rxjs';
import { fromReadable } from '@tp0/codec';
import type { Bet } from '@tp0/protocol';
import { BadRowError, badRowOf, betOfRecord, openCsvRecords } from './csv-rows.js';

function csvFile(text: string | Buffer): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'tp0-client-csv-')), 'agency-1.csv');
  writeFileSync(file, text);
  return file;
}

/** The file's bets as the agency reads them (no window bound here), and the error that stopped them, as a BadRowError when a row caused it. */
async function read(file: string): Promise<{ bets: Bet[]; error?: unknown }> {
  const bets: Bet[] = [];
  const records = openCsvRecords(file);
  try {
    const source = fromReadable<string[]>(records, { window: Number.MAX_SAFE_INTEGER });
    await lastValueFrom(source.pipe(map(betOfRecord), tap(bet => bets.push(bet))), { defaultValue: undefined });
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
  t.regex((error as BadRowError).reason, /Invalid Closing Quote/);
  t.is(bets.length, 5000);
});

test('an unclosed quote at the end of the file is a bad row at the line where the quote opened', async t => {
  const { bets, error } = await read(csvFile(`${GOOD}"Ana,Pérez,1,1999-01-01,5\n`));
  t.true(error instanceof BadRowError, String(error));
  t.regex((error as BadRowError).reason, /Quote Not Closed/);
  t.is((error as BadRowError).line, 4);
  t.is(bets.length, 3);
});
