import test from 'ava';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { concatMap, from, lastValueFrom, toArray } from 'rxjs';
import { binaryCodec, Connection, detectProtocol, encodeFrame, fields, headerProtocol, isCodecError, lineCodec, message, str16, type CodecErrorCode, type MessageOf, type Protocol } from './index.js';
import { readUntilClosed, socketPair } from './testing/index.js';

// A small test protocol: numbered notes, and a bulk message for large frames.
const noteTypes = [
  message(0x01, 'note', fields().u32('seq').str16('text')),
  message(0x02, 'bulk', fields().list('items', str16, 'u32')),
] as const;
type Note = MessageOf<(typeof noteTypes)[number]>;
const notes = (maxFrameLength = 256) => binaryCodec<Note>('notes', noteTypes, { maxFrameLength });
const note = (seq: number, text = `note ${seq}`): Note => ({ type: 'note', seq, text });

const NOTE_MAGIC = Buffer.from('NOTE');
const notesProtocol = headerProtocol('notes', NOTE_MAGIC, 1, notes());
const lineProtocol: Protocol<string> = { name: 'line', codec: lineCodec() };

test('send and receive typed messages over a real socket', async t => {
  const pair = await socketPair();
  t.teardown(pair.close);
  const server = new Connection(pair.server, notes());
  const client = new Connection(pair.client, notes(1 << 20));
  await client.send(note(3, 'Ñandú'));
  t.deepEqual(await server.receive(), note(3, 'Ñandú'));
  await server.send({ type: 'bulk', items: ['00000042', ''] });
  t.deepEqual(await client.receive(), { type: 'bulk', items: ['00000042', ''] });
  t.is(server.remoteAddress, '127.0.0.1');
});

test('handle runs an RxJS pipeline over the messages, replies in order, and completes at end of input', async t => {
  const pair = await socketPair();
  t.teardown(pair.close);
  const server = new Connection(pair.server, lineCodec());
  const replies = lastValueFrom(server.handle(line => from(server.send(line.toUpperCase()).then(() => line.length))).pipe(toArray()));
  const echoed = readUntilClosed(pair.client);
  pair.client.end('uno\ndos\ntres\n');
  t.deepEqual(await replies, [3, 3, 4]);
  await server.close();
  t.is((await echoed).toString(), 'UNO\nDOS\nTRES\n');
});

// The bad frame of each kind, sent right after 40 good ones.
const badInputs: Array<{ kind: string; bytes: Buffer; end?: boolean; code: CodecErrorCode }> = [
  { kind: 'an oversize frame', bytes: Buffer.from([0, 0, 1, 1, 0x01]), code: 'ERR_FRAME_TOO_LONG' },
  { kind: 'an unknown type', bytes: encodeFrame(Buffer.from([0x7f])), code: 'ERR_UNKNOWN_TYPE' },
  { kind: 'trailing bytes', bytes: encodeFrame(Buffer.concat([notes().encode(note(40)).subarray(4), Buffer.of(0)])), code: 'ERR_TRAILING_BYTES' },
  { kind: 'a short frame', bytes: encodeFrame(Buffer.from([0x01, 0, 0])), code: 'ERR_MALFORMED' },
  { kind: 'invalid UTF-8', bytes: encodeFrame(Buffer.from([0x01, 0, 0, 0, 40, 0, 1, 0xc3])), code: 'ERR_INVALID_UTF8' },
  { kind: 'EOF in the middle of a frame', bytes: notes().encode(note(40)).subarray(0, 9), end: true, code: 'ERR_UNEXPECTED_EOF' },
];

for (const { kind, bytes, end, code } of badInputs) {
  test(`regression: 40 frames then ${kind} in one write reach a slow handler in order, then ${code}`, async t => {
    const pair = await socketPair();
    t.teardown(pair.close);
    const server = new Connection(pair.server, notes());
    const handled: number[] = [];
    const done = lastValueFrom(
      server.handle(async message => {
        await sleep(1);
        if (message.type === 'note') handled.push(message.seq);
      }),
      { defaultValue: undefined },
    );
    const input = Buffer.concat([...Array.from({ length: 40 }, (_, seq) => notes().encode(note(seq))), bytes]);
    if (end) pair.client.end(input);
    else pair.client.write(input);
    const error = await t.throwsAsync(done);
    t.true(isCodecError(error, code), `${error?.name}: ${error?.message}`);
    t.deepEqual(handled, Array.from({ length: 40 }, (_, seq) => seq));
  });
}

