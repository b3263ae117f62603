import test from 'ava';
import { once } from 'node:events';
import net from 'node:net';
import { binaryCodec, CodecError, DecoderStage, encodeFrame, fields, FrameDecoder, isCodecError, lineCodec, message, type Push } from '../index.js';
import { byteChunks, connectLocal, decodeChunks, fuzzDecoders, readUntilClosed, socketPair, splits } from './index.js';

test('splits yields every cut in two, then 1-byte chunks, each joining back to the input', t => {
  const bytes = Buffer.from('abc');
  const all = [...splits(bytes)];
  t.deepEqual(
    all.map(chunks => chunks.map(String)),
    [['', 'abc'], ['a', 'bc'], ['ab', 'c'], ['abc', ''], ['a', 'b', 'c']],
  );
  for (const chunks of all) t.deepEqual(Buffer.concat(chunks), bytes);
  t.deepEqual(byteChunks(Uint8Array.of(1, 2)), [Buffer.of(1), Buffer.of(2)]);
  t.deepEqual(byteChunks(new Uint8Array(0)), []);
});

test('splits and decodeChunks take a Uint8Array view into a larger buffer', async t => {
  const backing = Buffer.from('xxhi\nyy');
  const view = new Uint8Array(backing.buffer, backing.byteOffset + 2, 3);
  for (const chunks of splits(view)) t.deepEqual((await decodeChunks<string>(lineCodec().createDecoders(), chunks)).messages, ['hi']);
});

test('decodeChunks returns the messages, then the error that ended them', async t => {
  const stages = () => [new FrameDecoder({ maxFrameLength: 8 })];
  t.deepEqual(await decodeChunks<Buffer>(stages(), [encodeFrame(Buffer.from('ok'))]), { messages: [Buffer.from('ok')] });
  const { messages, error } = await decodeChunks<Buffer>(stages(), [encodeFrame(Buffer.from('ok')), encodeFrame(Buffer.alloc(9))]);
  t.deepEqual(messages, [Buffer.from('ok')]);
  t.true(isCodecError(error, 'ERR_FRAME_TOO_LONG'));
  t.deepEqual(await decodeChunks(stages(), []), { messages: [] });
});

test('fuzzDecoders counts messages and CodecError codes, the same for the same seed', async t => {
  const codec = binaryCodec('fuzzed', [message(0x01, 'one', fields().u8('value'))], { maxFrameLength: 16 });
  const report = await fuzzDecoders(codec, { runs: 500, seed: 3, tags: [0x01] });
  t.is(report.runs, 500);
  t.true(report.messages > 0);
  t.true(Object.keys(report.errors).length > 0);
  t.deepEqual(await fuzzDecoders(codec, { runs: 500, seed: 3, tags: [0x01] }), report);
});

/** A decoder with a bug: it fails with a TypeError on a 0x00 byte. */
class BuggyDecoder extends DecoderStage<Buffer, number> {
  constructor() {
    super({ objectInput: false });
  }

  protected override decode(chunk: Buffer, push: Push<number>): void {
    for (const byte of chunk) {
      if (byte === 0) throw new TypeError('cannot read properties of undefined');
      push(byte);
    }
  }
}

test('fuzzDecoders throws, naming seed, run and input, when a decoder fails with anything but a CodecError', async t => {
  const error = await t.throwsAsync(fuzzDecoders({ createDecoders: () => [new BuggyDecoder()] }, { runs: 200, seed: 9 }));
  t.regex(error!.message, /^fuzz seed 9, run \d+: input [0-9a-f]+ failed with TypeError, not a CodecError: cannot read properties of undefined$/);
  t.false(error instanceof CodecError);
});

test('socketPair connects a real client and server on 127.0.0.1; close destroys both', async t => {
  const pair = await socketPair();
  t.is(pair.server.remoteAddress, '127.0.0.1');
  t.is(pair.client.remotePort, pair.server.localPort);
  const received = once(pair.server, 'data');
  pair.client.write('ping');
  t.is(String((await received)[0]), 'ping');
  pair.close();
  await Promise.all([once(pair.client, 'close'), once(pair.server, 'close')]);
  t.true(pair.client.destroyed && pair.server.destroyed);
});

test('connectLocal connects to a port; readUntilClosed collects what arrives until the peer closes', async t => {
  const listener = net.createServer(socket => socket.end('hello, world'));
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  t.teardown(() => listener.close());
  const socket = await connectLocal((listener.address() as net.AddressInfo).port);
  t.is(String(await readUntilClosed(socket)), 'hello, world');
});

test('readUntilClosed gives up after its timeout with what arrived so far', async t => {
  const pair = await socketPair();
  t.teardown(pair.close);
  pair.server.write('partial');
  const started = Date.now();
  t.is(String(await readUntilClosed(pair.client, 100)), 'partial');
  t.true(Date.now() - started < 2000);
  t.true(pair.client.destroyed);
});
