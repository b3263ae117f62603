import { betProblem } from '@tp0/protocol';
import test from 'ava';
import { betEnvironment, sampleBet } from './bet-samples.js';
import { MAX_CLIENTS } from './compose.js';

const ids = Array.from({ length: MAX_CLIENTS }, (_, k) => k + 1);
const bets = ids.map(sampleBet);

test('every client that fits the network gets a distinct document and number', (t) => {
  t.is(new Set(bets.map((bet) => bet.document)).size, MAX_CLIENTS);
  t.is(new Set(bets.map((bet) => bet.number)).size, MAX_CLIENTS);
});

test('names repeat only after 11 × 13 = 143 clients', (t) => {
  t.is(new Set(bets.slice(0, 143).map((bet) => `${bet.firstName} ${bet.lastName}`)).size, 143);
});

test('every sample bet is valid for the server, with an 8-digit document', (t) => {
  for (const bet of bets) {
    t.is(betProblem(bet), null, JSON.stringify(bet));
    t.regex(bet.document, /^[1-9]\d{7}$/);
  }
});

test('the same client always gets the same bet', (t) => {
  t.deepEqual(sampleBet(4), sampleBet(4));
  t.deepEqual(betEnvironment(sampleBet(2)), [
    'NOMBRE=Valentina',
    'APELLIDO=Giménez',
    'DOCUMENTO=32139032',
    'NACIMIENTO=1998-02-13',
    'NUMERO=8583',
  ]);
});
