import test from 'ava';
import { betProblem, isCalendarDate, parseBetNumber, type Bet } from './index.js';

const valid: Bet = { firstName: 'Belén', lastName: 'Sánchez', document: '00000042', birthdate: '1999-03-17', number: 7574 };

test('a valid bet has no problem; leading zeros in the document are fine', t => {
  t.is(betProblem(valid), null);
});

test('each broken field is named', t => {
  const cases: Array<[Partial<Bet>, RegExp]> = [
    [{ firstName: ' ' }, /first name is empty/],
    [{ lastName: '' }, /last name is empty/],
    [{ lastName: 'x'.repeat(256) }, /last name is longer/],
    [{ document: '12a4' }, /document "12a4"/],
    [{ document: '' }, /document ""/],
    [{ birthdate: '1999-02-30' }, /birthdate "1999-02-30"/],
    [{ birthdate: '99-02-03' }, /birthdate/],
    [{ number: 10000 }, /number 10000/],
    [{ number: 1.5 }, /number 1.5/],
    [{ number: Number.NaN }, /number NaN/],
  ];
  for (const [patch, reason] of cases) t.regex(betProblem({ ...valid, ...patch }) ?? 'no problem', reason);
});

test('calendar dates and strict numbers', t => {
  t.true(isCalendarDate('2000-02-29'));
  t.false(isCalendarDate('1900-02-29'));
  t.false(isCalendarDate('2000-13-01'));
  // Regression: Date.UTC maps years 0-99 to 1900-1999, so the common check refused 0048-02-29, which Python accepts.
  t.true(isCalendarDate('0048-02-29'));
  t.false(isCalendarDate('0051-02-29'));
  t.false(isCalendarDate('0000-01-01'));
  t.is(parseBetNumber('0042'), 42);
  for (const bad of ['', '-1', '1e3', ' 7', '12345', '7.0']) t.true(Number.isNaN(parseBetNumber(bad)), bad);
});

/** The former implementation, through Date: the oracle for the character-arithmetic one. */
function isCalendarDateViaDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year);
  return year >= 1 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

test('isCalendarDate agrees with a Date-based check on every day of 400 years around 2000 and on near-dates', t => {
  let checked = 0;
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  for (const year of [1, 4, 100, 400, 1600, 1700, 1899, 1900, ...Array.from({ length: 400 }, (_, k) => 1800 + k), 9999]) {
    for (let month = 0; month <= 13; month++) {
      for (let day = 0; day <= 32; day++) {
        const text = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
        if (isCalendarDate(text) !== isCalendarDateViaDate(text)) t.fail(text);
        checked++;
      }
    }
  }
  for (const text of ['1999-3-17', '1999-03-17 ', ' 1999-03-17', '1999/03/17', '19990-3-17', '1999-03-1a', '１９９９-03-17', '1999-0３-17', '']) {
    t.is(isCalendarDate(text), isCalendarDateViaDate(text), text);
  }
  t.is(checked, 409 * 14 * 33);
});
