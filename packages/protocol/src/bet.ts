/**
 * The rules every bet obeys, shared by the agency (to report a bad CSV row with its line number)
 * and the server (to reject a batch before storing any of it).
 */

export interface BetFields {
  readonly firstName: string;
  readonly lastName: string;
  /** An identifier, not a quantity: leading zeros are kept ("00000042"). */
  readonly document: string;
  /** YYYY-MM-DD, a real calendar date. */
  readonly birthdate: string;
  readonly number: number;
}

export const MAX_BET_NUMBER = 9999;
export const MAX_NAME_BYTES = 255;
const DOCUMENT = /^\d{1,16}$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Why a bet is invalid, or null when it is valid. */
export function betProblem(bet: BetFields): string | null {
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

export function isCalendarDate(text: string): boolean {
  const match = DATE.exec(text);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Parses a bet number field strictly: digits only ("7574"), no sign, blanks, exponent or fraction. */
export function parseBetNumber(text: string): number {
  return /^\d{1,4}$/.test(text) ? Number(text) : Number.NaN;
}
