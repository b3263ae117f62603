// The lottery on Docker Swarm: a one-node swarm (made here only when the engine has none, and left only then), the
// stack from `compose-gen --target swarm`, one service per agency on an overlay network with DNS round robin.
// Every agency must log its exact winners count, and bets.csv on the server's volume must hold every bet once.
import test, { type ExecutionContext } from 'ava';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkPrerequisites, csvLines, generateData, scenarioDir, sleep } from './harness.js';
import { joinSwarm, leaveSwarm, removeStack, Stack, type CourseLine, type SwarmChanges } from './swarm.js';

let changes: SwarmChanges | undefined;

test.before(async () => {
  await checkPrerequisites();
  changes = await joinSwarm();
});
test.after.always(async () => {
  await removeStack();
  if (changes !== undefined) await leaveSwarm(changes);
});

/** What a scenario does while the agencies send: e.g. kill the server's task. */
type MidRun = (t: ExecutionContext, stack: Stack) => Promise<void>;

async function lottery(t: ExecutionContext, name: string, agencies: number, bets: number, timeoutMs: number, midRun?: MidRun): Promise<void> {
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
    await midRun?.(t, stack);
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

// Within one deployment the lottery survives its server: the new task mounts the same volume and resumes it.
test('swarm: the server task killed mid-ingest is restarted and resumes exactly once', (t) =>
  lottery(t, 'swarm-restart', 3, 60_000, 180_000, async (t, stack) => {
    const killed = await stack.killServerAfter(5, 90_000);
    t.is(killed.filter((l) => l.action === 'sorteo').length, 0, 'killed before the draw');
    const deadline = Date.now() + 60_000;
    let recovered: CourseLine | undefined;
    while (recovered === undefined && Date.now() < deadline) {
      recovered = (await stack.serverLines().catch(() => [])).find((l) => l.action === 'recuperar_estado' && l.result === 'success');
      if (recovered === undefined) await sleep(250);
    }
    t.truthy(recovered, 'the new server task read the stored bets back from the volume');
  }));
