/**
 * End-to-end: the built server and clients (packages/{server,client}/dist/main.js) as child processes on 127.0.0.1,
 * real files in temp directories. Run `pnpm -r build` first.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { generateAgencyFiles } from './gen-data.js';
import { runSystem } from './run/run-system.js';
import { countStored } from './run/summary.js';
import { tempDir } from './test/helpers.js';

test('3 agencies × 100 bets with 2, 1 and 0 winners: each agency is told its own count, the draw runs once', async (t) => {
  const dir = await tempDir(t);
  // Agency k's file comes from a run with k's number of winners (gen-data applies one count to every agency).
  const inputFiles = [2, 1, 0].map(
    (winners, i) => generateAgencyFiles({ out: path.join(dir, `w${winners}`), agencies: 3, bets: 100, seed: 7, winnersPerAgency: winners })[i]!,
  );
  const result = await runSystem({ inputFiles, workDir: dir, betsFile: path.join(dir, 'bets.csv'), timeoutMs: 20_000 });
  t.deepEqual(result.summary.problems, []);
  t.deepEqual(
    result.summary.rows.map((r) => [r.fileBets, r.storedBets, r.reportedWinners, r.expectedWinners]),
    [
      [100, 100, 2, 2],
      [100, 100, 1, 1],
      [100, 100, 0, 0],
    ],
  );
  t.is(result.server.lines.filter((l) => l.text.includes('action: sorteo | result: success')).length, 1);
  // Every client printed exactly one winners line.
  for (const client of result.clients) t.is(client.lines.filter((l) => l.text.includes('action: consulta_ganadores')).length, 1);
});

test('5 agencies on generated data: every bet stored, every count right, all processes exit 0', async (t) => {
  const dir = await tempDir(t);
  const inputFiles = generateAgencyFiles({ out: path.join(dir, 'data'), agencies: 5, bets: 3000, seed: 42 });
  const result = await runSystem({ inputFiles, workDir: dir, betsFile: path.join(dir, 'bets.csv'), timeoutMs: 20_000 });
  t.deepEqual(result.summary.problems, []);
  t.true(result.ok);
  const stored = await countStored(path.join(dir, 'bets.csv'));
  t.is(stored.total, 15_000);
  // The default generator makes about 1 in 200 rows a winner: the check above is not vacuous.
  t.true(result.summary.rows.reduce((n, r) => n + r.expectedWinners, 0) > 0);
});

const LOCAL_RUN = fileURLToPath(new URL('../dist/local-run.js', import.meta.url));

function runLocal(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LOCAL_RUN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('local runner end to end (dist/local-run.js): prefixed logs, summary table, exit 0', async (t) => {
  const dir = await tempDir(t);
  generateAgencyFiles({ out: path.join(dir, 'data'), agencies: 3, bets: 500, seed: 3, winnersPerAgency: 4 });
  const betsFile = path.join(dir, 'out', 'bets.csv');
  await import('node:fs/promises').then((fs) => fs.mkdir(path.dirname(betsFile)));
  const { code, stdout, stderr } = await runLocal(['--agencies', '3', '--data', path.join(dir, 'data'), '--batch', '50', '--bets-file', betsFile]);
  t.is(code, 0, stderr + stdout.slice(-2000));
  t.regex(stdout, /^server {2}\| .*action: listen \| result: success/m);
  t.regex(stdout, /^client2 \| .*action: consulta_ganadores \| result: success \| cant_ganadores: 4$/m);
  for (const agency of [1, 2, 3]) t.regex(stdout, new RegExp(`^${agency} +500 +500 +4 +4 +0 +yes$`, 'm'));
  t.regex(stdout, /^total +1500 +1500 +12 +12 +yes$/m);
  t.is((await countStored(betsFile)).total, 1500);
});

test('local runner: missing data files are named, with the make targets that create them (exit 2)', async (t) => {
  const dir = await tempDir(t);
  const { code, stderr } = await runLocal(['--agencies', '2', '--data', dir, '--quiet']);
  t.is(code, 2);
  t.regex(stderr, /missing 2 of 2 agency files/);
  t.regex(stderr, /make data/);
  t.regex(stderr, /make course-data/);
});
