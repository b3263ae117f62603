import test, { type ExecutionContext } from 'ava';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connectLocal, readUntilClosed } from '@tp0/codec/testing';
import { ErrorCode, LOTTERY_HEADER, type Bet, type LotteryResponse } from '@tp0/protocol';
import type { ServerConfig } from './config.js';
import { startServer, type RunningServer } from './server.js';
import { decodeReplies, lotteryClient, lotteryFrames, request, sampleBet, type LotteryClient } from './test/clients.js';
import { captureLogger, tempDir, untilAsync, type CapturedLogger } from './test/helpers.js';

// Resumable sessions, agency binding, state recovered after a restart, idle timeouts and agency secrets, each
// through the real server on 127.0.0.1 and its real files.

interface Harness {
  readonly server: RunningServer;
  readonly logs: CapturedLogger;
  readonly config: ServerConfig;
  client(): Promise<LotteryClient>;
}

async function start(t: ExecutionContext, patch: Partial<ServerConfig> = {}): Promise<Harness> {
  const betsFile = patch.betsFile ?? join(await tempDir(t), 'bets.csv');
  const config: ServerConfig = {
    port: 0, ip: '127.0.0.1', listenBacklog: 16, loggingLevel: 'INFO', agencies: 2, betsFile, fsync: 'none',
    idleTimeout: 60_000, agencySecrets: new Map(), ...patch,
  };
  const logs = captureLogger('INFO');
  const server = await startServer(config, logs.log);
  const clients: LotteryClient[] = [];
  let closed = false;
  t.teardown(async () => {
    for (const c of clients) c.destroy();
    if (!closed) await server.close();
  });
  return {
    server: { port: server.port, close: () => ((closed = true), server.close()) },
    logs,
    config,
    client: async () => {
      const conn = await lotteryClient(server.port);
      clients.push(conn);
      return conn;
    },
  };
}

const documentsIn = async (file: string) => (await readFile(file, 'utf8')).split('\r\n').slice(0, -1).map((row) => row.split(',')[3]);
const bets = (from: number, count: number, winner = -1): Bet[] =>
  Array.from({ length: count }, (_, i) => sampleBet(String(from + i).padStart(8, '0'), from + i === winner ? 7574 : 1));

test('hello tells an agency how far it got; a resent batch is acked but not stored again, an overlap stores only its tail', async (t) => {
  const h = await start(t);
  const conn = await h.client();
  t.deepEqual(await request(conn, { type: 'hello', agency: 1, secret: '' }), { type: 'resume', agency: 1, stored: 0, finished: 0 });
  t.deepEqual(await request(conn, { type: 'bet_batch', agency: 1, first: 0, bets: bets(0, 3) }), { type: 'ack', count: 3 });
  // The ack of that batch was "lost": the agency sends it again.
  t.deepEqual(await request(conn, { type: 'bet_batch', agency: 1, first: 0, bets: bets(0, 3) }), { type: 'ack', count: 3 });
  // A batch cut differently after a resume: bets 2..4, of which 2 is stored already.
  t.deepEqual(await request(conn, { type: 'bet_batch', agency: 1, first: 2, bets: bets(2, 3) }), { type: 'ack', count: 3 });
  t.deepEqual(await documentsIn(h.config.betsFile), bets(0, 5).map((b) => b.document));
  t.true(h.logs.parsed().some((l) => l.action === 'apuesta_repetida' && l.fields['cantidad'] === '3' && l.fields['primera'] === '0'));

  const gap = await request(conn, { type: 'bet_batch', agency: 1, first: 9, bets: bets(9, 1) });
  t.like(gap, { type: 'error', code: ErrorCode.OUT_OF_ORDER });
  t.regex((gap as { message: string }).message, /5 bets stored; a batch starting at bet 9 would leave a gap/);
  const short = await request(conn, { type: 'finished', agency: 1, total: 6 });
  t.like(short, { type: 'error', code: ErrorCode.OUT_OF_ORDER });
  t.regex((short as { message: string }).message, /says it sent 6 bets but 5 are stored/);
  t.deepEqual(await request(conn, { type: 'finished', agency: 1, total: 5 }), { type: 'ack', count: 0 });
  conn.destroy();

  const again = await h.client();
  t.deepEqual(await untilAsync(async () => {
    const reply = await request(again, { type: 'hello', agency: 1, secret: '' });
    return reply.type === 'resume' ? reply : undefined;
  }), { type: 'resume', agency: 1, stored: 5, finished: 1 });
  t.deepEqual(await documentsIn(h.config.betsFile), bets(0, 5).map((b) => b.document));
});

