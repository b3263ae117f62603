import test, { type ExecutionContext } from 'ava';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import type net from 'node:net';
import { join } from 'node:path';
import { Connection } from '@tp0/codec';
import { connectLocal, readUntilClosed } from '@tp0/codec/testing';
import { ErrorCode, lottery, LOTTERY_HEADER, type Bet, type LotteryResponse } from '@tp0/protocol';
import type { ServerConfig } from './config.js';
import { startServer } from './server.js';
import { decodeReplies, request, sampleBet, type LotteryClient } from './test/clients.js';
import { captureLogger, tempDir, until, type CapturedLogger } from './test/helpers.js';

// An agency is never locked out by its own dead connection: a reset or a FIN in every state of a session, and a
// newer connection taking the agency over from a live one, through the real server on 127.0.0.1.

interface Harness {
  readonly port: number;
  readonly logs: CapturedLogger;
  readonly betsFile: string;
  /** A lottery connection and its socket, to reset or half-close. */
  agency(): Promise<{ socket: net.Socket; conn: LotteryClient }>;
}

async function start(t: ExecutionContext, patch: Partial<ServerConfig> = {}): Promise<Harness> {
  const betsFile = join(await tempDir(t), 'bets.csv');
  const config: ServerConfig = {
    port: 0, ip: '127.0.0.1', listenBacklog: 16, loggingLevel: 'DEBUG', agencies: 2, betsFile, fsync: 'none',
    idleTimeout: 60_000, agencySecrets: new Map(), ...patch,
  };
  const logs = captureLogger('DEBUG');
  const server = await startServer(config, logs.log);
  const sockets: net.Socket[] = [];
  t.teardown(async () => {
    for (const s of sockets) s.destroy();
    await server.close();
  });
  return {
    port: server.port,
    logs,
    betsFile,
    agency: async () => {
      const socket = await connectLocal(server.port);
      socket.on('error', () => {});
      sockets.push(socket);
      socket.write(LOTTERY_HEADER);
      return { socket, conn: new Connection(socket, lottery.client) };
    },
  };
}

const bets = (agency: number, count: number): Bet[] =>
  Array.from({ length: count }, (_, i) => sampleBet(`${agency}000000${i}`, i % 3 === 0 ? 7574 : 1));
const winnersIn = (all: readonly Bet[]) => all.filter((b) => b.number === 7574).map((b) => b.document);
const storedDocuments = async (file: string) => (await readFile(file, 'utf8')).split('\r\n').slice(0, -1).map((row) => row.split(',')[3]);
const logged = (h: Harness, action: string, result: string, agencia: number) =>
  h.logs.parsed().find((l) => l.action === action && l.result === result && l.fields['agencia'] === String(agencia));

/** A new connection as `agency`: hello, then whatever of `all` is not stored yet, finished, and the winners query. */
async function resumeToWinners(h: Harness, agency: number, all: readonly Bet[]): Promise<LotteryResponse> {
  const { conn } = await h.agency();
  const resume = await request(conn, { type: 'hello', agency, secret: '' });
  if (resume.type !== 'resume') throw new Error(`hello answered ${JSON.stringify(resume)}`);
  if (resume.finished === 0) {
    if (resume.stored < all.length) {
      const ack = await request(conn, { type: 'bet_batch', agency, first: resume.stored, bets: all.slice(resume.stored) });
      if (ack.type !== 'ack') throw new Error(`batch answered ${JSON.stringify(ack)}`);
    }
    await request(conn, { type: 'finished', agency, total: all.length });
  }
  return request(conn, { type: 'winners_query', agency });
}

type Cut = 'reset' | 'fin';
const cut = (socket: net.Socket, how: Cut) => (how === 'reset' ? socket.resetAndDestroy() : socket.end());

/** The states of a session agency 1 can be cut in, each reached on `conn`. */
const states: Record<string, (h: Harness, conn: LotteryClient, all: readonly Bet[]) => Promise<void>> = {
  'before hello': async () => {},
  'mid-batch': async (_h, conn, all) => {
    // Sent and cut without waiting for the acks: the server may be writing them when the cut arrives.
    await conn.send({ type: 'bet_batch', agency: 1, first: 0, bets: all.slice(0, 4) });
    await conn.send({ type: 'bet_batch', agency: 1, first: 4, bets: all.slice(4) });
  },
  'while its winners query waits for the draw': async (h, conn, all) => {
    await request(conn, { type: 'bet_batch', agency: 1, first: 0, bets: all });
    await request(conn, { type: 'finished', agency: 1, total: all.length });
    await conn.send({ type: 'winners_query', agency: 1 });
    await until(() => logged(h, 'consulta_ganadores', 'in_progress', 1));
  },
  'while the draw happens (its last finished in flight)': async (h, conn, all) => {
    await request(conn, { type: 'bet_batch', agency: 1, first: 0, bets: all });
    await conn.send({ type: 'finished', agency: 1, total: all.length });
  },
};

