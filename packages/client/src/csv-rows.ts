import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { CsvError, parse, type Parser } from 'csv-parse';
import { DecodeFailure } from '@tp0/codec';
import { betProblem, parseBetNumber, type Bet } from '@tp0/protocol';

/** A row of the agency's CSV that is not a valid bet; `line` is 1-based, as an editor shows it. */
export class BadRowError extends Error {
  override readonly name = 'BadRowError';
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

const FIELDS = 5;

/**
 * The agency's CSV as csv-parse records (a `string[]` per row, object mode): no header row; columns first name,
 * last name, document, birthdate, number; CRLF or LF; UTF-8. Destroying the parser closes the file.
 * A CSV syntax error (a stray or unclosed quote) travels in band, as a DecodeFailure after the records before it:
 * without `skip_records_with_error` csv-parse destroys itself and `fromReadable` would end before the records
 * it had buffered.
 */
export function openCsvRecords(file: string): Parser {
  const parser: Parser = parse({
    bom: true,
    encoding: 'utf8',
    relax_column_count: true,
    skip_records_with_error: true,
    on_skip: error => void parser.push(new DecodeFailure(error ?? new Error('csv-parse skipped a record'))),
  });
  // pipeline: a file error (ENOENT) destroys the parser with it; destroying the parser closes the file.
  pipeline(createReadStream(file), parser, () => undefined);
  return parser;
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
 * The BadRowError of a failure that a row caused (an invalid bet, or bad CSV: a stray or unclosed quote, reported
 * at the line where its record starts, `info.records` valid one-line records before it); else undefined.
 */
export function badRowOf(error: unknown): BadRowError | undefined {
  if (error instanceof BadRowError) return error;
  if (error instanceof CsvError) return new BadRowError(Number(error['records']) + 1, error.message);
  return undefined;
}

/** Line breaks inside a record's fields (CRLF, LF or CR, each one): only a quoted field can hold them. */
function lineBreaks(record: readonly string[]): number {
  let breaks = 0;
  for (const field of record) breaks += field.match(/\r\n|\r|\n/g)?.length ?? 0;
  return breaks;
}
