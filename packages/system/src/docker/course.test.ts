// The course's black-box sequence, done the way its suite does it: in a checkout of this repository, with plain
// `docker compose -f docker-compose-dev.yaml stop / down / up -d / logs -f` (project tp0 from .env, no -p), new
// configs and new `.data/` files written between runs, and one engine for the whole sequence. It starts right after
// a `make docker-compose-up` on the course dataset (or generated data where ../shared lacks it), so whatever that run
// left behind must not change the next one: every `up` after `down` is a new lottery over the files on disk then.
// The course's suite also prunes stopped containers, networks and dangling images before each exercise; this test
// does not (it never prunes the host engine), which only makes leftovers more likely to show.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  checkPrerequisites,
  clientNames,
  editIni,
  editYaml,
  generateData,
  must,
  Project,
  REPO_ROOT,
  removeLeftovers,
  run,
  scenarioDir,
  type LogEntry,
} from './harness.js';

const COURSE_ZIP = path.resolve(REPO_ROOT, '../shared/datasets/tp0-dataset.zip');
const COURSE_WINNERS = ['2', '3', '3', '2', '0'];
const COMPOSE_FILE = 'docker-compose-dev.yaml';
const WINNING_NUMBER = 7574;

const root = scenarioDir('course');
/** The checkout the sequence runs in: this repository's files as git sees them, nothing built. */
const checkout = path.join(root, 'tp0');
let runs = 0;

test.before(async () => {
  await checkPrerequisites();
  await removeLeftovers();
  copyWorkingTree(checkout);
});

test.after.always(async () => {
  await run('docker', ['compose', '-f', COMPOSE_FILE, 'down', '-t', '1'], { cwd: checkout, timeoutMs: 60_000 });
  await removeLeftovers();
});

/**
 * Tracked and untracked-but-not-ignored files of this repository, copied as they are in the working tree (modes
 * kept): a fresh checkout, whose generar-compose.sh installs and builds what it needs on first use.
 */
function copyWorkingTree(to: string): void {
  const listing = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO_ROOT, encoding: 'utf8' });
  for (const file of new Set(listing.split('\0').filter(Boolean))) {
    const from = path.join(REPO_ROOT, file);
    if (!existsSync(from)) continue; // deleted in the working tree
    const target = path.join(to, file);
    mkdirSync(path.dirname(target), { recursive: true });
    copyFileSync(from, target);
    chmodSync(target, statSync(from).mode);
  }
}

/** The course's agency file: `A,B,<i as 8 digits>,2000-01-01,<i>` for i = 0 .. rows-1. */
function courseRows(rows: number): string {
  let text = '';
  for (let i = 0; i < rows; i++) text += `A,B,${String(i).padStart(8, '0')},2000-01-01,${i}\n`;
  return text;
}

function winnersIn(rows: number): string {
  return rows > WINNING_NUMBER ? '1' : '0';
}

interface Setup {
  readonly clients: number;
  readonly mode?: 'bet' | 'agency';
  readonly maxAmount?: number;
  /** Rows of each agency's file, agency 1 first (agency mode). */
  readonly rows?: readonly number[];
}

/** Step 1 and 2 of a course test: stop and down, then new configs, compose file and agency files. */
async function prepare(setup: Setup): Promise<void> {
  await compose(['stop', '-t', '3']);
  await compose(['down']);
  const clientConfig = path.join(checkout, 'packages/client/config.yaml');
  writeFileSync(
    clientConfig,
    editYaml(readFileSync(clientConfig, 'utf8'), { 'loop.amount': 1, 'loop.period': '100ms', 'batch.maxAmount': setup.maxAmount ?? 134 }),
  );
  const serverConfig = path.join(checkout, 'packages/server/config.ini');
  writeFileSync(serverConfig, editIni(readFileSync(serverConfig, 'utf8'), { LOGGING_LEVEL: 'DEBUG' }));
  const modeArgs = setup.mode === 'bet' ? ['--mode', 'bet'] : [];
  await must('./generar-compose.sh', [COMPOSE_FILE, String(setup.clients), ...modeArgs], { cwd: checkout, timeoutMs: 300_000 });
  for (const [index, rows] of (setup.rows ?? []).entries()) {
    writeFileSync(path.join(checkout, '.data', `agency-${index + 1}.csv`), courseRows(rows));
  }
}

function compose(args: readonly string[]): Promise<string> {
  return must('docker', ['compose', '-f', COMPOSE_FILE, ...args], { cwd: checkout, timeoutMs: 180_000 });
}

/** Step 3: `up -d`, then `logs -f` until every client's `exited with code N` line. */
async function upAndFollow(clients: number): Promise<Project> {
  await compose(['up', '-d']);
  return followToEnd(clients);
}

/** Reads `docker compose -f docker-compose-dev.yaml logs -f` in the checkout until every client exited. */
async function followToEnd(clients: number): Promise<Project> {
  const dir = path.join(root, `run-${++runs}`);
  mkdirSync(dir, { recursive: true });
  const project = Project.attach({ name: `course-${runs}`, clients }, path.join(checkout, COMPOSE_FILE), checkout, dir);
  project.follow();
  try {
    await project.waitAllExited(clientNames(clients), 120_000);
  } finally {
    await project.stopFollowing();
  }
  return project;
}