test('1,000 pipelined sends add no listeners to the socket and raise no MaxListenersExceededWarning', async t => {
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);
  process.on('warning', onWarning);
  t.teardown(() => process.off('warning', onWarning));
  const pair = await socketPair();
  t.teardown(pair.close);
  const server = new Connection(pair.server, notes());
  const client = new Connection(pair.client, notes());
  const events = ['drain', 'error', 'close', 'finish', 'end', 'data'] as const;
  const listeners = () => events.map(event => pair.client.listenerCount(event));
  const before = listeners();
  const received = lastValueFrom(server.handle(message => [message.type === 'note' ? message.seq : -1]).pipe(toArray()));
  const sends = Array.from({ length: 1000 }, (_, seq) => client.send(note(seq, 'x'.repeat(200))));
  t.deepEqual(listeners(), before, 'while the sends are in flight');
  await Promise.all(sends);
  t.deepEqual(listeners(), before, 'after they resolved');
  pair.client.end();
  t.deepEqual(await received, Array.from({ length: 1000 }, (_, seq) => seq));
  t.deepEqual(
    warnings.map(warning => warning.name),
    [],
  );
});

test('a slow handler pauses the socket: what is read stays bounded while the peer writes 64 MiB', async t => {
  const pair = await socketPair();
  t.teardown(pair.close);
  const codec = notes(2048);
  const server = new Connection(pair.server, codec);
  let handled = 0;
  let tenHandled!: () => void;
  const reachedTen = new Promise<void>(resolve => (tenHandled = resolve));
  const subscription = server
    .handle(async () => {
      await sleep(30);
      if (++handled === 10) tenHandled();
    })
    .subscribe();
  t.teardown(() => subscription.unsubscribe());
  const frame = codec.encode(note(1, 'x'.repeat(1000)));
  pair.client.write(Buffer.alloc(Math.floor((64 << 20) / frame.length) * frame.length, frame));
  // 10 handled messages take 300 ms: ample time for an unbounded reader to take in all 64 MiB.
  await reachedTen;
  t.log(`after 10 handled: server read ${pair.server.bytesRead} bytes, the client still holds ${pair.client.writableLength}`);
  t.true(pair.server.bytesRead < 4 << 20, `server read ${pair.server.bytesRead} bytes`);
  t.true(pair.client.writableLength > 32 << 20, 'the client is held back by TCP flow control');
  t.true(server.messages.outstanding <= 16);
});

test('send refuses a message over the limit with ERR_FRAME_TOO_LONG and writes nothing of it', async t => {
  const pair = await socketPair();
  t.teardown(pair.close);
  const server = new Connection(pair.server, notes());
  const client = new Connection(pair.client, notes());
  const error = await t.throwsAsync(client.send({ type: 'bulk', items: ['x'.repeat(300)] }));
  t.true(isCodecError(error, 'ERR_FRAME_TOO_LONG'));
  t.is(pair.client.bytesWritten, 0);
  await client.send(note(1));
  t.deepEqual(await server.receive(), note(1), 'the first bytes the server sees are the next message');
});

test('receive at end of input rejects with ERR_CONNECTION_CLOSED; send after close rejects with ERR_SOCKET_CLOSED', async t => {
  const pair = await socketPair();
  t.teardown(pair.close);
  const server = new Connection(pair.server, lineCodec());
  pair.client.end('last\n');
  t.is(await server.receive(), 'last');
  t.true(isCodecError(await t.throwsAsync(server.receive()), 'ERR_CONNECTION_CLOSED'));
  await server.close();
  t.true(server.closed);
  t.true(isCodecError(await t.throwsAsync(server.send('late')), 'ERR_SOCKET_CLOSED'));
});

test('a reset peer rejects a pending receive instead of leaving it hanging', async t => {
  const pair = await socketPair();
  t.teardown(pair.close);
  const server = new Connection(pair.server, lineCodec());
  const pending = server.receive();
  pair.client.resetAndDestroy();
  const error = await t.throwsAsync(pending);
  t.is((error as NodeJS.ErrnoException).code, 'ECONNRESET');
});

test('close flushes every pending write before ending (a large reply arrives whole)', async t => {
  const pair = await socketPair();
  t.teardown(pair.close);
  const server = new Connection(pair.server, notes(8 << 20));
  const items = Array.from({ length: 200_000 }, (_, i) => String(i).padStart(8, '0'));
  const sent = server.send({ type: 'bulk', items });
  const closed = server.close(10_000);
  const client = new Connection(pair.client, notes(8 << 20));
  const reply = await client.receive();
  await sent;
  pair.client.end();
  await closed;
  t.deepEqual(reply, { type: 'bulk', items });
});

test('send resolves only once its bytes are handed to the kernel (a paused peer holds later sends back)', async t => {
  const pair = await socketPair();
  t.teardown(pair.close);
  pair.client.pause();
  const server = new Connection(pair.server, lineCodec(1 << 22));
  const line = 'x'.repeat(1 << 20);
  let resolved = 0;
  const sends = Array.from({ length: 64 }, () => server.send(line).then(() => resolved++));
  await sends[0];
  t.true(pair.server.writableLength > 0, '64 MiB do not fit in the kernel buffers');
  t.true(resolved < 64, `${resolved} sends resolved while the peer reads nothing`);
  pair.client.on('data', () => {});
  pair.client.resume();
  await Promise.all(sends);
  t.is(resolved, 64);
});

