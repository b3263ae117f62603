/**
 * Exactly-once under faults, end to end with the built server and agency processes on 127.0.0.1: the server killed
 * with SIGKILL in the middle of the dataset and restarted, and a server out of file descriptors when the last
 * agency finishes. Agencies must resume where the server's file says they got to, and every agency must get its
 * winners, with every bet stored exactly once.
 */
import { execFile } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { courseDataset } from './bench/dataset.js';
import type { Child } from './run/child.js';
import { startClientProcess, startServerProcess } from './run/processes.js';
import { summarize } from './run/summary.js';
import { bet, betKeys, rawLottery, request, tempDir, writeAgencyCsv } from './test/helpers.js';

/** A port nothing listens on right now, so a restarted server can take the same one. */
async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

const batchLines = (server: Child) => server.lines.filter((l) => l.text.includes('action: apuesta_recibida | result: success')).length;

test('SIGKILL of the server in the middle of the dataset, then a restart: agencies resume, every bet stored once, every agency gets its winners', async (t) => {
  const dir = await tempDir(t);
  const { files, source } = await courseDataset(path.join(dir, 'data'));
  t.log(source);
  const betsFile = path.join(dir, 'bets.csv');
  const port = await freePort();
  const serverEnv = { SERVER_PORT: String(port) };
  const first = await startServerProcess({ dir, agencies: files.length, betsFile, env: serverEnv, name: 'server-1' });
  t.teardown(() => first.child.kill('SIGKILL'));
  // Small batches keep the run long enough to be cut in the middle; the retry window outlasts the restart.
  const clients = files.map((dataFile, index) =>
    startClientProcess({ id: index + 1, port, dataFile, dir, batch: 10, env: { CLI_SERVER_CONNECTRETRY: '30s' } }),
  );
  t.teardown(() => clients.forEach((c) => c.kill('SIGKILL')));

  await first.child.waitForLine(() => batchLines(first.child) >= 400, 60_000);
  first.child.kill('SIGKILL');
  t.is((await first.child.exited).signal, 'SIGKILL');
  const storedAtKill = (await betKeys(betsFile, 'stored')).length;
  const total = (await Promise.all(files.map((f) => betKeys(f, 'input')))).flat().length;
  t.true(storedAtKill < total, `killed mid-dataset: ${storedAtKill} of ${total} stored`);

  const second = await startServerProcess({ dir, agencies: files.length, betsFile, env: serverEnv, name: 'server-2' });
  t.teardown(() => second.child.kill('SIGKILL'));
  const exits = await Promise.all(clients.map((c) => c.exited));
  second.child.kill('SIGTERM');
  const serverExit = await second.child.exited;

  const summary = await summarize({
    inputFiles: files,
    betsFile,
    clients: clients.map((c, i) => ({ lines: c.lines.map((l) => l.text), exitCode: exits[i]!.code })),
    serverLines: [...first.child.lines, ...second.child.lines].map((l) => l.text),
    serverExitCode: serverExit.code,
    elapsedMs: 0,
  });
  t.deepEqual(summary.problems, [], clients.map((c) => c.lines.slice(-3).map((l) => l.text).join('\n')).join('\n'));
  t.deepEqual(await betKeys(betsFile, 'stored'), (await Promise.all(files.map((f) => betKeys(f, 'input')))).flat().sort(), 'every bet exactly once');
  t.truthy(second.child.lines.find((l) => l.text.includes('action: recuperar_estado | result: success')));
  t.true(clients.some((c) => c.lines.some((l) => /action: reanudar \| result: success/.test(l.text))), 'some agency resumed');
  if (source.startsWith('course dataset')) {
    t.is(summary.rows.reduce((sum, row) => sum + row.storedBets, 0), 78_697);
    t.deepEqual(summary.rows.map((row) => row.reportedWinners), [2, 3, 3, 2, 0]);
  }
});

test('a server out of file descriptors when the last agency finishes still draws, and every agency gets its winners', async (t) => {
  const dir = await tempDir(t);
  const betsFile = path.join(dir, 'bets.csv');
  const { child: server, port } = await startServerProcess({ dir, agencies: 2, betsFile });
  t.teardown(() => server.kill('SIGKILL'));
  const agency1 = await rawLottery(port);
  const agency2 = await rawLottery(port);
  t.like(await request(agency1.conn, { type: 'bet_batch', agency: 1, first: 0, bets: [bet('10', 7574), bet('11', 1)] }), { type: 'ack', count: 2 });
  t.like(await request(agency1.conn, { type: 'finished', agency: 1, total: 2 }), { type: 'ack' });
  t.like(await request(agency2.conn, { type: 'bet_batch', agency: 2, first: 0, bets: [bet('20', 7574)] }), { type: 'ack', count: 1 });

  // Leave the server a handful of descriptors, then take them all with idle connections: once it is out, the
  // server closes each new connection at once (libuv's EMFILE handling).
  const { stdout } = await promisify(execFile)('sh', ['-c', `ls /proc/${server.pid}/fd | wc -l`]);
  await promisify(execFile)('prlimit', [`--pid=${server.pid}`, `--nofile=${Number(stdout) + 8}`]);
  const flood: net.Socket[] = [];
  t.teardown(() => flood.forEach((s) => s.destroy()));
  for (let exhausted = false; !exhausted && flood.length < 100; ) {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => {});
    flood.push(socket);
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    // A connection the server could not accept is closed by it right away; one it accepted stays open.
    exhausted = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 100);
      socket.once('close', () => (clearTimeout(timer), resolve(true)));
    });
  }
  t.true(server.lines.length > 0 && flood.length < 100, 'the server ran out of descriptors');

  // The last agency finishes now: the record and the draw must not need a new descriptor.
  t.like(await request(agency2.conn, { type: 'finished', agency: 2, total: 1 }), { type: 'ack' });
  // Everything the draw reads was opened at start: it runs, and is answered, while the flood still holds every
  // descriptor.
  t.deepEqual(await request(agency2.conn, { type: 'winners_query', agency: 2 }), { type: 'winners', agency: 2, documents: ['20'] });
  flood.forEach((s) => s.destroy());
  t.deepEqual(await request(agency1.conn, { type: 'winners_query', agency: 1 }), { type: 'winners', agency: 1, documents: ['10'] });
  t.truthy(server.lines.find((l) => l.text.includes('action: sorteo | result: success')));
});
