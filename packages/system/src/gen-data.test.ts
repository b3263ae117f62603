import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { betProblem, parseBetNumber } from '@tp0/protocol';
import { UsageError } from './cli-args.js';
import { generateAgencyFiles, parseGenerateArgs, WINNING_NUMBER } from './gen-data.js';

const temp = () => mkdtempSync(path.join(tmpdir(), 'tp0-gen-data-'));

function rows(file: string): string[][] {
  const text = readFileSync(file, 'utf8');
  if (!text.endsWith('\r\n') || /[^\r]\n/.test(text)) throw new Error(`${file}: a line does not end in CRLF`);
  return text.slice(0, -2).split('\r\n').map(line => line.split(','));
}

test('same seed, byte-identical files; another seed differs', t => {
  const options = { agencies: 3, bets: 500, seed: 42 };
  const a = generateAgencyFiles({ out: temp(), ...options });
  const b = generateAgencyFiles({ out: temp(), ...options });
  t.deepEqual(a.map(f => path.basename(f)), ['agency-1.csv', 'agency-2.csv', 'agency-3.csv']);
  for (let i = 0; i < a.length; i++) t.true(readFileSync(a[i]!).equals(readFileSync(b[i]!)));
  const c = generateAgencyFiles({ out: temp(), ...options, seed: 43 });
  t.false(readFileSync(a[0]!).equals(readFileSync(c[0]!)));
  t.false(readFileSync(a[0]!).equals(readFileSync(a[1]!)));
});

test('CRLF, no header, every row is a valid bet with 8-digit documents, dates 1940-2005, accents', t => {
  const [file] = generateAgencyFiles({ out: temp(), agencies: 1, bets: 5000, seed: 7 });
  const all = rows(file!);
  t.is(all.length, 5000);
  let leadingZeros = 0;
  let winners = 0;
  for (const row of all) {
    t.is(row.length, 5);
    const [firstName, lastName, document, birthdate, numberText] = row as [string, string, string, string, string];
    const bet = { firstName, lastName, document, birthdate, number: parseBetNumber(numberText) };
    t.is(betProblem(bet), null, row.join(','));
    t.regex(document, /^\d{8}$/);
    t.true(birthdate >= '1940-01-01' && birthdate <= '2005-12-31');
    if (document.startsWith('0')) leadingZeros++;
    if (bet.number === WINNING_NUMBER) winners++;
  }
  t.true(leadingZeros > 0);
  t.true(winners > 0);
  t.true(/[áéíóúñÑÁÉÍÓÚ]/.test(readFileSync(file!, 'utf8')));
});

test('--winners-per-agency k puts exactly k bets on 7574 in each file', t => {
  for (const file of generateAgencyFiles({ out: temp(), agencies: 4, bets: 300, seed: 1, winnersPerAgency: 3 })) {
    t.is(rows(file).filter(row => row[4] === String(WINNING_NUMBER)).length, 3);
  }
  const [all] = generateAgencyFiles({ out: temp(), agencies: 1, bets: 5, seed: 1, winnersPerAgency: 5 });
  t.true(rows(all!).every(row => row[4] === '7574'));
});

test('bad arguments are usage errors that say what is wrong', t => {
  t.deepEqual(parseGenerateArgs(['--out', 'd', '--agencies', '5', '--bets', '1000', '--seed', '42', '--winners-per-agency', '2']), {
    out: 'd', agencies: 5, bets: 1000, seed: 42, winnersPerAgency: 2,
  });
  for (const [args, message] of [
    [['--agencies', '5', '--bets', '1'], /--out is required/],
    [['--out', 'd', '--bets', '1'], /--agencies is required/],
    [['--out', 'd', '--agencies', 'five', '--bets', '1'], /--agencies.*"five"/],
    [['--out', 'd', '--agencies', '1', '--bets', '-3'], /--bets/],
    [['--out', 'd', '--agencies', '1', '--bets', '1', '--colour', 'x'], /colour/],
  ] as const) {
    t.throws(() => parseGenerateArgs(args), { instanceOf: UsageError, message }, args.join(' '));
  }
  t.throws(() => generateAgencyFiles({ out: temp(), agencies: 0, bets: 1, seed: 1 }), { instanceOf: UsageError, message: /--agencies/ });
  t.throws(() => generateAgencyFiles({ out: temp(), agencies: 1, bets: 2, seed: 1, winnersPerAgency: 3 }), { message: /--winners-per-agency/ });
});

test('the CLI writes the files and exits 2 with the usage on bad arguments', async t => {
  const run = promisify(execFile);
  const script = fileURLToPath(new URL('./gen-data.ts', import.meta.url));
  const out = temp();
  const { stdout } = await run(process.execPath, ['--import=tsx', script, '--out', out, '--agencies', '2', '--bets', '10', '--seed', '42']);
  t.regex(stdout, /wrote 2 files/);
  t.is(rows(path.join(out, 'agency-2.csv')).length, 10);
  const error = await t.throwsAsync(run(process.execPath, ['--import=tsx', script, '--out', out]));
  t.is((error as unknown as { code: number }).code, 2);
  t.regex((error as unknown as { stderr: string }).stderr, /--agencies is required[\s\S]*usage: gen-data/);
});
