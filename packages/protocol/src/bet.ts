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
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const BET_NUMBER = /^\d{1,4}$/;

/** Why a bet is invalid, or null when it is valid. */
export function betProblem(bet: Bet): string | null {
  for (const [key, value] of [['first name', bet.firstName], ['last name', bet.lastName]] as const) {
    if (value.trim() === '') return `${key} is empty`;
    if (Buffer.byteLength(value, 'utf8') > MAX_NAME_BYTES) return `${key} is longer than ${MAX_NAME_BYTES} bytes`;
    if (/[\r\n]/.test(value)) return `${key} contains a line break`;
  }
  if (!DOCUMENT.test(bet.document)) return `document ${JSON.stringify(bet.document)} is not 1 to 16 digits`;
  if (!isCalendarDate(bet.birthdate)) return `birthdate ${JSON.stringify(bet.birthdate)} is not a real YYYY-MM-DD date`;
  if (!Number.isInteger(bet.number) || bet.number < 0 || bet.number > MAX_BET_NUMBER) {
    return `number ${bet.number} is not an integer from 0 to ${MAX_BET_NUMBER}`;
  }
  return null;
}

/**
 * Whether `text` is a YYYY-MM-DD date that exists, as Python's `date.fromisoformat` accepts it (years 0001-9999;
 * `setUTCFullYear` because `Date.UTC` maps years 0-99 to 1900-1999).
 */
export function isCalendarDate(text: string): boolean {
  const match = DATE.exec(text);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year);
  return year >= 1 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Parses a bet number field strictly: digits only ("7574"), no sign, blanks, exponent or fraction; NaN otherwise. */
export function parseBetNumber(text: string): number {
  return BET_NUMBER.test(text) ? Number(text) : Number.NaN;
}
