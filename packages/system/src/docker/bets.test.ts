// Lottery scenarios: exercise 5's single bet, exercise 6's batches, exercise 7's winners, and the course dataset.
import test from 'ava';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  checkPrerequisites,
  clientNames,
  csvLines,
  generateData,
  must,
  REPO_ROOT,
  removeLeftovers,
  scenarioDir,
  withProject,
  type Project,
} from './harness.js';

test.before(checkPrerequisites);
test.after.always(removeLeftovers);

const COURSE_ZIP = path.resolve(REPO_ROOT, '../shared/datasets/tp0-dataset.zip');
const COURSE_BETS = 78_697;

/** bets.csv rows (agency, first name, last name, document, birthdate, number), read from the server's bets volume. */
async function storedRows(p: Project): Promise<string[]> {
  const text = await p.storedBets();
  if (text === null) throw new Error(`${p.betsFile()} is not on the bets volume`);
  return csvLines(text);
}

function rowsPerAgency(rows: readonly string[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const row of rows) {
    const agency = Number(row.slice(0, row.indexOf(',')));
    counts.set(agency, (counts.get(agency) ?? 0) + 1);
  }
  return counts;
}

/** Builds `<dir>/.data/agency-<i>.csv` from agency i of a generator run per entry (so each agency has its own options). */
async function mixedData(dir: string, perAgency: ReadonlyArray<{ bets: number; winnersPerAgency?: number }>): Promise<string> {
  const data = path.join(dir, '.data');
  mkdirSync(data, { recursive: true });
  for (const [index, options] of perAgency.entries()) {
    const agency = index + 1;
    const source = path.join(dir, `gen-${agency}`);
    await generateData(source, { agencies: perAgency.length, seed: 500 + agency, ...options });
    copyFileSync(path.join(source, `agency-${agency}.csv`), path.join(data, `agency-${agency}.csv`));
  }
  return data;
}

test('bet mode: the document each client sends is the one the server stores', async (t) => {
  const clients = 3;
  await withProject({ name: 'bet-mode', clients, mode: 'bet' }, async (p) => {
    const codes = await p.waitAllExited(clientNames(clients), 60_000);
    await p.waitLines('server', 'apuesta_almacenada', { result: 'success', count: clients, timeoutMs: 5_000 });
    const rows = await storedRows(p);
    t.is(rows.length, clients, 'one stored row per client');
    for (let i = 1; i <= clients; i++) {
      const client = `client${i}`;
      const env = p.environment(client);
      const dni = env['DOCUMENTO'] ?? '';
      t.is(codes.get(client), 0, `${client} exit code`);
      const sent = p.lines(client, 'apuesta_enviada', 'success');
      t.deepEqual(sent.map((e) => [e.fields['dni'], e.fields['numero']]), [[dni, env['NUMERO']]], `${client} logged its bet`);
      t.is(p.lines('server', 'apuesta_almacenada', 'success').filter((e) => e.fields['dni'] === dni && e.fields['numero'] === env['NUMERO']).length, 1, `server stored ${dni}`);
      const expected = [i, env['NOMBRE'], env['APELLIDO'], dni, env['NACIMIENTO'], env['NUMERO']].join(',');
      t.true(rows.includes(expected), `bets.csv holds ${expected}`);
    }
  });
});

// Agency 1 has 64 bets, agency 2 has 99: with maxAmount 64 agency 2 sends 64 + 35; with 99 each sends one batch.
for (const maxAmount of [64, 99]) {
  test(`agency mode, 64 and 99 bets, batch.maxAmount ${maxAmount}: only the last batch is smaller`, async (t) => {
    const name = `batches-${maxAmount}`;
    const dir = scenarioDir(name);
    const bets = [64, 99];
    const data = await mixedData(dir, bets.map((n) => ({ bets: n })));
    await withProject(
      { name, clients: 2, mode: 'agency', data, client: { 'batch.maxAmount': maxAmount, 'log.level': 'DEBUG' }, server: { LOGGING_LEVEL: 'INFO' } },
      async (p) => {
        const codes = await p.waitAllExited(clientNames(2), 60_000);
        const expectedBatches: number[] = [];
        for (const [index, total] of bets.entries()) {
          const client = `client${index + 1}`;
          t.is(codes.get(client), 0, `${client} exit code`);
          const expected = Array.from({ length: Math.ceil(total / maxAmount) }, (_, b) => Math.min(maxAmount, total - b * maxAmount));
          expectedBatches.push(...expected);
          const batches = p.lines(client, 'apuesta_enviada', 'success').filter((e) => e.line.includes(' DEBUG '));
          t.deepEqual(batches.map((e) => Number(e.fields['cantidad'])), expected, `${client}'s batches`);
        }
        const received = p.lines('server', 'apuesta_recibida', 'success').map((e) => Number(e.fields['cantidad']));
        // apuesta_recibida names no agency (the course's line): compare the multiset.
        t.deepEqual([...received].sort((a, b) => a - b), [...expectedBatches].sort((a, b) => a - b), 'server batch sizes');
        const perAgency = rowsPerAgency(await storedRows(p));
        t.deepEqual([...perAgency].sort(), [[1, 64], [2, 99]], 'bets.csv rows per agency');
      },
      dir,
    );
  });
}

