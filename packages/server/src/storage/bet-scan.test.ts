import test from 'ava';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { random } from '@tp0/codec/testing';
import type { AgencyBet } from '@tp0/protocol';
import { DrawSource } from '../draw-source.js';
import { tempDir } from '../test/helpers.js';
import { BetRowError, encodeBets, hasWon, loadBets } from './bets.js';

type Outcome =
  | { winners: Array<[number, string[]]>; rows: number; stored: Array<[number, number]> }
  | { row: number; code: string; message?: string };

/** The oracle: the faithful port, loadBets + hasWon. */
async function byPort(path: string): Promise<Outcome> {
  const winners = new Map<number, string[]>();
  const stored = new Map<number, number>();
  let rows = 0;
  try {
    for await (const bet of loadBets(path)) {
      rows += 1;
      stored.set(bet.agency, (stored.get(bet.agency) ?? 0) + 1);
      if (hasWon(bet)) winners.set(bet.agency, [...(winners.get(bet.agency) ?? []), bet.document]);
    }
  } catch (err) {
    return rowError(err);
  }
  return { winners: [...winners], rows, stored: [...stored] };
}

async function byScan(path: string, chunkBytes?: number): Promise<Outcome> {
  const source = await DrawSource.open(path);
  try {
    const { winners, rows, storedPerAgency } = await source.scan(undefined, { chunkBytes });
    return { winners: [...winners], rows, stored: [...storedPerAgency] };
  } catch (err) {
    return rowError(err);
  } finally {
    await source.close();
  }
}

/** csv-parse words its own errors: for those the row and code must match, for int() and date errors the message too. */
function rowError(err: unknown): Outcome {
  if (!(err instanceof BetRowError)) throw err;
  const valueError = err.code === 'INVALID_INT' || err.code === 'INVALID_DATE';
  return { row: err.row, code: err.code, ...(valueError ? { message: err.message } : {}) };
}

