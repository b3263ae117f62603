/**
 * The one bet each client places in `bet` mode (exercise 5). Deterministic, so a regenerated file
 * does not change, and distinct per client, so the server's stored bets tell the clients apart.
 */
import type { Bet } from '@tp0/protocol';

const FIRST_NAMES = ['Santiago', 'Valentina', 'Matías', 'Lucía', 'Joaquín', 'Sofía', 'Tomás', 'Martina', 'Nicolás', 'Julieta', 'Agustín'];
// 13 surnames against 11 first names: coprime lengths, so the pairs repeat only after 143 clients.
const LAST_NAMES = ['Lorca', 'Giménez', 'Fernández', 'Peña', 'Domínguez', 'Suárez', 'Ibáñez', 'Muñoz', 'Benítez', 'Acuña', 'Gómez', 'Rodríguez', 'Núñez'];

const FIRST_DOCUMENT = 30904465;
// Steps coprime with the ranges they wrap around keep every value distinct.
const DOCUMENT_STEP = 1_234_567;
const DOCUMENT_SPAN = 60_000_000; // documents stay in 30904465 ... 90904464: always 8 digits
const FIRST_NUMBER = 7574;
const NUMBER_STEP = 1009; // prime, coprime with 10000
const FIRST_BIRTHDATE = Date.UTC(1999, 2, 17);
const BIRTHDATE_STEP_DAYS = 397; // a year and a month apart, so day, month and year all vary
const DAY_MS = 86_400_000;

/** The sample bet of client `clientId` (1-based). */
export function sampleBet(clientId: number): Bet {
  const k = clientId - 1;
  return {
    firstName: FIRST_NAMES[k % FIRST_NAMES.length]!,
    lastName: LAST_NAMES[k % LAST_NAMES.length]!,
    document: String(FIRST_DOCUMENT + ((k * DOCUMENT_STEP) % DOCUMENT_SPAN)),
    birthdate: new Date(FIRST_BIRTHDATE - k * BIRTHDATE_STEP_DAYS * DAY_MS).toISOString().slice(0, 10),
    number: (FIRST_NUMBER + k * NUMBER_STEP) % 10_000,
  };
}

/** The env entries the client reads its bet from. */
export function betEnvironment(bet: Bet): string[] {
  return [
    `NOMBRE=${bet.firstName}`,
    `APELLIDO=${bet.lastName}`,
    `DOCUMENTO=${bet.document}`,
    `NACIMIENTO=${bet.birthdate}`,
    `NUMERO=${bet.number}`,
  ];
}
