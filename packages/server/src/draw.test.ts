import test from 'ava';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DrawCancelledError, startDraw } from './draw.js';
import { BetRowError, storeBets } from './storage/bets.js';
import { tempDir } from './test/helpers.js';

test('the draw returns each agency\'s winning documents, in file order', async (t) => {
  const path = join(await tempDir(t), 'bets.csv');
  await storeBets(
    [
      { agency: 1, firstName: 'A', lastName: 'B', document: '00000001', birthdate: '2000-01-01', number: 7574 },
      { agency: 1, firstName: 'A', lastName: 'B', document: '2', birthdate: '2000-01-01', number: 7575 },
      { agency: 2, firstName: 'Ñandú', lastName: 'Pérez, hijo', document: '3', birthdate: '2000-01-01', number: 7574 },
      { agency: 1, firstName: 'A', lastName: 'B', document: '4', birthdate: '2000-01-01', number: 7574 },
    ],
    path,
  );
  const { winners, rows } = await startDraw(path).result;
  t.is(rows, 4);
  t.deepEqual([...winners], [
    [1, ['00000001', '4']],
    [2, ['3']],
  ]);
});

test('a bets file that does not exist yet means no winners', async (t) => {
  const { winners, rows } = await startDraw(join(await tempDir(t), 'none.csv')).result;
  t.is(rows, 0);
  t.is(winners.size, 0);
});

test('a corrupt row fails the draw, naming the row', async (t) => {
  const path = join(await tempDir(t), 'bets.csv');
  await writeFile(path, '1,A,B,1,2000-01-01,7574\r\nx,A,B,1,2000-01-01,7574\r\n');
  await t.throwsAsync(() => startDraw(path).result, { instanceOf: BetRowError, message: /row 2: invalid literal for int\(\)/ });
});

test('cancel stops the draw and rejects the result', async (t) => {
  const path = join(await tempDir(t), 'bets.csv');
  await writeFile(path, '1,A,B,1,2000-01-01,7574\r\n'.repeat(500_000));
  const run = startDraw(path);
  await sleep(20);
  await run.cancel();
  await t.throwsAsync(() => run.result, { instanceOf: DrawCancelledError });
});

test('the draw yields to the event loop while it reads', async (t) => {
  const path = join(await tempDir(t), 'bets.csv');
  await writeFile(path, '1,A,B,1,2000-01-01,7575\r\n'.repeat(200_000));
  let ticks = 0;
  const timer = setInterval(() => (ticks += 1), 1);
  const run = startDraw(path);
  const { rows } = await run.result;
  clearInterval(timer);
  t.is(rows, 200_000);
  t.true(ticks >= 20, `only ${ticks} timer ticks during the draw`);
});