for (const [state, reach] of Object.entries(states)) {
  for (const how of ['reset', 'fin'] as const) {
    test(`a ${how} ${state} leaves agency 1 free: it resumes on a new connection, nothing is stored twice, one draw, everyone's winners`, async (t) => {
      const h = await start(t);
      const one = bets(1, 10);
      const two = bets(2, 5);
      // Agency 2 finishes last in the draw state, first otherwise.
      const lastIsTwo = state.startsWith('while the draw');
      const agency2 = await h.agency();
      await request(agency2.conn, { type: 'bet_batch', agency: 2, first: 0, bets: two });
      if (!lastIsTwo) t.deepEqual(await request(agency2.conn, { type: 'finished', agency: 2, total: two.length }), { type: 'ack', count: 0 });

      const first = await h.agency();
      await request(first.conn, { type: 'hello', agency: 1, secret: '' }).then((r) => t.like(r, { type: 'resume' }));
      if (state === 'before hello') {
        // A connection that only sent the header holds nothing.
        const bare = await h.agency();
        cut(bare.socket, how);
        first.conn.destroy();
      } else {
        await reach(h, first.conn, one);
        cut(first.socket, how);
      }
      if (lastIsTwo) t.deepEqual(await request(agency2.conn, { type: 'finished', agency: 2, total: two.length }), { type: 'ack', count: 0 });

      t.deepEqual(await resumeToWinners(h, 1, one), { type: 'winners', agency: 1, documents: winnersIn(one) });
      t.deepEqual(await request(agency2.conn, { type: 'winners_query', agency: 2 }), { type: 'winners', agency: 2, documents: winnersIn(two) });
      t.deepEqual((await storedDocuments(h.betsFile)).sort(), [...one, ...two].map((b) => b.document).sort());
      t.is(h.logs.parsed().filter((l) => l.action === 'sorteo').length, 1);
      t.false(h.logs.parsed().some((l) => l.action === 'vincular_agencia' && l.result === 'fail'), 'never AGENCY_BUSY');
    });
  }
}

test('regression: a peer that half-closed (FIN) while its winners query waited kept its agency bound, and its reconnect got AGENCY_BUSY', async (t) => {
  const h = await start(t);
  const one = bets(1, 3);
  const ghost = await h.agency();
  await request(ghost.conn, { type: 'bet_batch', agency: 1, first: 0, bets: one });
  await request(ghost.conn, { type: 'finished', agency: 1, total: one.length });
  await ghost.conn.send({ type: 'winners_query', agency: 1 });
  await until(() => logged(h, 'consulta_ganadores', 'in_progress', 1));
  ghost.socket.end();
  await once(ghost.socket, 'finish');

  // The server keeps the half-closed connection (it may still read its winners): the hello takes the agency over.
  const { conn } = await h.agency();
  t.deepEqual(await request(conn, { type: 'hello', agency: 1, secret: '' }), { type: 'resume', agency: 1, stored: 3, finished: 1 });
  t.like(logged(h, 'tomar_agencia', 'success', 1), { fields: { ip: '127.0.0.1', anterior: '127.0.0.1' } });
  // The ghost is told, then closed; its query is dropped.
  t.like(await ghost.conn.receive(), { type: 'error', code: ErrorCode.SESSION_TAKEN_OVER });
  await until(() => (ghost.socket.closed ? true : undefined));

  const agency2 = await h.agency();
  await request(agency2.conn, { type: 'finished', agency: 2, total: 0 });
  t.deepEqual(await request(conn, { type: 'winners_query', agency: 1 }), { type: 'winners', agency: 1, documents: winnersIn(one) });
});

test('a half-closed peer (FIN) whose winners query waits still gets its winners at the draw, then the connection closes', async (t) => {
  const h = await start(t);
  const waiting = await h.agency();
  await request(waiting.conn, { type: 'finished', agency: 1, total: 0 });
  await waiting.conn.send({ type: 'winners_query', agency: 1 });
  await until(() => logged(h, 'consulta_ganadores', 'in_progress', 1));
  waiting.socket.end();
  const rest = readUntilClosed(waiting.socket);
  const agency2 = await h.agency();
  await request(agency2.conn, { type: 'bet_batch', agency: 2, first: 0, bets: bets(2, 1) });
  await request(agency2.conn, { type: 'finished', agency: 2, total: 1 });
  t.deepEqual(await waiting.conn.receive(), { type: 'winners', agency: 1, documents: [] });
  await rest;
  t.true(waiting.socket.closed);
});