test('unsubscribing from handle early destroys the socket', async t => {
  const pair = await socketPair();
  t.teardown(pair.close);
  const server = new Connection(pair.server, lineCodec());
  const peerSaw = readUntilClosed(pair.client);
  const subscription = server.handle(line => [line]).subscribe();
  subscription.unsubscribe();
  await once(pair.server, 'close');
  t.true(server.closed);
  t.is((await peerSaw).length, 0);
  t.true(pair.client.closed);
});

test('RxJS composition: concatMap after handle keeps order', async t => {
  const pair = await socketPair();
  t.teardown(pair.close);
  const server = new Connection(pair.server, lineCodec());
  const result = lastValueFrom(
    server
      .handle(line => [line])
      .pipe(
        concatMap(async line => {
          await sleep(Number(line) % 3);
          return line;
        }),
        toArray(),
      ),
  );
  pair.client.end(Array.from({ length: 50 }, (_, i) => `${i}\n`).join(''));
  t.deepEqual(await result, Array.from({ length: 50 }, (_, i) => `${i}`));
});

test('detectProtocol: the header picks its protocol, even split into 1-byte chunks, and is not passed to the codec', async t => {
  const pair = await socketPair();
  t.teardown(pair.close);
  pair.client.setNoDelay(true);
  const chosen = detectProtocol(pair.server, [notesProtocol], lineProtocol);
  for (const byte of Buffer.concat([notesProtocol.header, notes().encode(note(2))])) {
    pair.client.write(Buffer.of(byte));
    await sleep(1);
  }
  const selection = await chosen;
  t.is(selection.protocol, notesProtocol);
  t.deepEqual(await new Connection(pair.server, notesProtocol.codec, { selection }).receive(), note(2));
});

test('detectProtocol: anything else goes to the fallback with every byte it read returned, even a short line or a header prefix followed by EOF', async t => {
  for (const input of ['[CLIENT 1] Message N°1\n', 'N\n', 'NO', 'NOTX\n']) {
    const pair = await socketPair();
    t.teardown(pair.close);
    const chosen = detectProtocol(pair.server, [notesProtocol], lineProtocol);
    pair.client.end(input);
    const selection = await chosen;
    t.is(selection.protocol, lineProtocol, input);
    t.is(await new Connection(pair.server, lineProtocol.codec, { selection }).receive(), input.replace('\n', ''), input);
  }
});

test('detectProtocol returns the bytes after the header; the Connection decodes them first', async t => {
  const pair = await socketPair();
  t.teardown(pair.close);
  const chosen = detectProtocol(pair.server, [notesProtocol], lineProtocol);
  pair.client.write(Buffer.concat([notesProtocol.header, notes().encode(note(1))]));
  const selection = await chosen;
  t.is(selection.protocol, notesProtocol);
  t.deepEqual(selection.head, notes().encode(note(1)));
  const connection = new Connection(pair.server, notesProtocol.codec, { selection });
  t.deepEqual(await connection.receive(), note(1));
  pair.client.write(notes().encode(note(2)));
  t.deepEqual(await connection.receive(), note(2));
});

test('detectProtocol without a fallback refuses unknown bytes with ERR_UNKNOWN_PROTOCOL', async t => {
  const pair = await socketPair();
  t.teardown(pair.close);
  const chosen = detectProtocol(pair.server, [notesProtocol]);
  pair.client.write('GET / HTTP/1.1\r\n');
  const error = await t.throwsAsync(chosen);
  t.true(isCodecError(error, 'ERR_UNKNOWN_PROTOCOL'));
  t.regex(error!.message, /expected notes, got 16 bytes that open no known protocol/);
});

test('detectProtocol without a fallback refuses a silent peer after the timeout with ERR_UNKNOWN_PROTOCOL', async t => {
  const pair = await socketPair();
  t.teardown(pair.close);
  const error = await t.throwsAsync(detectProtocol(pair.server, [notesProtocol], undefined, { timeoutMs: 50 }));
  t.true(isCodecError(error, 'ERR_UNKNOWN_PROTOCOL'));
  t.regex(error!.message, /got no bytes/);
});

test('detectProtocol: a silent peer gets the fallback after the timeout', async t => {
  const pair = await socketPair();
  t.teardown(pair.close);
  const started = Date.now();
  t.is((await detectProtocol(pair.server, [notesProtocol], lineProtocol, { timeoutMs: 50 })).protocol.name, 'line');
  t.true(Date.now() - started < 1000);
});

test('detectProtocol: a known magic with an unsupported version gets the supported header back and an error', async t => {
  const pair = await socketPair();
  t.teardown(pair.close);
  const chosen = detectProtocol(pair.server, [notesProtocol], lineProtocol);
  const reply = readUntilClosed(pair.client);
  pair.client.write(Buffer.concat([NOTE_MAGIC, Buffer.of(9)]));
  const error = await t.throwsAsync(chosen);
  t.true(isCodecError(error, 'ERR_UNSUPPORTED_VERSION'));
  t.regex(error!.message, /notes protocol version 9 is not supported \(this side speaks version 1\)/);
  t.deepEqual(await reply, Buffer.concat([NOTE_MAGIC, Buffer.of(1)]));
});
