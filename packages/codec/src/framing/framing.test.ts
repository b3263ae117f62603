import test from 'ava';
import fc from 'fast-check';
import { encodeFrame, FrameDecoder, isCodecError } from '../index.js';
import { decodeChunks, splits } from '../test/chunks.js';

const payloads = [Buffer.from('first'), Buffer.alloc(0), Buffer.from('Sánchez, Belén y Ñandú'), Buffer.alloc(300, 7)];
const stream = Buffer.concat(payloads.map(encodeFrame));

test('encodeFrame writes a u32 big-endian length prefix', t => {
  t.deepEqual([...encodeFrame(Buffer.from('abc'))], [0, 0, 0, 3, 0x61, 0x62, 0x63]);
});

test('the same byte stream cut at every split point, and in 1-byte chunks, gives the same frames', async t => {
  for (const chunks of splits(stream)) {
    const { messages, error } = await decodeChunks<Buffer>([new FrameDecoder({ maxFrameLength: 1024 })], chunks);
    t.is(error, undefined);
    t.deepEqual(messages, payloads);
  }
});

test('many frames in one chunk', async t => {
  const { messages } = await decodeChunks<Buffer>([new FrameDecoder({ maxFrameLength: 1024 })], [Buffer.concat([stream, stream])]);
  t.deepEqual(messages, [...payloads, ...payloads]);
});

test('emitted frames are copies: later input cannot overwrite them', async t => {
  const input = Buffer.concat([encodeFrame(Buffer.from('aaaa')), encodeFrame(Buffer.from('bbbb'))]);
  const { messages } = await decodeChunks<Buffer>([new FrameDecoder({ maxFrameLength: 16 })], [input]);
  input.fill(0);
  t.deepEqual(messages.map(String), ['aaaa', 'bbbb']);
});

test('a length over the maximum is an error naming length and limit, raised before the frame arrives', async t => {
  const decoder = new FrameDecoder({ maxFrameLength: 8188 });
  // Only the prefix of a 4 GiB frame: the error must come without waiting for (or allocating) the payload.
  const { messages, error } = await decodeChunks<Buffer>([decoder], [Buffer.from([0xff, 0xff, 0xff, 0xff])]);
  t.deepEqual(messages, []);
  t.true(isCodecError(error, 'ERR_FRAME_TOO_LONG'));
  t.regex(error!.message, /4294967295 exceeds the maximum of 8188/);
});

test('end of input inside a prefix or a payload is ERR_UNEXPECTED_EOF', async t => {
  for (const cut of [2, 7]) {
    const { error } = await decodeChunks<Buffer>([new FrameDecoder({ maxFrameLength: 1024 })], [stream.subarray(0, cut)]);
    t.true(isCodecError(error, 'ERR_UNEXPECTED_EOF'), `cut at ${cut}`);
  }
});

test('property: any payloads, any chunking, decode to the same payloads', async t => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 16 }), { minLength: 1 }), async (arrays, sizes) => {
      const bytes = Buffer.concat(arrays.map(encodeFrame));
      const chunks: Buffer[] = [];
      for (let at = 0, i = 0; at < bytes.length; i++) {
        const size = sizes[i % sizes.length]!;
        chunks.push(bytes.subarray(at, at + size));
        at += size;
      }
      const { messages, error } = await decodeChunks<Buffer>([new FrameDecoder({ maxFrameLength: 64 })], chunks);
      return error === undefined && messages.length === arrays.length && messages.every((m, i) => m.equals(arrays[i]!));
    }),
    { numRuns: 300 },
  );
  t.pass();
});
