// The lottery on Docker Swarm: a one-node swarm (made here only when the engine has none, and left only then), the
// stack from `compose-gen --target swarm`, one service per agency on an overlay network with DNS round robin.
// Every agency must log its exact winners count, and bets.csv on the server's volume must hold every bet once.
import test, { type ExecutionContext } from 'ava';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkPrerequisites, csvLines, generateData, scenarioDir } from './harness.js';
import { joinSwarm, leaveSwarm, removeStack, Stack, type SwarmChanges } from './swarm.js';

let changes: SwarmChanges | undefined;

test.before(async () => {
  await checkPrerequisites();
  changes = await joinSwarm();
});
test.after.always(async () => {
  await removeStack();
  if (changes !== undefined) await leaveSwarm(changes);
});

async function lottery(t: ExecutionContext, name: string, agencies: number, bets: number, timeoutMs: number): Promise<void> {
  const dir = scenarioDir(name);
  const data = path.join(dir, '.data');
  await generateData(data, { agencies, bets, seed: 900 + agencies });
  const expectedRows: string[] = [];
  const winners = new Map<string, string>();
  for (let i = 1; i <= agencies; i++) {
    const lines = csvLines(readFileSync(path.join(data, `agency-${i}.csv`), 'utf8'));
    expectedRows.push(...lines.map((line) => `${i},${line}`));
    winners.set(`client${i}`, String(lines.filter((line) => line.endsWith(',7574')).length));
  }
  const started = Date.now();
  try {
    const stack = await Stack.deploy({ name, clients: agencies, data });
    const runs = await stack.waitClients(timeoutMs);
    t.log(`${agencies} agencies done ${Date.now() - started} ms after deploy`);
    // A restart is Swarm's restart_policy at work (the run it replaces is shown), not a failure.
    for (const [client, run] of runs) {
      for (const failed of run.attempts.filter((a) => a.exit !== 0)) {
        const last = failed.lines.at(-1);
        t.log(`${client} restarted after exit ${failed.exit}: ${last === undefined ? '(no line)' : `${last.action} ${last.result} ${JSON.stringify(last.fields)}`}`);
      }
    }
    for (const [client, k] of winners) {
      const run = runs.get(client)!;
      t.true(run.attempts.some((a) => a.exit === 0), `${client} exited 0 (exits: ${run.attempts.map((a) => a.exit).join(',')})`);
      const lines = run.attempts.flatMap((a) => a.lines);
      const logged = lines.filter((l) => l.action === 'consulta_ganadores' && l.result === 'success').map((l) => l.fields['cant_ganadores']);
      t.deepEqual(logged, [k], `${client} cant_ganadores`);
    }
    const server = await stack.serverLines();
    t.is(server.filter((l) => l.action === 'sorteo' && l.result === 'success').length, 1, 'one draw');
    const stored = csvLines((await stack.storedBets()) ?? '');
    t.is(stored.length, expectedRows.length, 'rows in bets.csv');
    t.deepEqual([...stored].sort(), [...expectedRows].sort(), 'bets.csv holds every bet once');
  } finally {
    await removeStack();
  }
}

test('swarm: 5 agencies on generated data', (t) => lottery(t, 'swarm-5', 5, 300, 90_000));

test('swarm: 50 agencies × 200 bets', (t) => lottery(t, 'swarm-50', 50, 200, 180_000));
