/**
 * TypeScript port of the course's provided helpers (server/common/utils.py), kept as a fixed API:
 * `storeBets`, `loadBets`, `hasWon`, `LOTTERY_WINNER_NUMBER`, `STORAGE_FILEPATH`. A stored bet is an `AgencyBet`
 * from @tp0/protocol. The file format is the one Python's `csv.writer(file, quoting=csv.QUOTE_MINIMAL)` writes:
 * rows end in "\r\n" (the excel dialect's lineterminator) and a field is quoted only when it holds `,`, `"`, CR or
 * LF, with inner quotes doubled.
 */
import { createReadStream } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { isCalendarDate, type AgencyBet, type Bet } from '@tp0/protocol';
import { parse, type CsvError } from 'csv-parse';

/** Bets storage location. */
export const STORAGE_FILEPATH = './bets.csv';
/** Simulated winner number in the lottery contest. */
export const LOTTERY_WINNER_NUMBER = 7574;

const ROW_END = '\r\n';
const READ_CHUNK_BYTES = 16 * 1024;
const NEEDS_QUOTES = /[",\r\n]/;
const INTEGER = /^\s*[+-]?\d+\s*$/;

/** Why a row of the bets file is not a bet: not an integer, not a date, or not CSV (csv-parse's own codes). */
export type BetRowErrorCode = 'INVALID_INT' | 'INVALID_DATE' | 'INVALID_OPENING_QUOTE' | 'CSV_INVALID_CLOSING_QUOTE' | 'CSV_QUOTE_NOT_CLOSED';

/** A row of the bets file that is not a bet. */
export class BetRowError extends Error {
  override readonly name = 'BetRowError';
  constructor(
    readonly path: string,
    /** 1-based record number (a quoted field may span lines, so this is not always the line number). */
    readonly row: number,
    readonly code: BetRowErrorCode,
    /** What is wrong with the row, without the file and row. */
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`${path}, row ${row}: ${reason}`, options);
  }
}

/** Checks whether a bet won the prize or not. */
export function hasWon(bet: Bet): boolean {
  return bet.number === LOTTERY_WINNER_NUMBER;
}

/** Persist the information of each bet in the STORAGE_FILEPATH file. Not thread-safe/process-safe. */
export async function storeBets(bets: readonly AgencyBet[], path: string = STORAGE_FILEPATH): Promise<void> {
  await appendFile(path, encodeBets(bets), 'utf8');
}

/**
 * Loads the information all the bets in the STORAGE_FILEPATH file, lazily (a stream, never the whole file).
 * As Python's `Bet(...)`: agency and number go through `int()`, the birthdate must be a real date; a row that
 * breaks either throws a BetRowError naming it.
 */
export async function* loadBets(path: string = STORAGE_FILEPATH): AsyncGenerator<AgencyBet, void, undefined> {
  // A CSV error is reported as a skip, not thrown: a thrown one destroys the stream and drops the rows parsed before
  // it in the same read, so the error could be reported before an earlier bad row. Like Python's lazy csv.reader,
  // the first bad row in file order is the one reported.
  const records = parse({ relax_column_count: true, skip_records_with_error: true });
  let csvError: CsvError | undefined;
  records.on('skip', (err: CsvError) => (csvError ??= err));
  // pipeline (not pipe) so an open or read error reaches the iteration below. Reads smaller than the default keep
  // fewer parsed rows in flight, so V8's young generation stays small.
  pipeline(createReadStream(path, { highWaterMark: READ_CHUNK_BYTES }), records, () => {});
  let row = 0;
  // The rows before a CSV error were all parsed before it, and the skipped record takes no row number.
  const throwCsvError = (): void => {
    if (csvError !== undefined && Number(csvError.records) <= row) {
      throw new BetRowError(path, row + 1, csvError.code as BetRowErrorCode, csvError.message, { cause: csvError });
    }
  };
  try {
    for await (const fields of records as AsyncIterable<string[]>) {
      throwCsvError();
      row += 1;
      yield parseBetRow(fields, (code, reason) => new BetRowError(path, row, code, reason));
    }
    throwCsvError();
  } finally {
    records.destroy();
  }
}

/** The CSV rows `storeBets` appends for `bets`; the server's writer appends these same bytes. */
export function encodeBets(bets: readonly AgencyBet[]): string {
  let out = '';
  // Agency and number are numbers: only the text fields may need quotes.
  for (const bet of bets) {
    out += `${bet.agency},${quoteMinimal(bet.firstName)},${quoteMinimal(bet.lastName)},${quoteMinimal(bet.document)},${quoteMinimal(bet.birthdate)},${bet.number}${ROW_END}`;
  }
  return out;
}

function parseBetRow(fields: readonly string[], invalid: (code: BetRowErrorCode, reason: string) => Error): AgencyBet {
  const [agency = '', firstName = '', lastName = '', document = '', birthdate = '', number = ''] = fields;
  const integer = (text: string): number => {
    const value = pythonInt(text);
    if (Number.isNaN(value)) throw invalid('INVALID_INT', invalidIntReason(text));
    return value;
  };
  // Python's Bet checks in this order: int(agency), date.fromisoformat(birthdate), int(number).
  const agencyId = integer(agency);
  if (!isCalendarDate(birthdate)) throw invalid('INVALID_DATE', invalidDateReason(birthdate));
  return { agency: agencyId, firstName, lastName, document, birthdate, number: integer(number) };
}

/** `int(text)` for base-10 text: blanks around, an optional sign, leading zeros; NaN where Python raises ValueError. */
export function pythonInt(text: string): number {
  return INTEGER.test(text) ? Number(text.trim()) : Number.NaN;
}

export const invalidIntReason = (text: string): string => `invalid literal for int() with base 10: ${JSON.stringify(text)}`;
export const invalidDateReason = (text: string): string => `birthdate ${JSON.stringify(text)} is not a real YYYY-MM-DD date`;

function quoteMinimal(field: string): string {
  return NEEDS_QUOTES.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}
