import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgencyBet } from '@tp0/protocol';
import { captureLogger, tempDir } from '../test/helpers.js';
import { BetWriter, WriterClosedError } from './bet-writer.js';
import { loadBets } from './bets.js';

const batch = (agency: number, size: number): AgencyBet[] =>
  Array.from({ length: size }, (_, i) => ({
    agency,
    firstName: 'Belén',
    lastName: 'Sánchez, "la" Ñandú',
    document: String(i).padStart(8, '0'),
    birthdate: '1999-03-17',
    number: i,
  }));

test('50 concurrent appends of 100 rows each give exactly 5000 whole rows, each batch contiguous', async (t) => {
  const path = join(await tempDir(t), 'bets.csv');
  const writer = await BetWriter.open(path, 'none', captureLogger().log);
  await Promise.all(Array.from({ length: 50 }, (_, i) => writer.append(batch(i + 1, 100))));
  await writer.close();
  const text = await readFile(path, 'utf8');
  const rows = text.split('\r\n').slice(0, -1);
  t.is(rows.length, 5000);
  for (const row of rows) t.regex(row, /^\d+,Belén,"Sánchez, ""la"" Ñandú",\d{8},1999-03-17,\d+$/);
  for (let start = 0; start < rows.length; start += 100) {
    const agencies = new Set(rows.slice(start, start + 100).map((r) => r.split(',')[0]));
    t.is(agencies.size, 1, `rows ${start}..${start + 99} come from one batch`);
  }
  let loaded = 0;
  for await (const _ of loadBets(path)) loaded += 1;
  t.is(loaded, 5000);
});

test('append resolves only after its rows are in the file', async (t) => {
  const path = join(await tempDir(t), 'bets.csv');
  const writer = await BetWriter.open(path, 'none', captureLogger().log);
  await writer.append(batch(1, 3));
  t.is((await readFile(path, 'utf8')).split('\r\n').length - 1, 3);
  await writer.append(batch(2, 2));
  t.is((await readFile(path, 'utf8')).split('\r\n').length - 1, 5);
  await writer.close();
});

test('FSYNC=batch group-commits: batches arriving during a write share one write and one fsync', async (t) => {
  const path = join(await tempDir(t), 'bets.csv');
  const writer = await BetWriter.open(path, 'batch', captureLogger().log);
  const inside = writer as unknown as { file: { datasync(): Promise<void> }; writeAll(bytes: Buffer): void };
  let syncs = 0;
  let writes = 0;
  const datasync = inside.file.datasync.bind(inside.file);
  const writeAll = inside.writeAll.bind(writer);
  inside.file.datasync = () => ((syncs += 1), datasync());
  inside.writeAll = (bytes: Buffer) => ((writes += 1), writeAll(bytes));
  const first = writer.append(batch(1, 10));
  await null; // the group starts on the next microtask; its fsync then takes the thread pool's time
  t.is(writes, 1);
  const rest = Array.from({ length: 20 }, (_, i) => writer.append(batch(i + 2, 10)));
  await Promise.all([first, ...rest]);
  t.is(writes, 2, 'the first batch, then the 20 that queued behind its fsync');
  t.is(syncs, 2);
  await writer.close();
  t.is((await readFile(path, 'utf8')).split('\r\n').length - 1, 210);
});

test('close flushes queued rows, logs close_file and refuses later appends', async (t) => {
  const path = join(await tempDir(t), 'bets.csv');
  const logs = captureLogger();
  const writer = await BetWriter.open(path, 'none', logs.log);
  const pending = writer.append(batch(1, 5));
  await writer.close();
  await pending;
  t.is((await readFile(path, 'utf8')).split('\r\n').length - 1, 5);
  await t.throwsAsync(() => writer.append(batch(1, 1)), { instanceOf: WriterClosedError });
  t.deepEqual(logs.parsed().map((l) => [l.action, l.result, l.fields['file']]), [['close_file', 'success', path]]);
});

test('open cuts a torn last row left by a crash, and later rows start on a row boundary', async (t) => {
  const path = join(await tempDir(t), 'bets.csv');
  const whole = '1,Ana,Pérez,00000001,1990-01-02,7574\r\n2,Belén,Sánchez,00000002,1991-02-03,12\r\n';
  const torn = '3,Ñandú,Gó';
  await writeFile(path, whole + torn);
  const logs = captureLogger();
  const writer = await BetWriter.open(path, 'none', logs.log);
  t.is(await readFile(path, 'utf8'), whole);
  t.deepEqual(
    logs.parsed().map((l) => [l.action, l.result, l.fields['dropped_bytes'], l.fields['kept_bytes']]),
    [['repair_file', 'success', String(Buffer.byteLength(torn)), String(Buffer.byteLength(whole))]],
  );
  await writer.append(batch(3, 1));
  await writer.close();
  const agencies: number[] = [];
  for await (const bet of loadBets(path)) agencies.push(bet.agency);
  t.deepEqual(agencies, [1, 2, 3]);
});

test('open leaves a file of whole rows alone, and empties one that holds only a torn row', async (t) => {
  const dir = await tempDir(t);
  const clean = join(dir, 'clean.csv');
  const rows = '9,Ana,Pérez,00000001,1990-01-02,7574\r\n'.repeat(600);
  await writeFile(clean, rows);
  const logs = captureLogger();
  await (await BetWriter.open(clean, 'none', logs.log)).close();
  t.is(await readFile(clean, 'utf8'), rows);
  t.deepEqual(logs.parsed().map((l) => l.action), ['close_file']);

  // Longer than the tail scan's 16 KiB chunk: the search for an LF goes back chunk by chunk to the start.
  const lone = join(dir, 'lone.csv');
  await writeFile(lone, 'x'.repeat(40_000));
  await (await BetWriter.open(lone, 'none', captureLogger().log)).close();
  t.is(await readFile(lone, 'utf8'), '');
});
