/**
 * Bad input end to end: invalid bets, garbage, oversize frames and silent peers against the built server,
 * next to real agency clients. Raw clients are built from @tp0/codec and @tp0/protocol only.
 */
import { once } from 'node:events';
import type net from 'node:net';
import path from 'node:path';
import test from 'ava';
import { connectLocal as connect, decodeChunks, readUntilClosed } from '@tp0/codec/testing';
import { ErrorCode, lottery, LOTTERY_HEADER, type Bet, type LotteryResponse } from '@tp0/protocol';
import { generateAgencyFiles } from './gen-data.js';
import { startClientProcess, startServerProcess } from './run/processes.js';
import { summarize } from './run/summary.js';
import { bet, rawLottery, request, storedByAgency, tempDir } from './test/helpers.js';

test('a batch with one invalid bet is refused whole and stores nothing; the connection then goes on', async (t) => {
  const dir = await tempDir(t);
  const betsFile = path.join(dir, 'bets.csv');
  const { child: server, port } = await startServerProcess({ dir, agencies: 1, betsFile });
  t.teardown(() => server.kill('SIGKILL'));
  const { conn } = await rawLottery(port);
  const invalid: Array<[string, Partial<Bet>]> = [
    ['impossible date', { birthdate: '1999-02-30' }],
    ['number over 9999', { number: 10_000 }],
    ['blank first name', { firstName: '  ' }],
    ['document with letters', { document: '12a45678' }],
  ];
  for (const [what, patch] of invalid) {
    const bets = [bet('10000001', 7574), bet('10000002', 1), bet('10000003', 2, patch), bet('10000004', 7574)];
    const reply = await request(conn, { type: 'bet_batch', agency: 1, first: 0, bets });
    t.like(reply, { type: 'error', code: ErrorCode.INVALID_BET }, what);
  }
  t.deepEqual(await request(conn, { type: 'bet_batch', agency: 1, first: 0, bets: [bet('20000001', 7574), bet('20000002', 5), bet('00000003', 7574)] }), {
    type: 'ack',
    count: 3,
  });
  t.deepEqual(await request(conn, { type: 'finished', agency: 1, total: 3 }), { type: 'ack', count: 0 });
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

/** Whether the peer closed `socket` (FIN or reset), as opposed to readUntilClosed giving up and destroying it. */
function closedByPeer(socket: net.Socket): boolean {
  return socket.readableEnded || socket.errored !== null;
}

/** The lottery messages in what a server sent. */
async function decodeReply(bytes: Buffer): Promise<LotteryResponse[]> {
  return (await decodeChunks<LotteryResponse>(lottery.client.createDecoders(), [bytes])).messages;
}

/** The code of each message, or its type when it is not an error reply. */
function errorCodes(messages: readonly LotteryResponse[]): Array<ErrorCode | string> {
  return messages.map((m) => (m.type === 'error' ? m.code : m.type));
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
  const unknownReply = readUntilClosed(unknownType, 30_000);
  unknownType.write(Buffer.concat([LOTTERY_HEADER, Buffer.from([0, 0, 0, 3, 0xee, 1, 2])]));
  const oversize = await connect(port);
  const oversizeReply = readUntilClosed(oversize, 30_000);
  oversize.write(Buffer.concat([LOTTERY_HEADER, Buffer.from([0x00, 0x10, 0x00, 0x00]), Buffer.alloc(1024, 0x41)]));
  const noise = await connect(port); // not the lottery header: the server falls back to echo
  noise.on('error', () => {});
  // Echo answers each line or, on a line that is not UTF-8, closes the connection.
  const noiseAnswered = Promise.race([once(noise, 'data').then(() => 'echoed lines'), once(noise, 'close').then(() => 'closed it')]);
  noise.write(Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) % 256)));
  for (const s of [silent, silentLottery, cutFrame]) s.on('error', () => {});

  const clients = inputFiles.map((dataFile, i) => startClientProcess({ id: i + 1, port, dataFile, dir, batch: 50 }));
  const exits = await Promise.all(clients.map((c) => c.exited));
  // The protocol errors were answered and those connections closed by the server.
  t.deepEqual(errorCodes(await decodeReply(await unknownReply)), [ErrorCode.MALFORMED], 'an unknown message type is malformed');
  t.true(closedByPeer(unknownType), 'the server closed the connection that sent an unknown type');
  t.deepEqual(errorCodes(await decodeReply(await oversizeReply)), [ErrorCode.FRAME_TOO_LARGE], 'a 1 MiB length prefix is refused');
  t.true(closedByPeer(oversize), 'the server closed the connection that announced an oversize frame');
  t.log(`noise: the server ${await noiseAnswered}`);

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
