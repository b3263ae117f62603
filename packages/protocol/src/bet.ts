/**
 * A bet and the rules every bet obeys, shared by the agency (to report a bad CSV row with its line number),
 * the server (to refuse a batch before storing any of it) and the draw (to read bets.csv back).
 */

/** One bet, as an agency places it and as it travels. */
export interface Bet {
  readonly firstName: string;
  readonly lastName: string;
  /** An identifier, not a quantity: leading zeros are kept ("00000042"). */
  readonly document: string;
  /** YYYY-MM-DD, a real calendar date. */
  readonly birthdate: string;
  /** 0..9999. */
  readonly number: number;
}

/** A bet as stored: which agency placed it. */
export interface AgencyBet extends Bet {
  readonly agency: number;
}

export const MAX_BET_NUMBER = 9999;
export const MAX_NAME_BYTES = 255;
const DOCUMENT = /^\d{1,16}$/;
const BET_NUMBER = /^\d{1,4}$/;
const NOT_BLANK = /\S/;
const LINE_BREAK = /[\r\n]/;
/** A UTF-8 character is at most 3 bytes per UTF-16 unit, so a name this short cannot pass MAX_NAME_BYTES. */
const SURELY_SHORT_NAME = Math.floor(MAX_NAME_BYTES / 3);

/** Why a bet is invalid, or null when it is valid. Runs once per bet on the server's hot path: no allocation. */
export function betProblem(bet: Bet): string | null {
  return (
    nameProblem('first name', bet.firstName) ??
    nameProblem('last name', bet.lastName) ??
    (DOCUMENT.test(bet.document) ? null : `document ${JSON.stringify(bet.document)} is not 1 to 16 digits`) ??
    (isCalendarDate(bet.birthdate) ? null : `birthdate ${JSON.stringify(bet.birthdate)} is not a real YYYY-MM-DD date`) ??
    (Number.isInteger(bet.number) && bet.number >= 0 && bet.number <= MAX_BET_NUMBER
      ? null
      : `number ${bet.number} is not an integer from 0 to ${MAX_BET_NUMBER}`)
  );
}

function nameProblem(key: string, value: string): string | null {
  if (!NOT_BLANK.test(value)) return `${key} is empty`;
  if (value.length > SURELY_SHORT_NAME && Buffer.byteLength(value, 'utf8') > MAX_NAME_BYTES) return `${key} is longer than ${MAX_NAME_BYTES} bytes`;
  if (LINE_BREAK.test(value)) return `${key} contains a line break`;
  return null;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Whether `text` is a YYYY-MM-DD date that exists, as Python's `date.fromisoformat` accepts it (years 0001-9999,
 * proleptic Gregorian leap years).
 */
export function isCalendarDate(text: string): boolean {
  const match = ISO_DATE.exec(text);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!);
}

/** Parses a bet number field strictly: digits only ("7574"), no sign, blanks, exponent or fraction; NaN otherwise. */
export function parseBetNumber(text: string): number {
  return BET_NUMBER.test(text) ? Number(text) : Number.NaN;
}
