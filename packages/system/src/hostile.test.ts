/**
 * Bad input end to end: invalid bets, garbage, oversize frames and silent peers against the built server,
 * next to real agency clients. Raw clients are built from @tp0/codec only.
 */
import type net from 'node:net';
import path from 'node:path';
import test from 'ava';
import { ErrorCode, LOTTERY_HEADER, type WireBet } from '@tp0/codec';
import { generateAgencyFiles } from './gen-data.js';
import { startClientProcess, startServerProcess } from './run/processes.js';
import { summarize } from './run/summary.js';
import { bet, connect, rawLottery, request, storedByAgency, tempDir } from './test/helpers.js';

test('a batch with one invalid bet is refused whole and stores nothing; the connection then goes on', async (t) => {
  const dir = await tempDir(t);
  const betsFile = path.join(dir, 'bets.csv');
  const { child: server, port } = await startServerProcess({ dir, agencies: 1, betsFile });
  t.teardown(() => server.kill('SIGKILL'));
  const { conn } = await rawLottery(port);
  const invalid: Array<[string, Partial<WireBet>]> = [
    ['impossible date', { birthdate: '1999-02-30' }],
    ['number over 9999', { number: 10_000 }],
    ['blank first name', { firstName: '  ' }],
    ['document with letters', { document: '12a45678' }],
  ];
  for (const [what, patch] of invalid) {
    const bets = [bet('10000001', 7574), bet('10000002', 1), bet('10000003', 2, patch), bet('10000004', 7574)];
    const reply = await request(conn, { type: 'bet_batch', agency: 1, bets });
    t.like(reply, { type: 'error', code: ErrorCode.INVALID_BET }, what);
  }
  t.deepEqual(await request(conn, { type: 'bet_batch', agency: 1, bets: [bet('20000001', 7574), bet('20000002', 5), bet('00000003', 7574)] }), {
    type: 'ack',
    count: 3,
  });
  t.deepEqual(await request(conn, { type: 'finished', agency: 1 }), { type: 'ack', count: 0 });
  t.deepEqual(await request(conn, { type: 'winners_query', agency: 1 }), { type: 'winners', agency: 1, documents: ['20000001', '00000003'] });
  await conn.close();
  server.kill('SIGTERM');
  t.is((await server.exited).code, 0);
  const stored = (await storedByAgency(betsFile)).get(1) ?? [];
  t.deepEqual(
    stored.map((row) => row[3]),
    ['20000001', '20000002', '00000003'],
  );
  t.is(server.lines.filter((l) => l.text.includes('action: apuesta_recibida | result: fail')).length, invalid.length);
});

/** Collects what the server sends and whether it ended the connection. */
function watch(socket: net.Socket): { bytes: () => Buffer; ended: Promise<boolean> } {
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.on('error', () => {});
  const ended = new Promise<boolean>((resolve) => {
    socket.once('end', () => resolve(true));
    socket.once('close', () => resolve(true));
  });
  return { bytes: () => Buffer.concat(chunks), ended };
}

test('garbage, an oversize frame, a cut frame and silent connections do not stop the agencies or the draw', async (t) => {
  const dir = await tempDir(t);
  const betsFile = path.join(dir, 'bets.csv');
  const inputFiles = generateAgencyFiles({ out: path.join(dir, 'data'), agencies: 3, bets: 1500, seed: 5, winnersPerAgency: 3 });
  const { child: server, port } = await startServerProcess({ dir, agencies: 3, betsFile });
  t.teardown(() => server.kill('SIGKILL'));

  const silent = await connect(port); // never sends a byte
  const silentLottery = await connect(port); // the header, then nothing
  silentLottery.write(LOTTERY_HEADER);
  const cutFrame = await connect(port); // a frame announcing 100 bytes, 10 sent, then silence
  cutFrame.write(Buffer.concat([LOTTERY_HEADER, Buffer.from([0, 0, 0, 100]), Buffer.alloc(10, 1)]));
  const unknownType = await connect(port);
  const unknownWatch = watch(unknownType);
  unknownType.write(Buffer.concat([LOTTERY_HEADER, Buffer.from([0, 0, 0, 3, 0xee, 1, 2])]));
  const oversize = await connect(port);
  const oversizeWatch = watch(oversize);
  oversize.write(Buffer.concat([LOTTERY_HEADER, Buffer.from([0x00, 0x10, 0x00, 0x00]), Buffer.alloc(1024, 0x41)]));
  const noise = await connect(port); // not the lottery header: the server falls back to echo
  const noiseWatch = watch(noise);
  noise.write(Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) % 256)));
  for (const s of [silent, silentLottery, cutFrame]) s.on('error', () => {});

  const clients = inputFiles.map((dataFile, i) => startClientProcess({ id: i + 1, port, dataFile, dir, batch: 50 }));
  const exits = await Promise.all(clients.map((c) => c.exited));
  // The protocol errors were answered and those connections closed by the server.
  t.true(await unknownWatch.ended);
  t.true(await oversizeWatch.ended);
  t.is(unknownWatch.bytes()[4], 4, 'an error message (type 4) came back'); // u32 length, then the type tag
  t.true(oversizeWatch.bytes().length > 0);
  t.true(noiseWatch.bytes().length > 0 || (await noiseWatch.ended));

  // The silent ones are still open when the server is told to stop: it must still exit 0.
  server.kill('SIGTERM');
  const serverExit = await server.exited;
  const summary = await summarize({
    inputFiles,
    betsFile,
    clients: clients.map((c, i) => ({ lines: c.lines.map((l) => l.text), exitCode: exits[i]!.code })),
    serverLines: server.lines.map((l) => l.text),
    serverExitCode: serverExit.code,
    elapsedMs: 0,
  });
  t.deepEqual(summary.problems, []);
  t.deepEqual(
    summary.rows.map((r) => r.reportedWinners),
    [3, 3, 3],
  );
  t.true(server.lines.some((l) => l.text.includes('action: protocol_error | result: fail')));
  for (const s of [silent, silentLottery, cutFrame, unknownType, oversize, noise]) s.destroy();
});