test('a reset while the winners query waits releases the agency at once: a connection without hello may bind it', async (t) => {
  const h = await start(t);
  const waiting = await h.agency();
  await request(waiting.conn, { type: 'finished', agency: 1, total: 0 });
  await waiting.conn.send({ type: 'winners_query', agency: 1 });
  await until(() => logged(h, 'consulta_ganadores', 'in_progress', 1));
  waiting.socket.resetAndDestroy();
  // The server noticed the reset while it waited for the draw on that peer's behalf: the query stopped waiting.
  await until(() => logged(h, 'consulta_ganadores', 'fail', 1));
  const { conn } = await h.agency();
  const agency2 = await h.agency();
  await request(agency2.conn, { type: 'finished', agency: 2, total: 0 });
  // No hello, so no takeover: the agency was free.
  t.deepEqual(await request(conn, { type: 'winners_query', agency: 1 }), { type: 'winners', agency: 1, documents: [] });
  t.is(h.logs.parsed().filter((l) => l.action === 'tomar_agencia').length, 0);
});

test('takeover: a second live connection\'s hello takes the agency from the first, which gets SESSION_TAKEN_OVER and is closed; nothing stored twice', async (t) => {
  const h = await start(t, { fsync: 'batch' });
  const one = bets(1, 30);
  const old = await h.agency();
  t.like(await request(old.conn, { type: 'hello', agency: 1, secret: '' }), { type: 'resume', stored: 0 });
  t.deepEqual(await request(old.conn, { type: 'bet_batch', agency: 1, first: 0, bets: one.slice(0, 10) }), { type: 'ack', count: 10 });
  // A batch sent and not awaited: its write may be under way (fsync) when the new hello arrives.
  await old.conn.send({ type: 'bet_batch', agency: 1, first: 10, bets: one.slice(10, 20) });
  const oldReplies = readUntilClosed(old.socket);

  const fresh = await h.agency();
  const resume = await request(fresh.conn, { type: 'hello', agency: 1, secret: '' });
  t.like(resume, { type: 'resume', agency: 1, finished: 0 });
  const stored = (resume as { stored: number }).stored;
  t.true(stored === 10 || stored === 20, `resumed at ${stored}`);
  t.deepEqual(await storedDocuments(h.betsFile), one.slice(0, stored).map((b) => b.document), 'the resume count is what the file holds');

  // The old connection ends with SESSION_TAKEN_OVER (after the ack of its second batch, if that came first).
  const replies = await decodeReplies(await oldReplies);
  t.like(replies.at(-1), { type: 'error', code: ErrorCode.SESSION_TAKEN_OVER });
  t.regex((replies.at(-1) as { message: string }).message, /agency 1 was taken over by a newer connection/);
  t.true(old.socket.closed);
  t.like(logged(h, 'tomar_agencia', 'success', 1), { fields: { anterior: '127.0.0.1' } });

  // The new connection resends from its resume count; the old one can do nothing more for the agency.
  t.deepEqual(await request(fresh.conn, { type: 'bet_batch', agency: 1, first: stored, bets: one.slice(stored) }), { type: 'ack', count: 30 - stored });
  t.deepEqual(await request(fresh.conn, { type: 'finished', agency: 1, total: 30 }), { type: 'ack', count: 0 });
  t.deepEqual(await storedDocuments(h.betsFile), one.map((b) => b.document), 'every bet exactly once, in order');
});

test('takeover needs the proof a hello carries: with secrets, a wrong secret takes nothing; other messages still get AGENCY_BUSY', async (t) => {
  const h = await start(t, { agencySecrets: new Map([[1, 'alfa']]) });
  const holder = await h.agency();
  t.like(await request(holder.conn, { type: 'hello', agency: 1, secret: 'alfa' }), { type: 'resume' });
  const impostor = await h.agency();
  t.like(await request(impostor.conn, { type: 'hello', agency: 1, secret: 'beta' }), { type: 'error', code: ErrorCode.UNAUTHORIZED });
  const noHello = await h.agency();
  t.like(await request(noHello.conn, { type: 'hello', agency: 2, secret: '' }), { type: 'resume', agency: 2 });
  const other = await h.agency();
  const busy = await request(other.conn, { type: 'winners_query', agency: 2 });
  t.like(busy, { type: 'error', code: ErrorCode.AGENCY_BUSY });
  t.regex((busy as { message: string }).message, /a hello takes it over/);
  t.deepEqual(await request(holder.conn, { type: 'bet_batch', agency: 1, first: 0, bets: bets(1, 1) }), { type: 'ack', count: 1 }, 'the holder kept agency 1');
  t.is(h.logs.parsed().filter((l) => l.action === 'tomar_agencia').length, 0);
  // With the right secret, a newer connection takes agency 1 over.
  const newer = await h.agency();
  t.like(await request(newer.conn, { type: 'hello', agency: 1, secret: 'alfa' }), { type: 'resume', stored: 1 });
  t.like(await holder.conn.receive(), { type: 'error', code: ErrorCode.SESSION_TAKEN_OVER });
  await until(() => (holder.socket.closed ? true : undefined));
});
