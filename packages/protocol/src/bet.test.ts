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
