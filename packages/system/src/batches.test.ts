/** Batching and storage fidelity, end to end: built server and clients as child processes on 127.0.0.1. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { generateAgencyFiles } from './gen-data.js';
import { csvRows } from './run/csv.js';
import { runSystem } from './run/run-system.js';
import { betKeys, fieldValues, storedByAgency, tempDir } from './test/helpers.js';

const cases = [
  { rows: 7, maxAmount: 3, expected: [3, 3, 1] },
  { rows: 1, maxAmount: 5, expected: [1] },
  { rows: 250, maxAmount: 100, expected: [100, 100, 50] },
  { rows: 100, maxAmount: 7, expected: [...Array<number>(14).fill(7), 2] },
];

for (const { rows, maxAmount, expected } of cases) {
  test(`${rows} rows with batch.maxAmount ${maxAmount}: batches ${expected.length > 3 ? `${expected.length - 1}×${maxAmount} + ${expected.at(-1)}` : expected.join(', ')}, all stored`, async (t) => {
    const dir = await tempDir(t);
    const [file] = generateAgencyFiles({ out: path.join(dir, 'data'), agencies: 1, bets: rows, seed: rows });
    const betsFile = path.join(dir, 'bets.csv');
    const result = await runSystem({ inputFiles: [file!], workDir: dir, betsFile, batch: maxAmount, timeoutMs: 20_000 });
    t.deepEqual(result.summary.problems, []);
    // One agency per server, so every apuesta_recibida line is this agency's, in order.
    t.deepEqual(fieldValues(result.server.lines, 'apuesta_recibida', 'cantidad').map(Number), expected);
    t.is((await storedByAgency(betsFile)).get(1)?.length, rows);
  });
}

test('bets.csv holds every input bet with its fields unchanged (accents, NFD, emoji, quotes, commas, leading zeros)', async (t) => {
  const dir = await tempDir(t);
  // RFC 4180 text as an agency might have it; csv-parse on the client and QUOTE_MINIMAL on the server must round-trip it.
  const tricky = [
    'Belén,Sánchez,30904465,1999-03-17,7574',
    'Jose\u0301,Nu\u0303n\u0303ez,00001234,1985-12-01,1', // NFD: must not be normalized to NFC
    'José María,Ñandú,12345678,2000-02-29,2',
    'Zoë 🎲,Ibáñez-Ortíz,99999999,1940-01-01,9999',
    `"Pérez, Jr.","Dí""az",45678901,1970-06-30,0`,
    `O'Brien,D'Angelo,55555555,1990-01-31,7574`,
    `${'ñ'.repeat(127)}a,Luján,10000000,2005-12-31,42`, // 255 bytes, the longest name allowed
    ' Ana ,  Peña,20000000,1960-07-04,3', // blanks are part of the name
  ];
  const agency1 = path.join(dir, 'agency-1.csv');
  await writeFile(agency1, tricky.map((line) => `${line}\r\n`).join(''));
  const generated = generateAgencyFiles({ out: path.join(dir, 'gen'), agencies: 3, bets: 2000, seed: 11 });
  const inputFiles = [agency1, generated[1]!, generated[2]!];
  const betsFile = path.join(dir, 'bets.csv');
  const result = await runSystem({ inputFiles, workDir: dir, betsFile, batch: 64, timeoutMs: 20_000 });
  t.deepEqual(result.summary.problems, []);

  const stored = await storedByAgency(betsFile);
  for (const [index, file] of inputFiles.entries()) {
    const want = await betKeys(file, 'input');
    const got = (stored.get(index + 1) ?? []).map((row) => JSON.stringify(row.slice(1, 6))).sort();
    t.deepEqual(got, want, `agency ${index + 1}`);
  }
  // Byte level: the NFD name and the emoji reach the file as the same UTF-8 bytes.
  const names = (stored.get(1) ?? []).map((row) => Buffer.from(row[1]!, 'utf8').toString('hex'));
  t.true(names.includes(Buffer.from('Jose\u0301', 'utf8').toString('hex')));
  t.true(names.includes(Buffer.from('Zoë 🎲', 'utf8').toString('hex')));
  // Sanity of the comparison itself: the input parser sees the quoted field as one value.
  const rows: string[][] = [];
  for await (const row of csvRows(agency1)) rows.push(row);
  t.deepEqual(rows[4]?.slice(0, 2), ['Pérez, Jr.', 'Dí"az']);
  t.is(result.summary.rows[0]?.expectedWinners, 2);
});
