import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BetFields } from '@tp0/common';
import { BadRowError, readBatches, readBets } from './csv-source.js';

function csvFile(text: string | Buffer): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'tp0-client-csv-')), 'agency-1.csv');
  writeFileSync(file, text);
  return file;
}

async function collect(file: string): Promise<BetFields[]> {
  const bets: BetFields[] = [];
  for await (const bet of readBets(file)) bets.push(bet);
  return bets;
}

const GOOD = 'Belén,Sánchez,00000042,1999-03-17,7574\r\nJosé María,Ñandú,12345678,1980-01-01,1\r\nAna,Saldaña,87654321,2005-12-31,0\r\n';

test('CRLF rows, no header, accents byte-exact, documents keep leading zeros', async t => {
  const bets = await collect(csvFile(GOOD));
  t.deepEqual(bets, [
    { firstName: 'Belén', lastName: 'Sánchez', document: '00000042', birthdate: '1999-03-17', number: 7574 },
    { firstName: 'José María', lastName: 'Ñandú', document: '12345678', birthdate: '1980-01-01', number: 1 },
    { firstName: 'Ana', lastName: 'Saldaña', document: '87654321', birthdate: '2005-12-31', number: 0 },
  ]);
  t.deepEqual(Buffer.from(bets[1]!.lastName, 'utf8'), Buffer.from([0xc3, 0x91, 0x61, 0x6e, 0x64, 0xc3, 0xba]));
});

test('LF endings and a missing final newline read the same', async t => {
  t.deepEqual(await collect(csvFile(GOOD.replaceAll('\r\n', '\n').trimEnd())), await collect(csvFile(GOOD)));
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
    const seen: BetFields[] = [];
    const error = await t.throwsAsync(
      async () => {
        for await (const bet of readBets(csvFile(`${GOOD}${row}\r\nLuis,Gómez,5,1990-05-05,5\r\n`))) seen.push(bet);
      },
      { instanceOf: BadRowError },
      row,
    );
    t.is(error?.line, 4, row);
    t.regex(error?.reason ?? '', reason, row);
    t.is(seen.length, 3, row);
  }
});

test('a missing file is an error, not a bad row', async t => {
  await t.throwsAsync(collect('/nonexistent/agency-1.csv'), { message: /ENOENT/ });
});

test('a quoted field with a newline counts its lines: the row is reported at the line where it ends', async t => {
  const text = `${GOOD}"Ana\nMaría",Pérez,1,1999-01-01,5\r\nLuis,Gómez,5,1990-05-05,12345\r\n`;
  const error = await t.throwsAsync(collect(csvFile(text)), { instanceOf: BadRowError });
  t.is(error?.line, 5);
  t.regex(error?.reason ?? '', /first name contains a line break/);
});

test('readBatches fills batches of maxAmount from a file larger than the stream buffers', async t => {
  let text = '';
  for (let i = 0; i < 5000; i++) text += `Ana,Pérez,${i},1999-01-01,${i % 10_000}\n`;
  const sizes: number[] = [];
  let documents = 0;
  for await (const batch of readBatches(csvFile(text), { maxAmount: 134 })) {
    sizes.push(batch.length);
    for (const bet of batch) t.is(bet.document, String(documents++));
  }
  t.is(documents, 5000);
  t.deepEqual(sizes, [...Array<number>(37).fill(134), 5000 - 37 * 134]);
});
