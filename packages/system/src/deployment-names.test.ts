// Compose and Swarm deployments of this project on one engine share nothing: `make swarm-up` once failed with
// "network with name tp0_testing_net already exists" while a Compose deployment was up, and a Compose run after a
// swarm run resumed the swarm's lottery from the tp0_bets volume both used.
import test from 'ava';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function makeDefault(name: string): string {
  const match = new RegExp(`^${name} \\?= (\\S+)$`, 'm').exec(readFileSync(path.join(root, 'Makefile'), 'utf8'));
  if (match === null) throw new Error(`Makefile: no "${name} ?= ..." line`);
  return match[1]!;
}

test('the swarm stack and the Compose project have different names, so different networks and bets volumes', (t) => {
  const project = /^COMPOSE_PROJECT_NAME=(\S+)$/m.exec(readFileSync(path.join(root, '.env'), 'utf8'))?.[1];
  t.is(project, 'tp0');
  const stack = makeDefault('STACK');
  t.not(stack, project);
  t.not(`${stack}_testing_net`, `${project}_testing_net`);
  t.not(`${stack}_bets`, `${project}_bets`);
});
