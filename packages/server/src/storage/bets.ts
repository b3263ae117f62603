/**
 * TypeScript port of the course's provided helpers (server/common/utils.py), kept as a fixed API:
 * `Bet`, `storeBets`, `loadBets`, `hasWon`. The file format is the one Python's
 * `csv.writer(file, quoting=csv.QUOTE_MINIMAL)` writes: rows end in "\r\n" (the excel dialect's
 * lineterminator) and a field is quoted only when it holds `,`, `"`, CR or LF, with inner quotes doubled.
 */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { appendFile } from 'node:fs/promises';

/** Bets storage location. */
export const STORAGE_FILEPATH = './bets.csv';
/** Simulated winner number in the lottery contest. */
export const LOTTERY_WINNER_NUMBER = 7574;

const ROW_END = '\r\n';
const READ_CHUNK_BYTES = 16 * 1024;
const NEEDS_QUOTES = /[",\r\n]/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const INTEGER = /^\s*[+-]?\d+\s*$/;

/** A calendar date without time or zone, as Python's `datetime.date`; prints back as YYYY-MM-DD. */
export class BetDate {
  private constructor(
    readonly year: number,
    readonly month: number,
    readonly day: number,
    /** The YYYY-MM-DD text it was parsed from, which is already the ISO format (4-digit year, 2-digit month and day). */
    private readonly text: string,
  ) {}

  /** `datetime.date.fromisoformat` for the YYYY-MM-DD form; throws on anything else or a date that does not exist. */
  static fromIsoFormat(text: string): BetDate {
    const match = ISO_DATE.exec(text);
    const [year, month, day] = match === null ? [0, 0, 0] : [Number(match[1]), Number(match[2]), Number(match[3])];
    const probe = new Date(Date.UTC(2000, month - 1, day));
    probe.setUTCFullYear(year);
    if (match === null || year < 1 || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) {
      throw new RangeError(`Invalid isoformat string: ${JSON.stringify(text)}`);
    }
    return new BetDate(year, month, day, text);
  }

  isoFormat(): string {
    return this.text;
  }

  toString(): string {
    return this.isoFormat();
  }

  toJSON(): string {
    return this.isoFormat();
  }
}

/** A lottery bet registry. */
export class Bet {
  readonly agency: number;
  readonly firstName: string;
  readonly lastName: string;
  /** Kept as text: leading zeros are part of the document. */
  readonly document: string;
  readonly birthdate: BetDate;
  readonly number: number;

  /** Takes the fields as text, as Python's `Bet(agency, first_name, last_name, document, birthdate, number)` does. */
  constructor(agency: string, firstName: string, lastName: string, document: string, birthdate: string, number: string) {
    this.agency = pythonInt(agency);
    this.firstName = firstName;
    this.lastName = lastName;
    this.document = document;
    this.birthdate = BetDate.fromIsoFormat(birthdate);
    this.number = pythonInt(number);
  }
}

/** Checks whether a bet won the prize or not. */
export function hasWon(bet: Bet): boolean {
  return bet.number === LOTTERY_WINNER_NUMBER;
}

/** Persist the information of each bet in the STORAGE_FILEPATH file. Not thread-safe/process-safe. */
export async function storeBets(bets: readonly Bet[], path: string = STORAGE_FILEPATH): Promise<void> {
  await appendFile(path, encodeBets(bets), 'utf8');
}

/** Loads the information all the bets in the STORAGE_FILEPATH file, lazily (a stream, never the whole file). */
export async function* loadBets(path: string = STORAGE_FILEPATH): AsyncGenerator<Bet, void, undefined> {
  // Loaded at the first read (the draw), not at start-up: the server's ingest never needs it (~4 MB of RSS).
  const { parse } = await import('csv-parse');
  const rows = parse({ relax_column_count: true });
  // pipeline (not pipe) so an open or read error reaches the iteration below. 16 KiB reads (not the default 64 KiB)
  // keep ~150 parsed rows in flight instead of ~600: on the course's 78,697 bets V8 then keeps its young generation
  // at 8 MB instead of growing it to 32 MB, which was most of the server's peak RSS; the draw is as fast.
  pipeline(createReadStream(path, { highWaterMark: READ_CHUNK_BYTES }), rows, () => {});
  try {
    for await (const row of rows as AsyncIterable<string[]>) {
      yield new Bet(row[0] ?? '', row[1] ?? '', row[2] ?? '', row[3] ?? '', row[4] ?? '', row[5] ?? '');
    }
  } finally {
    rows.destroy();
  }
}

/** The CSV rows `storeBets` appends for `bets`; the server's writer appends these same bytes. */
export function encodeBets(bets: readonly Bet[]): string {
  let out = '';
  // Agency and number are integers and the date is YYYY-MM-DD: only the three text fields may need quotes.
  for (const bet of bets) {
    out += `${bet.agency},${quoteMinimal(bet.firstName)},${quoteMinimal(bet.lastName)},${quoteMinimal(bet.document)},${bet.birthdate.isoFormat()},${bet.number}${ROW_END}`;
  }
  return out;
}

function quoteMinimal(field: string): string {
  return NEEDS_QUOTES.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

/** Python's `int(text)` for base-10 text: surrounding blanks and a sign are allowed, anything else throws. */
function pythonInt(text: string): number {
  if (!INTEGER.test(text)) throw new RangeError(`invalid literal for int() with base 10: ${JSON.stringify(text)}`);
  return Number(text.trim());
}
