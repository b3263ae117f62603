import test from 'ava';
import { once } from 'node:events';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeFrame, fields, headerProtocol, isCodecError, lineCodec, message, protocol, RequestClient, route, serve, serveProtocols, serveRoutes, serveSocket, type Codec, type Handler, type InOf, type OutOf, type ServeOptions, type SessionEnd, type RequestOf, type ResponseOf } from '../index.js';
import { connectLocal, decodeChunks, readUntilClosed, serveLocal } from '../testing/index.js';

const calc = protocol('calc', {
  requests: [message(0x01, 'double', fields().i32('n')), message(0x02, 'wait', fields().u16('ms'))],
  responses: [message(0x81, 'result', fields().i32('n')), message(0x82, 'error', fields().str16('reason'))],
}, { maxFrameLength: 64 });
type Request = RequestOf<typeof calc>;
type Response = ResponseOf<typeof calc>;

const handler: Handler<Request, Response> = async request => {
  if (request.type === 'wait') await sleep(request.ms);
  if (request.type === 'double') {
    if (request.n === 13) throw new Error('unlucky');
    return { type: 'result', n: request.n * 2 };
  }
  return { type: 'result', n: -1 };
};

/** The handler served on a free port, stopped at teardown. */
async function start<C extends Codec<any, any>>(t: { teardown(fn: () => unknown): void }, codec: C, handle: Handler<InOf<C>, OutOf<C>>, options: ServeOptions<InOf<C>, OutOf<C>> = {}) {
  const loopback = await serveLocal(codec, handle, options);
  t.teardown(() => loopback.close());
  return loopback;
}

const onDecodeError: ServeOptions<Request, Response>['onDecodeError'] = error => ({ type: 'error', reason: error.code });

test('serve + RequestClient: 200 pipelined requests get their replies in order; the session ends "done"', async t => {
  const { port, ends, nextEnd } = await start(t, calc.server, handler);
  const client = await RequestClient.connect(calc.client, { port, timeout: 5000 });
  const replies = await Promise.all(Array.from({ length: 200 }, (_, n) => client.request({ type: 'double', n: 3 * n - 300 })));
  t.deepEqual(replies, Array.from({ length: 200 }, (_, n) => ({ type: 'result', n: 2 * (3 * n - 300) })));
  const end = nextEnd();
  await client.close();
  await end;
  t.deepEqual(ends, [{ reason: 'done' }]);
});

test('garbage after good requests: the good ones are answered, then the decode error with the protocol\'s own message, then the close', async t => {
  const { port, ends, nextEnd } = await start(t, calc.server, handler, { onDecodeError });
  const socket = await connectLocal(port);
  const end = nextEnd();
  const received = readUntilClosed(socket);
  socket.write(Buffer.concat([calc.client.encode({ type: 'double', n: 4 }), encodeFrame(Buffer.from([0x7f, 1, 2, 3]))]));
  const { messages } = await decodeChunks(calc.client, [await received]);
  t.deepEqual(messages, [{ type: 'result', n: 8 }, { type: 'error', reason: 'ERR_UNKNOWN_TYPE' }]);
  await end;
  t.is(ends[0]?.reason, 'decode-error');
  t.true(isCodecError((ends[0] as { error: unknown }).error, 'ERR_UNKNOWN_TYPE'));
});

test('a length prefix over the limit is answered and closed before its payload is read; the server keeps serving', async t => {
  const { port } = await start(t, calc.server, handler, { onDecodeError });
  const socket = await connectLocal(port);
  socket.write(Buffer.from([0xff, 0xff, 0xff, 0xff]));
  const bytes = await readUntilClosed(socket);
  t.deepEqual(calc.client.decode(bytes), { type: 'error', reason: 'ERR_FRAME_TOO_LONG' });
  const client = await RequestClient.connect(calc.client, { port });
  t.deepEqual(await client.request({ type: 'double', n: 1 }), { type: 'result', n: 2 });
  await client.close();
});

test('a handler that throws closes its connection, is reported, and the process and other connections live on', async t => {
  const { port, ends, nextEnd } = await start(t, calc.server, handler);
  const other = await RequestClient.connect(calc.client, { port });
  const client = await RequestClient.connect(calc.client, { port });
  const end = nextEnd();
  const error = await t.throwsAsync(client.request({ type: 'double', n: 13 }));
  t.true(isCodecError(error, 'ERR_CONNECTION_CLOSED'), error?.message);
  await end;
  t.is(ends[0]?.reason, 'handler-error');
  t.is(((ends[0] as { error: Error }).error).message, 'unlucky');
  t.deepEqual(await other.request({ type: 'double', n: 5 }), { type: 'result', n: 10 });
  await other.close();
});

test('idle: a peer trickling bytes of a frame still times out (one clock, from the last whole message); it gets onIdle, then the close', async t => {
  const { port, ends, nextEnd } = await start(t, calc.server, handler, { idleTimeout: 300, onIdle: (): Response => ({ type: 'error', reason: 'idle' }) });
  const socket = await connectLocal(port);
  const received = readUntilClosed(socket);
  const end = nextEnd();
  const frame = calc.client.encode({ type: 'double', n: 1 });
  const started = Date.now();
  socket.write(frame);
  for (const byte of frame.subarray(0, 6)) {
    await sleep(100);
    if (!socket.destroyed) socket.write(Buffer.of(byte));
  }
  await end;
  const elapsed = Date.now() - started;
  const { messages } = await decodeChunks(calc.client, [await received]);
  t.deepEqual(messages, [{ type: 'result', n: 2 }, { type: 'error', reason: 'idle' }]);
  t.is(ends[0]?.reason, 'idle');
  t.true(elapsed >= 280 && elapsed < 2000, `closed after ${elapsed} ms`);
});

