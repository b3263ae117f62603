// Bets survive `docker-compose down`: bets.csv is on the project's named volume, which only `down -v` removes. A
// second `up` finds every bet and every finished agency there; the agencies resume (protocol v2 tells them all is
// stored), send nothing again, and get their winners again.
import test from 'ava';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  checkPrerequisites,
  clientNames,
  csvLines,
  generateData,
  PROJECT,
  Project,
  readVolumeFile,
  removeLeftovers,
  scenarioDir,
  type ProjectSpec,
} from './harness.js';

test.before(checkPrerequisites);
test.after.always(removeLeftovers);

const AGENCIES = 3;
const BETS = 150;

/** Runs the project until every client exited; returns the exit codes and the bets.csv rows. */
async function runToEnd(p: Project): Promise<{ codes: Map<string, number>; rows: string[] }> {
  const codes = await p.waitAllExited(clientNames(AGENCIES), 90_000);
  const text = await p.storedBets();
  return { codes, rows: csvLines(text ?? '') };
}

test('down (volumes kept) and up again: bets.csv holds the first run’s bets exactly once; winners again', async (t) => {
  const name = 'persistence';
  const dir = scenarioDir(name);
  const data = path.join(dir, '.data');
  await generateData(data, { agencies: AGENCIES, bets: BETS, seed: 77 });
  const expectedRows: string[] = [];
  const winners: string[] = [];
  for (let i = 1; i <= AGENCIES; i++) {
    const lines = csvLines(readFileSync(path.join(data, `agency-${i}.csv`), 'utf8'));
    expectedRows.push(...lines.map((line) => `${i},${line}`));
    winners.push(String(lines.filter((line) => line.endsWith(',7574')).length));
  }
  const spec: ProjectSpec = { name, clients: AGENCIES, mode: 'agency', data, server: { LOGGING_LEVEL: 'INFO' }, client: { 'log.level': 'INFO' } };
  const winnersOf = (p: Project) => clientNames(AGENCIES).map((c) => p.lines(c, 'consulta_ganadores', 'success').map((e) => e.fields['cant_ganadores']));

  const first = await Project.create(spec, dir);
  let firstRows: string[];
  try {
    await first.up();
    const { codes, rows } = await runToEnd(first);
    for (const [client, code] of codes) t.is(code, 0, `first run: ${client} exit code`);
    t.deepEqual(winnersOf(first), winners.map((k) => [k]), 'first run: winners per agency');
    t.deepEqual([...rows].sort(), [...expectedRows].sort(), 'first run: every bet stored once');
    firstRows = rows;
  } finally {
    await first.down({ keepVolumes: true });
  }
  t.not(await readVolumeFile(`${PROJECT}_bets`, 'bets.csv'), null, 'bets.csv outlives down');

  const second = await Project.create(spec, dir);
  try {
    await second.up({ keepVolumes: true });
    const { codes, rows } = await runToEnd(second);
    for (const [client, code] of codes) t.is(code, 0, `second run: ${client} exit code`);
    const [recovered] = await second.waitLines('server', 'recuperar_estado', { result: 'success', timeoutMs: 5_000 });
    // Both lists come in the order the first run stored and finished them.
    const sorted = (list = '') => list.split(',').sort().join(',');
    t.is(sorted(recovered?.fields['almacenadas']), `1:${BETS},2:${BETS},3:${BETS}`);
    t.is(sorted(recovered?.fields['finalizadas']), '1,2,3');
    for (const client of clientNames(AGENCIES)) {
      const resumed = second.lines(client, 'reanudar', 'success').map((e) => [e.fields['almacenadas'], e.fields['finalizada']]);
      t.deepEqual(resumed, [[String(BETS), 'si']], `${client} resumed with everything stored`);
      t.deepEqual(second.lines(client, 'apuesta_enviada', 'success'), [], `${client} sent no bet again`);
    }
    t.deepEqual(winnersOf(second), winners.map((k) => [k]), 'second run: the same winners');
    t.deepEqual(rows, firstRows, 'second run: bets.csv unchanged');
  } finally {
    await second.down();
  }
});
