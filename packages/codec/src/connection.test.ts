import test from 'ava';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { concatMap, from, lastValueFrom, toArray } from 'rxjs';
import { Connection, echoProtocol, isCodecError, lineCodec, LOTTERY_HEADER, lotteryCodec, lotteryProtocol, selectProtocol, type LotteryMessage } from './index.js';
import { socketPair } from './test/sockets.js';

test('send and receive typed messages over a real socket', async t => {
  const pair = await socketPair();
  t.teardown(pair.close);
  const server = new Connection(pair.server, lotteryCodec());
  const client = new Connection(pair.client, lotteryCodec({ maxFrameLength: 1 << 20 }));
  await client.send({ type: 'finished', agency: 3 });
  t.deepEqual(await server.receive(), { type: 'finished', agency: 3 });
  await server.send({ type: 'winners', agency: 3, documents: ['00000042'] });
  t.deepEqual(await client.receive(), { type: 'winners', agency: 3, documents: ['00000042'] });
});

test('handle runs an RxJS pipeline over the messages and completes at end of input', async t => {
  const pair = await socketPair();
  t.teardown(pair.close);
  const server = new Connection(pair.server, lineCodec());
  const replies = lastValueFrom(server.handle(line => from(server.send(line.toUpperCase()).then(() => line.length))).pipe(toArray()));
  pair.client.end('uno\ndos\ntres\n');
  t.deepEqual(await replies, [3, 3, 4]);
});

test('a slow handler pauses the socket: memory does not grow with what the peer sends', async t => {
  const pair = await socketPair();
  t.teardown(pair.close);
  const server = new Connection(pair.server, lotteryCodec());
  let handled = 0;
  const subscription = server.handle(() => sleep(50).then(() => handled++)).subscribe();
  t.teardown(() => subscription.unsubscribe());
  // 64 MiB of 1 KiB frames, far more than the kernel and stream buffers hold.
  const frame = lotteryCodec().encode({ type: 'error', code: 1, message: 'x'.repeat(1000) });
  let queued = 0;
  while (queued < 64 << 20 && pair.client.write(frame)) queued += frame.length;
  for (let i = 0; i < 20 && queued < 64 << 20; i++) {
    pair.client.write(frame);
    queued += frame.length;
  }
  await sleep(500);
  t.true(handled <= 12, `handled ${handled}`);
  // What the server read is bounded by stream high-water marks, not by what the client queued.
  t.true(pair.server.bytesRead < 4 << 20, `server read ${pair.server.bytesRead} bytes`);
  t.true(pair.client.writableLength > 0, 'the client is held back by TCP flow control');
});

test('a protocol error reaches the handler pipeline as an error, after the messages before it', async t => {
  const pair = await socketPair();
  t.teardown(pair.close);
  const server = new Connection(pair.server, lotteryCodec());
  const seen: LotteryMessage[] = [];
  const done = lastValueFrom(server.handle(async message => void seen.push(message)), { defaultValue: undefined });
  const client = new Connection(pair.client, lotteryCodec());
  await client.send({ type: 'finished', agency: 1 });
  await sleep(20);
  pair.client.write(Buffer.from([0, 0, 0, 2, 0x66, 0x66]));
  const error = await t.throwsAsync(done);
  t.true(isCodecError(error, 'ERR_UNKNOWN_TYPE'));
  t.deepEqual(seen, [{ type: 'finished', agency: 1 }]);
});

test('receive at end of input rejects with ERR_CONNECTION_CLOSED; send after close rejects with ERR_SOCKET_CLOSED', async t => {
  const pair = await socketPair();
  t.teardown(pair.close);
  const server = new Connection(pair.server, lineCodec());
  pair.client.end();
  t.true(isCodecError(await t.throwsAsync(server.receive()), 'ERR_CONNECTION_CLOSED'));
  await server.close();
  t.true(isCodecError(await t.throwsAsync(server.send('late')), 'ERR_SOCKET_CLOSED'));
});

test('a reset peer rejects a pending receive instead of leaving it hanging', async t => {
  const pair = await socketPair();
  t.teardown(pair.close);
  const server = new Connection(pair.server, lineCodec());
  const pending = server.receive();
  pair.client.resetAndDestroy();
  await t.throwsAsync(pending);
});