test('one connection per agency: a second one\'s messages other than hello get AGENCY_BUSY until the first closes; a bound connection cannot speak for another agency', async (t) => {
  const h = await start(t);
  const first = await h.client();
  t.like(await request(first, { type: 'hello', agency: 1, secret: '' }), { type: 'resume', stored: 0 });
  const second = await h.client();
  const busy = await request(second, { type: 'bet_batch', agency: 1, first: 0, bets: bets(0, 1) });
  t.like(busy, { type: 'error', code: ErrorCode.AGENCY_BUSY });
  t.regex((busy as { message: string }).message, /agency 1 is in use by another connection/);
  t.like(await request(second, { type: 'finished', agency: 1, total: 0 }), { type: 'error', code: ErrorCode.AGENCY_BUSY });
  const other = await request(first, { type: 'finished', agency: 2, total: 0 });
  t.like(other, { type: 'error', code: ErrorCode.WRONG_AGENCY });
  t.regex((other as { message: string }).message, /speaks for agency 1, not 2/);
  t.true(h.logs.parsed().some((l) => l.action === 'vincular_agencia' && l.result === 'fail' && l.fields['agencia'] === '1'));
  t.is(await readFile(h.config.betsFile, 'utf8'), '', 'nothing was stored for the impostor');

  first.destroy();
  // Once the server saw the first connection close, the agency is free again, also for a message that is not a hello.
  const bound = await untilAsync(async () => {
    const reply = await request(second, { type: 'bet_batch', agency: 1, first: 0, bets: bets(0, 1) });
    return reply.type === 'ack' ? reply : undefined;
  });
  t.deepEqual(bound, { type: 'ack', count: 1 });
});

test('after a restart the server knows each agency\'s stored bets and who finished, and the draw still happens once', async (t) => {
  const dir = await tempDir(t);
  const betsFile = join(dir, 'bets.csv');
  const before = await start(t, { betsFile });
  const one = await before.client();
  await request(one, { type: 'bet_batch', agency: 1, first: 0, bets: bets(0, 4, 2) });
  t.deepEqual(await request(one, { type: 'finished', agency: 1, total: 4 }), { type: 'ack', count: 0 });
  const two = await before.client();
  await request(two, { type: 'bet_batch', agency: 2, first: 0, bets: bets(100, 3, 101) });
  one.destroy();
  two.destroy();
  await before.server.close();
  t.is(await readFile(`${betsFile}.finished`, 'utf8'), '1,4\n');

  const after = await start(t, { betsFile });
  t.true(after.logs.lines().some((l) => l.includes('action: recuperar_estado | result: success | almacenadas: 1:4,2:3 | finalizadas: 1')));
  const agency2 = await after.client();
  t.deepEqual(await request(agency2, { type: 'hello', agency: 2, secret: '' }), { type: 'resume', agency: 2, stored: 3, finished: 0 });
  // Agency 2 lost the ack of its first batch and resends from where it believes it was, then the rest.
  t.deepEqual(await request(agency2, { type: 'bet_batch', agency: 2, first: 0, bets: bets(100, 5, 101) }), { type: 'ack', count: 5 });
  t.deepEqual(await request(agency2, { type: 'finished', agency: 2, total: 5 }), { type: 'ack', count: 0 });
  t.deepEqual(await request(agency2, { type: 'winners_query', agency: 2 }), { type: 'winners', agency: 2, documents: ['00000101'] });
  const agency1 = await after.client();
  t.deepEqual(await request(agency1, { type: 'hello', agency: 1, secret: '' }), { type: 'resume', agency: 1, stored: 4, finished: 1 });
  t.deepEqual(await request(agency1, { type: 'winners_query', agency: 1 }), { type: 'winners', agency: 1, documents: ['00000002'] });
  t.deepEqual(await documentsIn(betsFile), [...bets(0, 4), ...bets(100, 5)].map((b) => b.document));
  t.is(after.logs.parsed().filter((l) => l.action === 'sorteo').length, 1);
});

