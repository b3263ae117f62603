import { ConfigError } from '@tp0/common';
import { betProblem, parseBetNumber, type Bet } from '@tp0/protocol';

/** Variable names of exercise 5; each may also be given with the CLI_ prefix, which wins. */
const VARIABLES = {
  firstName: 'NOMBRE',
  lastName: 'APELLIDO',
  document: 'DOCUMENTO',
  birthdate: 'NACIMIENTO',
  number: 'NUMERO',
} as const;

/** betProblem's reasons start with the field's name. */
const REASON_PREFIX: ReadonlyArray<[string, keyof typeof VARIABLES]> = [
  ['first name', 'firstName'],
  ['last name', 'lastName'],
  ['document', 'document'],
  ['birthdate', 'birthdate'],
  ['number', 'number'],
];

/** The single bet of exercise 5, from the environment; a ConfigError names the variable at fault. */
export function betFromEnv(env: NodeJS.ProcessEnv): Bet {
  const raw = {} as Record<keyof typeof VARIABLES, { key: string; value: string }>;
  for (const [field, name] of Object.entries(VARIABLES) as Array<[keyof typeof VARIABLES, string]>) {
    const prefixed = env[`CLI_${name}`];
    const [key, value] = prefixed !== undefined && prefixed !== '' ? [`CLI_${name}`, prefixed] : [name, env[name]];
    if (value === undefined || value === '') throw new ConfigError(name, undefined, `the bet's ${field} (bet mode)`);
    raw[field] = { key, value };
  }
  const number = parseBetNumber(raw.number.value.trim());
  if (Number.isNaN(number)) throw new ConfigError(raw.number.key, raw.number.value, 'an integer from 0 to 9999');
  const bet: Bet = {
    firstName: raw.firstName.value,
    lastName: raw.lastName.value,
    document: raw.document.value.trim(),
    birthdate: raw.birthdate.value.trim(),
    number,
  };
  const problem = betProblem(bet);
  if (problem !== null) {
    const field = REASON_PREFIX.find(([prefix]) => problem.startsWith(prefix))?.[1] ?? 'number';
    throw new ConfigError(raw[field].key, raw[field].value, `a valid bet field: ${problem}`);
  }
  return bet;
}
