/**
 * Deterministic synthetic agency files: `agency-1.csv` ... `agency-N.csv`, the course's format
 * (no header; CRLF; UTF-8; first name, last name, 8-digit document, YYYY-MM-DD birthdate, number 0-9999).
 * Same options, same seed: byte-identical files.
 *
 *   node packages/system/dist/gen-data.js --out .data --agencies 5 --bets 1000 --seed 42 [--winners-per-agency k]
 */
import { closeSync, mkdirSync, openSync, realpathSync, writeSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { random } from '@tp0/codec/testing';
import { asUsageError, integerFlag, UsageError } from './cli-args.js';

export const WINNING_NUMBER = 7574;

export interface GenerateOptions {
  /** Directory for the files; created when missing. */
  readonly out: string;
  readonly agencies: number;
  /** Rows per agency. */
  readonly bets: number;
  readonly seed: number;
  /** Exactly this many rows per agency bet on 7574 (and no other row does); default: about 1 in 200 rows. */
  readonly winnersPerAgency?: number;
}

const FIRST_NAMES = [
  'Belén', 'José María', 'María José', 'Sofía', 'Martín', 'Lucía', 'Joaquín', 'Agustín', 'Valentina', 'Tomás',
  'Ramón', 'Inés', 'Julián', 'Camila', 'Nicolás', 'Mía', 'Germán', 'Matías', 'Florencia', 'Iván',
  'Ana', 'Juan Pablo', 'Máximo', 'Zoe', 'Andrés', 'Ángela', 'Sebastián', 'Rocío', 'Nahuel', 'Ñusta',
  'Lautaro', 'Candela', 'Facundo', 'Emilia', 'Óscar', 'Maite', 'Benjamín', 'Guadalupe', 'Santiago', 'Pilar',
];
const LAST_NAMES = [
  'Sánchez', 'Saldaña', 'Ñandú', 'González', 'Rodríguez', 'Fernández', 'López', 'Martínez', 'Pérez', 'Gómez',
  'Díaz', 'Álvarez', 'Romero', 'Sosa', 'Muñoz', 'Núñez', 'Peña', 'Ibáñez', 'Castañeda', 'Gutiérrez',
  'Domínguez', 'Benítez', 'Acuña', 'Ortíz', 'Quiñones', 'Suárez', 'Giménez', 'Herrera', 'Medina', 'Ruiz',
  'Aguirre', 'Ojeda', 'Cabrera', 'Ríos', 'Vázquez', 'De la Fuente', 'Villagrán', 'Echeverría', 'Zúñiga', 'Luján',
];

/** Birthdates span 1940-01-01 .. 2005-12-31. */
const FIRST_DAY = Date.UTC(1940, 0, 1) / 86_400_000;
const LAST_DAY = Date.UTC(2005, 11, 31) / 86_400_000;
const FLUSH_BYTES = 1 << 20;

/** mulberry32: a small, fast, seedable 32-bit PRNG; returns floats in [0, 1) (the codec's test generator). */
export const mulberry32 = random;

/** Writes the agency files and returns their paths. Rows are written in 1 MiB chunks: memory stays flat. */
export function generateAgencyFiles(options: GenerateOptions): string[] {
  validate(options);
  mkdirSync(options.out, { recursive: true });
  const files: string[] = [];
  for (let agency = 1; agency <= options.agencies; agency++) {
    const file = path.join(options.out, `agency-${agency}.csv`);
    writeAgency(file, agency, options);
    files.push(file);
  }
  return files;
}

function writeAgency(file: string, agency: number, options: GenerateOptions): void {
  // One stream per agency, so agency k's file does not depend on how many agencies there are.
  const random = mulberry32((options.seed ^ Math.imul(agency, 0x9e3779b1)) >>> 0);
  const int = (n: number) => Math.floor(random() * n);
  const winners = options.winnersPerAgency === undefined ? null : winnerRows(options.bets, options.winnersPerAgency, int);
  const fd = openSync(file, 'w');
  try {
    let chunk = '';
    for (let row = 0; row < options.bets; row++) {
      const first = FIRST_NAMES[int(FIRST_NAMES.length)]!;
      const last = LAST_NAMES[int(LAST_NAMES.length)]!;
      // 1 in 20 documents is below 10,000,000, so it is written with leading zeros.
      const document = String(random() < 0.05 ? int(10_000_000) : 10_000_000 + int(40_000_000)).padStart(8, '0');
      const birthdate = new Date((FIRST_DAY + int(LAST_DAY - FIRST_DAY + 1)) * 86_400_000).toISOString().slice(0, 10);
      let number: number;
      if (winners === null) {
        number = random() < 0.005 ? WINNING_NUMBER : int(10_000);
      } else if (winners.has(row)) {
        number = WINNING_NUMBER;
      } else {
        do number = int(10_000);
        while (number === WINNING_NUMBER);
      }
      chunk += `${first},${last},${document},${birthdate},${number}\r\n`;
      if (chunk.length >= FLUSH_BYTES) {
        writeSync(fd, chunk);
        chunk = '';
      }
    }
    if (chunk !== '') writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
}

/** k distinct row indexes out of `rows` (Floyd's sampling: O(k) memory). */
function winnerRows(rows: number, k: number, int: (n: number) => number): Set<number> {
  const chosen = new Set<number>();
  for (let j = rows - k; j < rows; j++) {
    const pick = int(j + 1);
    chosen.add(chosen.has(pick) ? j : pick);
  }
  return chosen;
}

function validate(options: GenerateOptions): void {
  const check = (name: string, value: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER) => {
    if (value === undefined || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
    }
  };
  if (typeof options.out !== 'string' || options.out === '') throw new UsageError('--out must name a directory');
  check('agencies', options.agencies, 1, 65535);
  check('bets', options.bets, 0);
  check('seed', options.seed, 0, 0xffffffff);
  if (options.winnersPerAgency !== undefined) check('winners-per-agency', options.winnersPerAgency, 0, options.bets);
}

const USAGE = 'usage: gen-data --out DIR --agencies N --bets N [--seed N] [--winners-per-agency K]';

/** Parses the CLI's arguments; throws UsageError with a clear message. */
export function parseGenerateArgs(argv: readonly string[]): GenerateOptions {
  const { values } = asUsageError(() =>
    parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        out: { type: 'string' },
        agencies: { type: 'string' },
        bets: { type: 'string' },
        seed: { type: 'string', default: '42' },
        'winners-per-agency': { type: 'string' },
      },
    }),
  );
  const int = (name: string, raw: string | undefined) => integerFlag(name, raw);
  if (values.out === undefined) throw new UsageError('--out is required');
  const winners = values['winners-per-agency'];
  return {
    out: values.out,
    agencies: int('agencies', values.agencies),
    bets: int('bets', values.bets),
    seed: int('seed', values.seed),
    ...(winners === undefined ? {} : { winnersPerAgency: int('winners-per-agency', winners) }),
  };
}

function main(): void {
  try {
    const options = parseGenerateArgs(process.argv.slice(2));
    const files = generateAgencyFiles(options);
    console.log(`wrote ${files.length} files of ${options.bets} bets to ${options.out}`);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`gen-data: ${error.message}\n${USAGE}`);
    process.exitCode = 2;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) main();
