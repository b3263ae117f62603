import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { pipeline, Transform } from 'node:stream';
import { finished } from 'node:stream/promises';
import { CsvError, parse, type Parser } from 'csv-parse';
import { betProblem, parseBetNumber, type Bet } from '@tp0/protocol';
import { BadRowError } from './bad-row.js';

export { BadRowError };

const FIELDS = 5;

/**
 * The agency's CSV as records through csv-parse (a `string[]` per row, object mode): no header row; columns first
 * name, last name, document, birthdate, number; CRLF or LF; UTF-8, a BOM skipped. The first `skip` records are
 * read but not handed out (the bets the server already stored; `info.records` counts them too). Bad CSV (a stray
 * or unclosed quote) fails the parser after the records before it, which it still hands out; `badRowOf` names its
 * line. Bytes that are not UTF-8 fail it with a BadRowError (`utf8Check`). Destroying the parser closes the file.
 */
export function openCsvRecords(file: string, skip = 0): Parser {
  // The field count is betOfRecord's check, with one message for every row (csv-parse's would fix it at row 1).
  const parser = parse({ bom: true, relax_column_count: true, from: skip + 1 });
  // pipeline: a file error (ENOENT, bad UTF-8) destroys the parser with it; destroying the parser closes the file.
  pipeline(createReadStream(file), utf8Check(), parser, () => undefined);
  return parser;
}

/** The number of records in the agency's file, none of them handed out. */
export async function countCsvRecords(file: string): Promise<number> {
  const parser = openCsvRecords(file, Number.MAX_SAFE_INTEGER);
  parser.resume();
  await finished(parser);
  return parser.info.records;
}

/**
 * Passes the file's bytes through unchanged, or fails with a BadRowError at the physical line of the first byte
 * that is not UTF-8 (csv-parse would silently turn it into U+FFFD: a Latin-1 "José" stored as "Jos\ufffd").
 * One `isUtf8` per chunk; a character cut by the chunk's end waits for the next chunk.
 */
export function utf8Check(): Transform {
  let lineBreaks = 0;
  let carry: Buffer | undefined;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const bytes = carry === undefined ? chunk : Buffer.concat([carry, chunk]);
      const whole = completeLength(bytes);
      carry = whole < bytes.length ? Buffer.from(bytes.subarray(whole)) : undefined;
      const checked = bytes.subarray(0, whole);
      if (!isUtf8(checked)) {
        const at = firstInvalid(checked);
        return done(new BadRowError(lineBreaks + countLineBreaks(checked, at) + 1, `not UTF-8: byte 0x${checked[at]!.toString(16).toUpperCase()}`));
      }
      lineBreaks += countLineBreaks(checked, checked.length);
      done(null, checked);
    },
    flush(done) {
      done(carry === undefined ? null : new BadRowError(lineBreaks + 1, 'not UTF-8: the file ends inside a character'));
    },
  });
}

/** How many bytes of `bytes` end on a whole UTF-8 character (at most the last 3 belong to an unfinished one). */
function completeLength(bytes: Buffer): number {
  for (let i = bytes.length - 1; i >= 0 && i >= bytes.length - 4; i--) {
    const byte = bytes[i]!;
    if ((byte & 0xc0) === 0x80) continue;
    const size = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return i + size > bytes.length ? i : bytes.length;
  }
  return bytes.length;
}

/** Offset of the first byte that does not start a valid UTF-8 character (the failure path only). */
function firstInvalid(bytes: Buffer): number {
  for (let i = 0; i < bytes.length; ) {
    const byte = bytes[i]!;
    const size = byte < 0x80 ? 1 : byte >= 0xc2 && byte <= 0xdf ? 2 : byte >= 0xe0 && byte <= 0xef ? 3 : byte >= 0xf0 && byte <= 0xf4 ? 4 : 0;
    if (size === 0 || !isUtf8(bytes.subarray(i, i + size))) return i;
    i += size;
  }
  return bytes.length;
}

/** LF bytes in bytes[0, end): physical lines for CRLF and LF files. */
function countLineBreaks(bytes: Buffer, end: number): number {
  let count = 0;
  for (let i = bytes.indexOf(0x0a); i !== -1 && i < end; i = bytes.indexOf(0x0a, i + 1)) count++;
  return count;
}

/**
 * Record `index` (0-based) as a bet; throws a BadRowError when it is not a valid one.
 *
 * The line is counted, not asked of csv-parse: `info.lines` counts a CRLF inside a quoted field twice (and every
 * line after it one too many), and costs an object per record. Every record before the first bad one is a valid
 * bet, and betProblem refuses line breaks in every field, so each of them took exactly one line: record `index`
 * starts on line index + 1. A bad record that spans lines (a quoted line break) is reported where it ends.
 */
export function betOfRecord(record: string[], index: number): Bet {
  const bad = (reason: string) => new BadRowError(index + 1 + lineBreaks(record), reason);
  if (record.length !== FIELDS) throw bad(`expected ${FIELDS} fields (first name, last name, document, birthdate, number), got ${record.length}`);
  const [firstName, lastName, document, birthdate, numberText] = record as [string, string, string, string, string];
  const number = parseBetNumber(numberText);
  if (Number.isNaN(number)) throw bad(`number ${JSON.stringify(numberText)} is not an integer from 0 to 9999`);
  const bet = { firstName, lastName, document, birthdate, number };
  const problem = betProblem(bet);
  if (problem !== null) throw bad(problem);
  return bet;
}

/**
 * The BadRowError of a failure that a row caused (an invalid bet, bad CSV, bytes that are not UTF-8); else undefined.
 * Bad CSV is csv-parse's CsvError, at the line where its record starts: every record before it is a valid bet
 * (or the agency would have stopped there), so each took one line.
 */
export function badRowOf(error: unknown): BadRowError | undefined {
  if (error instanceof BadRowError) return error;
  if (error instanceof CsvError && typeof error['records'] === 'number') return new BadRowError(error['records'] + 1, error.message);
  return undefined;
}

/** Line breaks inside a record's fields (CRLF, LF or CR, each one): only a quoted field can hold them. */
function lineBreaks(record: readonly string[]): number {
  let breaks = 0;
  for (const field of record) breaks += field.match(/\r\n|\r|\n/g)?.length ?? 0;
  return breaks;
}