test('idle timeout: silent, stuck mid-frame and byte-dribbling connections are closed; a query waiting for the draw is not', async (t) => {
  const h = await start(t, { idleTimeout: 300 });
  const waiting = await h.client();
  t.deepEqual(await request(waiting, { type: 'finished', agency: 1, total: 0 }), { type: 'ack', count: 0 });
  const query = request(waiting, { type: 'winners_query', agency: 1 });

  // Silent before choosing a protocol, silent after the header, and a frame sent one byte every 50 ms.
  const silent = await connectLocal(h.server.port);
  const header = await connectLocal(h.server.port);
  header.write(LOTTERY_HEADER);
  const dribbler = await connectLocal(h.server.port);
  dribbler.write(LOTTERY_HEADER);
  const frame = lotteryFrames([{ type: 'bet_batch', agency: 2, first: 0, bets: bets(0, 50) }]);
  let sent = 0;
  const drip = setInterval(() => {
    if (!dribbler.destroyed && sent < frame.length) dribbler.write(frame.subarray(sent, ++sent));
  }, 50);
  t.teardown(() => clearInterval(drip));

  const [silentReply, headerReply, dribblerReply] = await Promise.all([silent, header, dribbler].map((s) => readUntilClosed(s)));
  t.is(silentReply.length, 0, 'no protocol chosen: the socket is just closed');
  for (const reply of [headerReply, dribblerReply]) {
    const replies: LotteryResponse[] = await decodeReplies(reply);
    t.like(replies, [{ type: 'error', code: ErrorCode.TIMEOUT }]);
  }
  t.true(sent < frame.length, 'the dribbled frame never completed');
  t.true(h.logs.parsed().filter((l) => l.action === 'timeout' && l.result === 'fail').length >= 3);

  // The waiting query outlived all of them; it is answered once agency 2 finishes.
  const agency2 = await h.client();
  t.deepEqual(await request(agency2, { type: 'finished', agency: 2, total: 0 }), { type: 'ack', count: 0 });
  t.deepEqual(await query, { type: 'winners', agency: 1, documents: [] });
});

test('agency secrets: without the right secret in a hello first, the agency is refused; with it, served', async (t) => {
  const h = await start(t, { agencySecrets: new Map([[1, 'alfa']]) });
  const noHello = await h.client();
  t.like(await request(noHello, { type: 'bet_batch', agency: 1, first: 0, bets: bets(0, 1) }), { type: 'error', code: ErrorCode.UNAUTHORIZED });
  t.like(await request(noHello, { type: 'hello', agency: 1, secret: 'beta' }), { type: 'error', code: ErrorCode.UNAUTHORIZED });
  const good = await h.client();
  t.deepEqual(await request(good, { type: 'hello', agency: 1, secret: 'alfa' }), { type: 'resume', agency: 1, stored: 0, finished: 0 });
  t.deepEqual(await request(good, { type: 'bet_batch', agency: 1, first: 0, bets: bets(0, 1) }), { type: 'ack', count: 1 });
  // Agency 2 has no secret: the course's flow is unchanged for it.
  const open = await h.client();
  t.deepEqual(await request(open, { type: 'bet_batch', agency: 2, first: 0, bets: bets(5, 1) }), { type: 'ack', count: 1 });
  t.deepEqual(await documentsIn(h.config.betsFile), ['00000000', '00000005']);
});

// Regression: a connection that never sent a byte was handed to the echo protocol after selectProtocol's 5 s, and the
// echo session started a second idle timer: it was closed at 5 s + IDLE_TIMEOUT instead of IDLE_TIMEOUT.
test('one idle timer per connection: a silent peer is closed IDLE_TIMEOUT after it connected, past the protocol choice', async (t) => {
  const idleTimeout = 5_500;
  const h = await start(t, { idleTimeout });
  const started = performance.now();
  const silent = await connectLocal(h.server.port);
  await readUntilClosed(silent, 3 * idleTimeout);
  const elapsed = performance.now() - started;
  t.true(elapsed >= idleTimeout - 50, `closed after ${Math.round(elapsed)} ms, before IDLE_TIMEOUT`);
  t.true(elapsed < idleTimeout + 2_000, `closed after ${Math.round(elapsed)} ms: a second timer ran after the protocol choice`);
  t.like(h.logs.parsed().find((l) => l.action === 'timeout'), { result: 'fail', fields: { idle_ms: String(idleTimeout) } });
});