function failures(project: Project): LogEntry[] {
  return project.entries.filter((entry) => entry.result === 'fail');
}

const lines = (project: Project, service: string, action: string) => project.lines(service, action, 'success');

/** The checks of an agency-mode course test (exercises 6-8). */
function checkLottery(t: import('ava').ExecutionContext, project: Project, setup: Required<Pick<Setup, 'rows' | 'maxAmount'>>): void {
  t.deepEqual(failures(project).map((e) => `${e.service} | ${e.line}`), [], 'no result: fail line');
  for (const [client, code] of project.exits) t.is(code, 0, `${client} exit code`);
  const batches = lines(project, 'server', 'apuesta_recibida').map((e) => Number(e.fields['cantidad']));
  const total = setup.rows.reduce((a, b) => a + b, 0);
  t.is(batches.reduce((a, b) => a + b, 0), total, 'sum of cantidad over apuesta_recibida = rows written');
  // Every agency's batches are full but its last: at most one short batch per agency.
  t.true(batches.filter((size) => size !== setup.maxAmount).length <= setup.rows.length, `batch sizes ${batches.join(',')}`);
  if (setup.rows.length === 1) t.true(batches.slice(0, -1).every((size) => size === setup.maxAmount), `batch sizes ${batches.join(',')}`);
  t.is(lines(project, 'server', 'sorteo').length, 1, 'one sorteo');
  t.deepEqual(lines(project, 'server', 'reanudar').map((e) => e.fields['almacenadas']), setup.rows.map(() => '0'), 'every agency starts from nothing');
  setup.rows.forEach((rows, index) => {
    const winners = lines(project, `client${index + 1}`, 'consulta_ganadores').map((e) => e.fields['cant_ganadores']);
    t.deepEqual(winners, [winnersIn(rows)], `client${index + 1} winners`);
  });
}

test.serial('make docker-compose-up on the course dataset, as a user runs it first', async (t) => {
  const data = path.join(checkout, '.data');
  if (!existsSync(COURSE_ZIP)) {
    t.log(`${COURSE_ZIP} missing: generated data instead`);
    await generateData(data, { agencies: 5, bets: 2_000, seed: 11 });
  }
  // The images are this repository's (make test-docker built them); the rest is the real target.
  await must('make', ['-o', 'docker-engine', '-o', 'docker-image', 'docker-compose-up', `DATASET_ZIP=${COURSE_ZIP}`], {
    cwd: checkout,
    timeoutMs: 300_000,
  });
  const project = await followToEnd(5);
  t.deepEqual(failures(project).map((e) => e.line), []);
  const winners = clientNames(5).map((c) => lines(project, c, 'consulta_ganadores')[0]?.fields['cant_ganadores']);
  if (existsSync(COURSE_ZIP)) t.deepEqual(winners, COURSE_WINNERS);
  else t.true(winners.every((w) => w !== undefined), winners.join(','));
});

test.serial('make docker-compose-down, other .data files, make docker-compose-up: a new lottery over them', async (t) => {
  await must('make', ['docker-compose-down'], { cwd: checkout, timeoutMs: 120_000 });
  const rows = [7_600, 20, 7_575, 1, 300];
  rows.forEach((n, index) => writeFileSync(path.join(checkout, '.data', `agency-${index + 1}.csv`), courseRows(n)));
  await must('make', ['-o', 'docker-engine', '-o', 'docker-image', 'docker-compose-up'], { cwd: checkout, timeoutMs: 300_000 });
  checkLottery(t, await followToEnd(5), { rows, maxAmount: 134 });
});

test.serial('exercise 5: the bet from the environment is the one stored (test_dni)', async (t) => {
  await prepare({ clients: 5, mode: 'bet' });
  const project = await upAndFollow(5);
  t.deepEqual(failures(project).map((e) => `${e.service} | ${e.line}`), []);
  const stored = lines(project, 'server', 'apuesta_almacenada').map((e) => `${e.fields['dni']}/${e.fields['numero']}`);
  for (const client of clientNames(5)) {
    const sent = lines(project, client, 'apuesta_enviada');
    t.is(sent.length, 1, `${client} sent one bet`);
    const bet = `${sent[0]?.fields['dni']}/${sent[0]?.fields['numero']}`;
    t.true(stored.includes(bet), `${client}'s ${bet} among stored ${stored.join(',')}`);
  }
  t.is(stored.length, 5);
});

for (const [rows, maxAmount] of [
  [64, 134],
  [99, 134],
  [64, 16],
  [99, 21],
] as const) {
  test.serial(`exercise 6: ${rows} rows in batches of ${maxAmount}`, async (t) => {
    const setup = { clients: 1, rows: [rows], maxAmount };
    await prepare(setup);
    checkLottery(t, await upAndFollow(1), setup);
  });
}

for (const rows of [
  [7_575, 300, 8_000],
  [9_000, 10, 7_574, 7_600, 1],
]) {
  test.serial(`exercises 7 and 8: ${rows.length} agencies, ${rows.join('/')} rows, winners each`, async (t) => {
    const setup = { clients: rows.length, rows, maxAmount: 100 };
    await prepare(setup);
    checkLottery(t, await upAndFollow(rows.length), setup);
  });
}