test('idle: a handler at work holds the clock (a 1,500 ms reply under a 500 ms idle timeout arrives)', async t => {
  const { port } = await start(t, calc.server, handler, { idleTimeout: 500 });
  const client = await RequestClient.connect(calc.client, { port });
  t.deepEqual(await client.request({ type: 'wait', ms: 1500 }), { type: 'result', n: -1 });
  await client.close();
});

test('RequestClient: a reply that does not come in time rejects with ERR_REQUEST_TIMEOUT, and so does every request behind it', async t => {
  const { port } = await start(t, calc.server, handler);
  const client = await RequestClient.connect(calc.client, { port });
  const slow = client.request({ type: 'wait', ms: 1000 }, { timeout: 100 });
  const behind = client.request({ type: 'double', n: 1 });
  const timedOut = await t.throwsAsync(slow);
  t.true(isCodecError(timedOut, 'ERR_REQUEST_TIMEOUT'));
  t.is(timedOut?.message, 'no reply to wait within 100 ms');
  t.true(isCodecError(await t.throwsAsync(behind), 'ERR_REQUEST_TIMEOUT'));
  t.true(isCodecError(await t.throwsAsync(client.request({ type: 'double', n: 1 })), 'ERR_REQUEST_TIMEOUT'));
});

test('RequestClient: a reply to nothing is ERR_UNEXPECTED_REPLY', async t => {
  // Two replies to the first request.
  const reply = calc.server.encode({ type: 'result', n: 0 });
  const server = net.createServer(socket => socket.once('data', () => socket.write(Buffer.concat([reply, reply]))));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => server.close());
  const client = await RequestClient.connect(calc.client, { port: (server.address() as net.AddressInfo).port });
  t.deepEqual(await client.request({ type: 'wait', ms: 1 }), { type: 'result', n: 0 });
  await sleep(50);
  const error = await t.throwsAsync(client.request({ type: 'wait', ms: 1 }));
  t.true(isCodecError(error, 'ERR_UNEXPECTED_REPLY'), error?.message);
});

test('serveProtocols: a header picks its route, anything else the fallback; a silent peer meets the same idle clock', async t => {
  const header = headerProtocol('calc', Buffer.from('CALC'), 1, calc.server);
  const echo = { name: 'echo', codec: lineCodec() };
  const server = net.createServer({ allowHalfOpen: true });
  const ends: SessionEnd[] = [];
  const served = serveProtocols(server, { candidates: [route(header, handler)], fallback: route(echo, (line: string) => line.toUpperCase()) }, { idleTimeout: 800, onEnd: end => ends.push(end) });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => served.close());
  const port = (server.address() as net.AddressInfo).port;

  const client = await RequestClient.connect(calc.client, { port, header: header.header });
  t.deepEqual(await client.request({ type: 'double', n: 21 }), { type: 'result', n: 42 });
  await client.close();

  const text = await connectLocal(port);
  const echoed = readUntilClosed(text);
  text.end('hola\n');
  t.is(String(await echoed), 'HOLA\n');

  const silent = await connectLocal(port);
  const started = Date.now();
  await readUntilClosed(silent);
  t.true(Date.now() - started >= 780);
  await sleep(20);
  t.true(ends.some(end => end.reason === 'idle'));
});

test('serveRoutes: a peer silent before the choice is reported idle to onEnd before its socket is destroyed', async t => {
  const header = headerProtocol('calc', Buffer.from('CALC'), 1, calc.server);
  const server = net.createServer({ allowHalfOpen: true });
  const heard: Array<{ reason: string; destroyed: boolean }> = [];
  const sessions: Array<Promise<SessionEnd>> = [];
  server.on('connection', socket =>
    sessions.push(serveRoutes(socket, { candidates: [route(header, handler)] }, { idleTimeout: 200, onEnd: end => void heard.push({ reason: end.reason, destroyed: socket.destroyed }) })),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => server.close());
  const silent = await connectLocal((server.address() as net.AddressInfo).port);
  t.is((await readUntilClosed(silent)).length, 0);
  t.like(await sessions[0], { reason: 'idle' });
  t.deepEqual(heard, [{ reason: 'idle', destroyed: false }]);
});

test('serveSocket on a socket the caller accepted: onStart hands over the connection, the end is resolved', async t => {
  const server = net.createServer({ allowHalfOpen: true });
  const sessions: Array<Promise<SessionEnd>> = [];
  let started = 0;
  server.on('connection', socket => sessions.push(serveSocket(socket, calc.server, handler, { onStart: () => void started++ })));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => server.close());
  const client = await RequestClient.connect(calc.client, { port: (server.address() as net.AddressInfo).port });
  t.deepEqual(await client.request({ type: 'double', n: 2 }), { type: 'result', n: 4 });
  await client.close();
  t.deepEqual(await sessions[0], { reason: 'done' });
  t.is(started, 1);
});
