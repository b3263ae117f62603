/**
 * Child process of draw.test.ts: opens the DrawSource, then opens files until the process has no descriptor left,
 * then draws. Prints { openError, held, rows, winners } as JSON. Usage: draw-without-fds.ts <bets file>
 */
import { open, type FileHandle } from 'node:fs/promises';
import { DrawSource } from '../draw-source.js';
import { startDraw } from '../draw.js';

const path = process.argv[2]!;
const source = await DrawSource.open(path);
const held: FileHandle[] = [];
let openError = 'none';
for (;;) {
  try {
    held.push(await open(path, 'r'));
  } catch (err) {
    openError = String((err as NodeJS.ErrnoException).code);
    break;
  }
}
const { rows, winners } = await startDraw(source).result;
const report = JSON.stringify({ openError, held: held.length, rows, winners: [...winners] });
await Promise.all(held.map((file) => file.close()));
await source.close();
process.stdout.write(report);