test('3 agencies with 0, 1 and 3 bets on 7574: each client logs exactly its winners', async (t) => {
  const name = 'winners';
  const dir = scenarioDir(name);
  const winners = [0, 1, 3];
  const data = await mixedData(dir, winners.map((k) => ({ bets: 40, winnersPerAgency: k })));
  for (const [index, k] of winners.entries()) {
    const rows = csvLines(readFileSync(path.join(data, `agency-${index + 1}.csv`), 'utf8'));
    t.is(rows.filter((row) => row.endsWith(',7574')).length, k, `agency-${index + 1}.csv has ${k} winning rows`);
  }
  await withProject(
    { name, clients: 3, mode: 'agency', data, server: { LOGGING_LEVEL: 'INFO' }, client: { 'log.level': 'INFO' } },
    async (p) => {
      const codes = await p.waitAllExited(clientNames(3), 60_000);
      for (const [index, k] of winners.entries()) {
        const client = `client${index + 1}`;
        t.is(codes.get(client), 0, `${client} exit code`);
        const logged = p.lines(client, 'consulta_ganadores', 'success').map((e) => e.fields['cant_ganadores']);
        t.deepEqual(logged, [String(k)], `${client} cant_ganadores`);
        const served = p.lines('server', 'consulta_ganadores', 'success').filter((e) => e.fields['agencia'] === String(index + 1));
        t.deepEqual(served.map((e) => e.fields['cant_ganadores']), [String(k)], `server answered agency ${index + 1}`);
      }
      t.is(p.lines('server', 'sorteo', 'success').length, 1, 'one draw');
    },
    dir,
  );
});

// The course's dataset is never committed: without it this scenario shows as skipped, with the reason in its title.
const hasCourseZip = existsSync(COURSE_ZIP);
const courseTitle = '5 agencies on the course dataset: every client exits 0 and 78,697 bets are stored';
(hasCourseZip ? test : test.skip)(hasCourseZip ? courseTitle : `${courseTitle} (${COURSE_ZIP} not found)`, async (t) => {
  const name = 'course-dataset';
  const dir = scenarioDir(name);
  const data = path.join(dir, '.data');
  await must('python3', ['-m', 'zipfile', '-e', COURSE_ZIP, data]);
  const fileRows = [1, 2, 3, 4, 5].map((i) => csvLines(readFileSync(path.join(data, `agency-${i}.csv`), 'utf8')).length);
  t.is(fileRows.reduce((a, b) => a + b, 0), COURSE_BETS, 'the zip holds the expected rows');
  const started = Date.now();
  await withProject(
    { name, clients: 5, mode: 'agency', data, server: { LOGGING_LEVEL: 'INFO' }, client: { 'log.level': 'INFO' } },
    async (p) => {
      const codes = await p.waitAllExited(clientNames(5), 240_000);
      t.log(`all clients done in ${Date.now() - started} ms`);
      for (const [client, code] of codes) t.is(code, 0, `${client} exit code`);
      for (const [index, rows] of fileRows.entries()) {
        const client = `client${index + 1}`;
        t.deepEqual(p.lines(client, 'apuesta_enviada', 'success').map((e) => Number(e.fields['cantidad'])), [rows], `${client} sent ${rows}`);
        t.log(`${client}: cant_ganadores ${p.lines(client, 'consulta_ganadores', 'success')[0]?.fields['cant_ganadores']}`);
      }
      const stored = await storedRows(p);
      t.is(stored.length, COURSE_BETS, 'rows in bets.csv');
      t.deepEqual(
        [...rowsPerAgency(stored)].sort((a, b) => a[0] - b[0]),
        fileRows.map((rows, index) => [index + 1, rows]),
        'rows per agency',
      );
    },
    dir,
  );
});