const quote = (field: string): string => `"${field.replace(/"/g, '""')}"`;
const quoteMinimal = (field: string): string => (/[",\r\n]/.test(field) ? quote(field) : field);

// Valid-looking values, raw CSV (already quoted where needed), including what int() and fromisoformat accept.
const AGENCIES = ['1', '2', '3', '4', '5', '07', '+3', ' 4 ', '\t5\t', '-2', '0', '-0', '000000000000000000001', '12345678901234567', '"1"', '"2\n"', '9'];
const NUMBERS = ['7574', '7574', '7574', '07574', '+7574', ' 7574 ', '"7574"', '"7574\r\n"', '0', '42', '9999', '7575', '00000000000000007574', '"  7574"'];
const TEXTS = ['Belén', 'Sánchez, "Ñandú"', 'Ana\nMaría', 'Gómez\r', "O'Neil", 'x\r\ny', 'Jürgen', '', ' ', '漢字', '"', ',', 'a""b'];
const DOCUMENTS = ['00000042', '30904465', '7', 'Jürgen', 'doc "1", n', 'ab\ncd', '', '1\r'];
const DATES = ['1999-03-17', '2000-02-29', '0048-02-29', '9999-12-31', '0001-01-01', '"1999-03-17"', '1980-01-01'];
// One of these breaks a row: not an int, not a date, too few fields, not CSV.
const BROKEN: Array<(row: string[]) => void> = [
  (r) => (r[0] = 'x'),
  (r) => (r[0] = ''),
  (r) => (r[0] = '1.5'),
  (r) => (r[0] = '١'),
  (r) => (r[0] = '1_0'),
  (r) => (r[5] = '7574.0'),
  (r) => (r[5] = '"7 574"'),
  (r) => (r[5] = ''),
  (r) => (r[4] = '1999-02-30'),
  (r) => (r[4] = '1900-02-29'),
  (r) => (r[4] = '2023-04-31'),
  (r) => (r[4] = '2023-13-01'),
  (r) => (r[4] = '1999-3-1'),
  (r) => (r[4] = '0000-01-01'),
  (r) => (r[4] = ' 1999-03-17'),
  (r) => (r[4] = '１９９９-03-17'),
  (r) => (r[4] = '"1999-03-1"'),
  (r) => r.splice(4),
  (r) => r.splice(1),
  (r) => (r[1] = 'ab"c'),
  (r) => (r[2] = '"abc"x'),
  (r) => (r[3] = '"abc" '),
  (r) => (r[1] = '"a"\0b'),
  (r) => (r[1] = '"a"\0b"c'),
  (r) => (r[2] = '"unclosed'),
  (r) => (r[5] = '"7574'),
  (r) => (r[0] = '\ufeff1'),
];

function generateFile(next: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const rowEnd = pick(['\r\n', '\r\n', '\r\n', '\n', '\r']);
  const rows = Math.floor(next() * 12);
  const broken = next() < 0.5 ? Math.floor(next() * rows) : -1;
  let file = '';
  for (let i = 0; i < rows; i++) {
    const row = [pick(AGENCIES), quoteMinimal(pick(TEXTS)), quoteMinimal(pick(TEXTS)), next() < 0.2 ? quote(pick(DOCUMENTS)) : quoteMinimal(pick(DOCUMENTS)), pick(DATES), pick(NUMBERS)];
    if (next() < 0.05) row.push(quoteMinimal(pick(TEXTS)));
    if (i === broken) pick(BROKEN)(row);
    // Rarely: another row end than the file's, or an empty line.
    const end = next() < 0.05 ? pick(['\r\n', '\n', '\r', '\r\n\r\n']) : rowEnd;
    file += row.join(',') + (i === rows - 1 && next() < 0.3 ? '' : end);
  }
  return file;
}

test('the scan equals loadBets + hasWon on generated files: quotes, line breaks, accents, int() and date edge cases, broken rows', async (t) => {
  const dir = await tempDir(t);
  const counts = { files: 0, accepted: 0, rejected: 0, winners: 0 };
  for (let seed = 1; seed <= 600; seed++) {
    const next = random(seed);
    const path = join(dir, `bets-${seed}.csv`);
    await writeFile(path, generateFile(next));
    const expected = await byPort(path);
    // Reads of a few bytes cut every record and field somewhere.
    for (const chunkBytes of [undefined, 1 + Math.floor(next() * 8), 64]) {
      t.deepEqual(await byScan(path, chunkBytes), expected, `seed ${seed}, chunkBytes ${chunkBytes}`);
    }
    counts.files += 1;
    if ('rows' in expected) {
      counts.accepted += 1;
      counts.winners += expected.winners.length;
    } else counts.rejected += 1;
  }
  // The generator must exercise both outcomes.
  t.true(counts.accepted > 150 && counts.rejected > 150 && counts.winners > 100, JSON.stringify(counts));
});

test('named edge cases scan as loadBets reads them', async (t) => {
  const dir = await tempDir(t);
  const row = '1,A,B,00000042,1999-03-17,7574';
  const cases: Record<string, string> = {
    empty: '',
    'only a row end': '\r\n',
    'last row without a row end': `${row}\r\n${row}`,
    'LF rows': `${row}\n${row}\n`,
    'CRLF file with an LF row': `${row}\r\n${row}\n${row}\r\n`,
    'LF file with CRLF rows': `${row}\n${row}\r\n`,
    'CR rows': `${row}\r${row}\r`,
    'an empty line': `${row}\r\n\r\n${row}\r\n`,
    'trailing comma at the end of the file': `${row},`,
    'empty quoted field at the end of the file': `${row}\r\n""`,
    'quoted field closed at the end of the file': `1,A,B,"00000042",1999-03-17,"7574"`,
    'CR after a closing quote in a CRLF file': `1,A,B,1,1999-03-17,"7574"\r\r\n`,
    'CR after a closing quote at the end of a CRLF file': `${row}\r\n1,A,B,1,1999-03-17,"7574"\r`,
    'quoted line breaks before the first row end': `1,"A\r\nB","C\nD",2,1999-03-17,7574\n${row}\n`,
    'a bad int before a bad quote': `${row}\r\nx,A,B,1,1999-03-17,1\r\n1,A"B,C,1,1999-03-17,1\r\n`,
    'leading zeros, sign and blanks': '007,A,B,1,1999-03-17,+7574\r\n 7 ,A,B,2,1999-03-17, 07574 \r\n',
  };
  for (const [name, content] of Object.entries(cases)) {
    const path = join(dir, `${name}.csv`);
    await writeFile(path, content);
    const expected = await byPort(path);
    t.deepEqual(await byScan(path), expected, name);
    t.deepEqual(await byScan(path, 3), expected, `${name}, 3-byte reads`);
  }
});

test('the scan equals loadBets on a stored file larger than one read', async (t) => {
  const path = join(await tempDir(t), 'bets.csv');
  const bets: AgencyBet[] = [];
  for (let i = 0; i < 30_000; i++) {
    bets.push({ agency: (i % 5) + 1, firstName: i % 7 === 0 ? 'Ana\r\nMaría' : 'Belén', lastName: 'Sánchez, "Ñandú"', document: String(i).padStart(8, '0'), birthdate: '1999-03-17', number: i % 97 === 0 ? 7574 : i % 10_000 });
  }
  await writeFile(path, encodeBets(bets));
  const expected = await byPort(path);
  t.true('rows' in expected && expected.rows === 30_000);
  t.deepEqual(await byScan(path), expected);
  t.deepEqual(await byScan(path, 1000), expected);
});
