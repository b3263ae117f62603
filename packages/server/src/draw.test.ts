import test from 'ava';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DrawSource } from './draw-source.js';
import { DrawCancelledError, startDraw } from './draw.js';
import { BetRowError, storeBets } from './storage/bets.js';
import { tempDir } from './test/helpers.js';

async function openSource(t: { teardown(fn: () => Promise<void>): void }, path: string): Promise<DrawSource> {
  const source = await DrawSource.open(path);
  t.teardown(() => source.close());
  return source;
}

test('the draw returns each agency\'s winning documents, in file order, and each agency\'s stored bets', async (t) => {
  const path = join(await tempDir(t), 'bets.csv');
  const source = await openSource(t, path);
  // Written after the open: the draw reads what the file holds when it starts.
  await storeBets(
    [
      { agency: 1, firstName: 'A', lastName: 'B', document: '00000001', birthdate: '2000-01-01', number: 7574 },
      { agency: 1, firstName: 'A', lastName: 'B', document: '2', birthdate: '2000-01-01', number: 7575 },
      { agency: 2, firstName: 'Ñandú', lastName: 'Pérez, hijo', document: '3', birthdate: '2000-01-01', number: 7574 },
      { agency: 1, firstName: 'A', lastName: 'B', document: '4', birthdate: '2000-01-01', number: 7574 },
      { agency: 3, firstName: 'A', lastName: 'B', document: '5', birthdate: '2000-01-01', number: 1 },
    ],
    path,
  );
  const { winners, rows } = await startDraw(source).result;
  t.is(rows, 5);
  t.deepEqual([...winners], [
    [1, ['00000001', '4']],
    [2, ['3']],
  ]);
  t.deepEqual([...(await source.scan()).storedPerAgency], [
    [1, 3],
    [2, 1],
    [3, 1],
  ]);
});

test('a bets file that does not exist yet is created empty and holds no winners', async (t) => {
  const source = await openSource(t, join(await tempDir(t), 'none.csv'));
  const { winners, rows } = await startDraw(source).result;
  t.is(rows, 0);
  t.is(winners.size, 0);
});

test('a corrupt row fails the draw, naming the file and the row', async (t) => {
  const path = join(await tempDir(t), 'bets.csv');
  await writeFile(path, '1,A,B,1,2000-01-01,7574\r\nx,A,B,1,2000-01-01,7574\r\n');
  const source = await openSource(t, path);
  await t.throwsAsync(() => startDraw(source).result, { instanceOf: BetRowError, message: `${path}, row 2: invalid literal for int() with base 10: "x"` });
});

test('cancel stops the draw and rejects the result', async (t) => {
  const path = join(await tempDir(t), 'bets.csv');
  await writeFile(path, '1,A,B,1,2000-01-01,7574\r\n'.repeat(500_000));
  const run = startDraw(await openSource(t, path));
  await run.cancel();
  await t.throwsAsync(() => run.result, { instanceOf: DrawCancelledError });
});

test('the draw yields to the event loop between reads', async (t) => {
  const path = join(await tempDir(t), 'bets.csv');
  await writeFile(path, '1,A,B,1,2000-01-01,7575\r\n'.repeat(200_000));
  const source = await openSource(t, path);
  let turns = 0;
  // setImmediate runs once per event-loop turn: a draw that never yielded would see none.
  const count = (): void => {
    turns += 1;
    if (!done) setImmediate(count);
  };
  let done = false;
  setImmediate(count);
  const { rows } = await startDraw(source).result;
  done = true;
  t.is(rows, 200_000);
  // 5 MB in 256 KiB reads: 19 reads, each a turn of the loop.
  t.true(turns >= 10, `only ${turns} event-loop turns during the draw`);
});

test('the draw runs while the process has no file descriptor left (EMFILE)', async (t) => {
  const path = join(await tempDir(t), 'bets.csv');
  await writeFile(path, '1,A,B,00000042,2000-01-01,7574\r\n2,A,B,7,2000-01-01,1\r\n'.repeat(1000));
  const child = fileURLToPath(new URL('./test/draw-without-fds.ts', import.meta.url));
  // A low limit keeps the exhaustion quick; the child opens files until open() fails with EMFILE.
  const proc = spawn('sh', ['-c', 'ulimit -n 256 && exec "$0" --import tsx "$1" "$2"', process.execPath, child, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => proc.on('close', resolve));
  t.is(code, 0, out);
  const report = JSON.parse(out) as { openError: string; held: number; rows: number; winners: Array<[number, string[]]> };
  t.is(report.openError, 'EMFILE');
  t.true(report.held > 0);
  t.is(report.rows, 2000);
  t.deepEqual(report.winners, [[1, Array<string>(1000).fill('00000042')]]);
});
