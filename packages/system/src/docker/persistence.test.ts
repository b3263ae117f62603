// How long a lottery lives in Compose. By default bets.csv is in the server container: a server killed mid-ingest
// is restarted in the same container by its restart policy and resumes exactly once, and `down` ends the lottery.
// With --keep-bets it is on the project's named volume: `down` keeps it, the next `up` resumes, and an agency file
// that does not match the kept lottery is refused with the clear leer_apuestas error.
import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  checkPrerequisites,
  clientNames,
  csvLines,
  generateData,
  must,
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

interface Data {
  readonly dir: string;
  /** Every agency's rows as bets.csv stores them (`<agency>,<row>`). */
  readonly rows: string[];
  /** Winners per agency, agency 1 first. */
  readonly winners: string[];
}

async function makeData(dir: string, bets: number, seed: number): Promise<Data> {
  const data = path.join(dir, '.data');
  await generateData(data, { agencies: AGENCIES, bets, seed });
  const rows: string[] = [];
  const winners: string[] = [];
  for (let i = 1; i <= AGENCIES; i++) {
    const lines = csvLines(readFileSync(path.join(data, `agency-${i}.csv`), 'utf8'));
    rows.push(...lines.map((line) => `${i},${line}`));
    winners.push(String(lines.filter((line) => line.endsWith(',7574')).length));
  }
  return { dir: data, rows, winners };
}

const winnersOf = (p: Project) => clientNames(AGENCIES).map((c) => p.lines(c, 'consulta_ganadores', 'success').map((e) => e.fields['cant_ganadores']));

async function runToEnd(p: Project): Promise<{ codes: Map<string, number>; rows: string[] }> {
  const codes = await p.waitAllExited(clientNames(AGENCIES), 120_000);
  return { codes, rows: csvLines((await p.storedBets()) ?? '') };
}

test('kill -9 of the server mid-ingest: restarted in its container, every bet stored once, right winners', async (t) => {
  const name = 'server-restart';
  const dir = scenarioDir(name);
  const data = await makeData(dir, 20_000, 5);
  // Small batches, one in flight: the ingest lasts long enough to be cut in the middle.
  const spec: ProjectSpec = { name, clients: AGENCIES, data: data.dir, server: { LOGGING_LEVEL: 'INFO' }, client: { 'batch.maxAmount': 5, 'batch.inFlight': 1 } };
  const project = await Project.create(spec, dir);
  try {
    await project.up();
    await project.waitLines('server', 'apuesta_recibida', { result: 'success', count: 50, timeoutMs: 60_000 });
    const pid = Number((await must('docker', ['inspect', '-f', '{{.State.Pid}}', 'server'])).trim());
    process.kill(pid, 'SIGKILL');
    const [recovered] = await project.waitLines('server', 'recuperar_estado', { result: 'success', timeoutMs: 60_000 });
    t.truthy(recovered, 'the restarted server read its bets back');
    const { codes, rows } = await runToEnd(project);
    for (const [client, code] of codes) t.is(code, 0, `${client} exit code`);
    t.is((await must('docker', ['inspect', '-f', '{{.RestartCount}}', 'server'])).trim(), '1', 'restarted once, in the same container');
    t.deepEqual([...rows].sort(), [...data.rows].sort(), 'every bet stored exactly once');
    t.deepEqual(winnersOf(project), data.winners.map((k) => [k]), 'winners per agency');
  } finally {
    await project.down();
  }
});

test('--keep-bets (docker-compose 1.29): down keeps the volume, up resumes; another file is refused', async (t) => {
  const name = 'keep-bets';
  const dir = scenarioDir(name);
  const data = await makeData(dir, 150, 77);
  const spec: ProjectSpec = {
    name,
    clients: AGENCIES,
    data: data.dir,
    keepBets: true,
    compose: 'v1',
    server: { LOGGING_LEVEL: 'INFO' },
    client: { 'log.level': 'INFO' },
  };

  const first = await Project.create(spec, dir);
  let firstRows: string[];
  try {
    await first.up();
    const { codes, rows } = await runToEnd(first);
    for (const [client, code] of codes) t.is(code, 0, `first run: ${client} exit code`);
    t.deepEqual(winnersOf(first), data.winners.map((k) => [k]), 'first run: winners per agency');
    t.deepEqual([...rows].sort(), [...data.rows].sort(), 'first run: every bet stored once');
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
    const sorted = (list = '') => list.split(',').sort().join(',');
    t.is(sorted(recovered?.fields['almacenadas']), `1:150,2:150,3:150`);
    t.is(sorted(recovered?.fields['finalizadas']), '1,2,3');
    for (const client of clientNames(AGENCIES)) {
      const resumed = second.lines(client, 'reanudar', 'success').map((e) => [e.fields['almacenadas'], e.fields['finalizada']]);
      t.deepEqual(resumed, [['150', 'si']], `${client} resumed with everything stored`);
      t.deepEqual(second.lines(client, 'apuesta_enviada', 'success'), [], `${client} sent no bet again`);
    }
    t.deepEqual(winnersOf(second), data.winners.map((k) => [k]), 'second run: the same winners');
    t.deepEqual(rows, firstRows, 'second run: bets.csv unchanged');
  } finally {
    await second.down({ keepVolumes: true });
  }

  // A shorter agency-1 file against the kept lottery: not the file agency 1 sent.
  const agency1 = path.join(data.dir, 'agency-1.csv');
  writeFileSync(agency1, csvLines(readFileSync(agency1, 'utf8')).slice(0, 100).join('\n') + '\n');
  const third = await Project.create(spec, dir);
  try {
    await third.up({ keepVolumes: true });
    const codes = await third.waitAllExited(clientNames(AGENCIES), 120_000);
    t.is(codes.get('client1'), 1, 'client1 refuses the file');
    const [refused] = third.lines('client1', 'leer_apuestas', 'fail');
    t.regex(refused?.line ?? '', /file: \/app\/\.data\/agency-1\.csv \| error: .*holds 150 bets of agency 1.*100 rows/);
  } finally {
    await third.down();
  }
});
