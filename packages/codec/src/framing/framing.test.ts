import test from 'ava';
import { once } from 'node:events';
import fc from 'fast-check';
import { DecodeFailure, encodeFrame, FrameDecoder, isCodecError } from '../index.js';
import { byteChunks, decodeChunks, splits } from '../testing/index.js';

const payloads = [Buffer.from('first'), Buffer.alloc(0), Buffer.from('Sánchez, Belén y Ñandú'), Buffer.alloc(300, 7)];
const stream = Buffer.concat(payloads.map(encodeFrame));
const decoder = (maxFrameLength = 1024) => new FrameDecoder({ maxFrameLength });

test('encodeFrame writes a u32 big-endian length prefix', t => {
  t.deepEqual([...encodeFrame(Buffer.from('abc'))], [0, 0, 0, 3, 0x61, 0x62, 0x63]);
});

test('the same byte stream cut at every split point, and in 1-byte chunks, gives the same frames', async t => {
  let cuts = 0;
  for (const chunks of splits(stream)) {
    const { messages, error } = await decodeChunks<Buffer>([decoder()], chunks);
    t.is(error, undefined);
    t.deepEqual(messages, payloads);
    cuts++;
  }
  t.is(cuts, stream.length + 2);
});

test('many frames in one chunk', async t => {
  const { messages } = await decodeChunks<Buffer>([decoder()], [Buffer.concat([stream, stream])]);
  t.deepEqual(messages, [...payloads, ...payloads]);
});

test('emitted frames are copies: later input cannot overwrite them', async t => {
  const input = Buffer.concat([encodeFrame(Buffer.from('aaaa')), encodeFrame(Buffer.from('bbbb'))]);
  const { messages } = await decodeChunks<Buffer>([decoder(16)], [input]);
  input.fill(0);
  t.deepEqual(messages.map(String), ['aaaa', 'bbbb']);
});

test('with copy: false, whole frames are views of their chunk, and split frames still assemble at every split point', async t => {
  const views = () => new FrameDecoder({ maxFrameLength: 1024, copy: false });
  const { messages } = await decodeChunks<Buffer>([views()], [stream]);
  t.deepEqual(messages, payloads);
  t.true(messages.every(frame => frame.buffer === stream.buffer));
  for (const chunks of splits(stream)) {
    const { messages: split, error } = await decodeChunks<Buffer>([views()], chunks);
    t.is(error, undefined);
    t.deepEqual(split, payloads);
  }
});

test('a length over the maximum is refused as soon as the prefix is known, before any payload arrives', async t => {
  const frames = decoder(8188);
  // Only the prefix of a 4 GiB frame, and the input stays open: the error must not wait for the payload or EOF.
  for (const byte of [0xff, 0xff, 0xff, 0xff]) frames.write(Buffer.of(byte));
  await once(frames, 'readable');
  const failure = frames.read() as unknown;
  t.true(failure instanceof DecodeFailure);
  const { error } = failure as DecodeFailure;
  t.true(isCodecError(error, 'ERR_FRAME_TOO_LONG'));
  t.regex(error.message, /4294967295 exceeds the maximum of 8188/);
  t.false(frames.writableEnded);
});

test('a frame of exactly the maximum passes; one byte more does not, after the frames before it', async t => {
  const atLimit = encodeFrame(Buffer.alloc(16, 1));
  const over = encodeFrame(Buffer.alloc(17, 1));
  t.deepEqual((await decodeChunks<Buffer>([decoder(16)], [atLimit])).messages, [Buffer.alloc(16, 1)]);
  const { messages, error } = await decodeChunks<Buffer>([decoder(16)], byteChunks(Buffer.concat([atLimit, over])));
  t.deepEqual(messages, [Buffer.alloc(16, 1)]);
  t.true(isCodecError(error, 'ERR_FRAME_TOO_LONG'));
});

test('end of input inside a prefix, inside a payload, or right after a complete prefix is ERR_UNEXPECTED_EOF', async t => {
  const frame = encodeFrame(Buffer.from('payload'));
  const cases = [
    { cut: 2, where: 'inside the prefix', message: /after 2 bytes of a 4-byte length prefix/ },
    // Regression: the old decoder let EOF right after a complete prefix pass as a clean end.
    { cut: 4, where: 'right after the prefix', message: /after 0 bytes of a 7-byte frame/ },
    { cut: 9, where: 'inside the payload', message: /after 5 bytes of a 7-byte frame/ },
  ];
  for (const { cut, where, message } of cases) {
    const input = Buffer.concat([stream, frame.subarray(0, cut)]);
    for (const chunks of [[input], byteChunks(input)]) {
      const { messages, error } = await decodeChunks<Buffer>([decoder()], chunks);
      t.deepEqual(messages, payloads, where);
      t.true(isCodecError(error, 'ERR_UNEXPECTED_EOF'), where);
      t.regex(error!.message, message, where);
    }
  }
});

test('an empty frame at the very end is complete, not an EOF', async t => {
  const { messages, error } = await decodeChunks<Buffer>([decoder()], [encodeFrame(Buffer.alloc(0))]);
  t.is(error, undefined);
  t.deepEqual(messages, [Buffer.alloc(0)]);
});

test('property: any payloads, any chunking, decode to the same payloads', async t => {
  await t.notThrowsAsync(
    fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 16 }), { minLength: 1 }), async (arrays, sizes) => {
        const bytes = Buffer.concat(arrays.map(encodeFrame));
        const chunks: Buffer[] = [];
        for (let at = 0, i = 0; at < bytes.length; i++) {
          const size = sizes[i % sizes.length]!;
          chunks.push(bytes.subarray(at, at + size));
          at += size;
        }
        const { messages, error } = await decodeChunks<Buffer>([decoder(64)], chunks);
        return error === undefined && messages.length === arrays.length && messages.every((m, i) => m.equals(arrays[i]!));
      }),
      { numRuns: 300 },
    ),
  );
});