test('close flushes every pending write before ending (a large reply arrives whole)', async t => {
  const pair = await socketPair();
  t.teardown(pair.close);
  const server = new Connection(pair.server, lotteryCodec());
  const documents = Array.from({ length: 200_000 }, (_, i) => String(i).padStart(8, '0'));
  const sent = server.send({ type: 'winners', agency: 1, documents });
  const closed = server.close(10_000);
  const client = new Connection(pair.client, lotteryCodec({ maxFrameLength: 8 << 20 }));
  const reply = await client.receive();
  await sent;
  pair.client.end();
  await closed;
  t.is(reply.type === 'winners' ? reply.documents.length : 0, 200_000);
});

test('send waits for drain when the socket buffer is full', async t => {
  const pair = await socketPair();
  t.teardown(pair.close);
  pair.client.pause();
  const server = new Connection(pair.server, lineCodec(1 << 22));
  const line = 'x'.repeat(1 << 20);
  let resolved = 0;
  const sends = Array.from({ length: 64 }, () => server.send(line).then(() => resolved++));
  await sleep(200);
  t.true(resolved < 64, 'sends cannot all resolve while the peer reads nothing');
  pair.client.resume();
  pair.client.on('data', () => {});
  await Promise.all(sends);
  t.is(resolved, 64);
});

test('selectProtocol: the lottery header picks lottery, even split into 1-byte chunks', async t => {
  const pair = await socketPair();
  t.teardown(pair.close);
  const chosen = selectProtocol(pair.server, [lotteryProtocol], echoProtocol);
  const frame = lotteryCodec().encode({ type: 'winners_query', agency: 2 });
  for (const byte of Buffer.concat([LOTTERY_HEADER, frame])) {
    pair.client.write(Buffer.of(byte));
    await sleep(1);
  }
  const protocol = await chosen;
  t.is(protocol.name, 'lottery');
  t.deepEqual(await new Connection(pair.server, protocol.codec).receive(), { type: 'winners_query', agency: 2 });
});

test('selectProtocol: anything else falls back to echo, bytes intact, even a short line followed by EOF', async t => {
  for (const input of ['[CLIENT 1] Message N°1\n', 'T\n', 'TP']) {
    const pair = await socketPair();
    t.teardown(pair.close);
    const chosen = selectProtocol(pair.server, [lotteryProtocol], echoProtocol);
    pair.client.end(input);
    const protocol = await chosen;
    t.is(protocol.name, 'echo', input);
    t.is(await new Connection(pair.server, protocol.codec).receive(), input.replace('\n', ''));
  }
});

test('selectProtocol: a silent peer gets the fallback after the timeout', async t => {
  const pair = await socketPair();
  t.teardown(pair.close);
  const started = Date.now();
  t.is((await selectProtocol(pair.server, [lotteryProtocol], echoProtocol, { timeoutMs: 100 })).name, 'echo');
  t.true(Date.now() - started < 1000);
});

test('selectProtocol: a known magic with an unsupported version gets the supported header back and an error', async t => {
  const pair = await socketPair();
  t.teardown(pair.close);
  const chosen = selectProtocol(pair.server, [lotteryProtocol], echoProtocol);
  const reply = once(pair.client, 'data');
  pair.client.write(Buffer.from('TP0L\x09'));
  const error = await t.throwsAsync(chosen);
  t.true(isCodecError(error, 'ERR_UNSUPPORTED_VERSION'));
  t.regex(error!.message, /version 9 is not supported \(this side speaks version 1\)/);
  t.deepEqual((await reply)[0], LOTTERY_HEADER);
});

test('RxJS composition: concatMap over handled messages keeps order', async t => {
  const pair = await socketPair();
  t.teardown(pair.close);
  const server = new Connection(pair.server, lineCodec());
  const result = lastValueFrom(
    server
      .handle(line => [line])
      .pipe(
        concatMap(async line => {
          await sleep(Math.random() * 5);
          return line;
        }),
        toArray(),
      ),
  );
  pair.client.end(Array.from({ length: 50 }, (_, i) => `${i}\n`).join(''));
  t.deepEqual(await result, Array.from({ length: 50 }, (_, i) => `${i}`));
});
