import test from 'ava';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { binaryCodec, encodeFrame, fields, isCodecError, list, message, str16, type CodecErrorCode, type MessageOf } from '../index.js';
import { byteChunks, decodeChunks, fuzzDecoders, splits } from '../testing/index.js';

// A small test protocol that uses every wire type: integers, strings, a list of records, a list of lists, an empty
// message, and a message type with a tighter limit than the codec's.
const member = fields().str16('name').u8('flags');
const testTypes = [
  message(0x01, 'hello', fields().u16('room').str16('text')),
  message(0x02, 'roster', fields().u32('version').list('members', member)),
  message(0x03, 'groups', fields().list('groups', list(str16))),
  message(0x04, 'ping', fields()),
  message(0x05, 'upload', fields().str16('blob'), { maxFrameLength: 64 }),
] as const;
type TestMessage = MessageOf<(typeof testTypes)[number]>;
const codec = binaryCodec<TestMessage>('test', testTypes, { maxFrameLength: 1024 });

const hello: TestMessage = { type: 'hello', room: 7, text: 'Ñandú' };
const helloFrame = codec.encode(hello);

/** mqtt-packet's testParseGenerate: one fixture checks encode, frameSize, and decode at every split point. */
function fixture(name: string, value: TestMessage, bytes: number[]): void {
  const wire = Buffer.from(bytes);
  test(`${name}: encode gives the fixture bytes; frameSize is their length`, t => {
    t.deepEqual(codec.encode(value), wire);
    t.is(codec.frameSize(value), wire.length);
  });
  test(`${name}: the fixture bytes decode to the message, cut at every split point and 1 byte at a time`, async t => {
    for (const chunks of splits(wire)) {
      const { messages, error } = await decodeChunks<TestMessage>(codec.createDecoders(), chunks);
      t.is(error, undefined);
      t.deepEqual(messages, [value]);
    }
  });
}

fixture('hello', hello, [
  0, 0, 0, 12, // length prefix: 12 payload bytes
  0x01, // tag: hello
  0, 7, // room: 7
  0, 7, 0xc3, 0x91, 0x61, 0x6e, 0x64, 0xc3, 0xba, // text: 7 bytes of UTF-8, "Ñandú"
]);

fixture('roster', { type: 'roster', version: 0x01020304, members: [{ name: 'Belén', flags: 1 }, { name: '', flags: 255 }] }, [
  0, 0, 0, 19, // length prefix
  0x02, // tag: roster
  1, 2, 3, 4, // version: u32 big-endian
  0, 2, // members: count 2
  0, 6, 0x42, 0x65, 0x6c, 0xc3, 0xa9, 0x6e, // members[0].name: "Belén"
  1, // members[0].flags
  0, 0, // members[1].name: ""
  255, // members[1].flags
]);

fixture('groups', { type: 'groups', groups: [['a', 'b'], [], ['ñ']] }, [
  0, 0, 0, 19, // length prefix
  0x03, // tag: groups
  0, 3, // groups: count 3
  0, 2, 0, 1, 0x61, 0, 1, 0x62, // groups[0]: count 2, "a", "b"
  0, 0, // groups[1]: count 0
  0, 1, 0, 2, 0xc3, 0xb1, // groups[2]: count 1, "ñ"
]);

fixture('ping', { type: 'ping' }, [
  0, 0, 0, 1, // length prefix
  0x04, // tag: ping, no fields
]);

test('round trip: UTF-8 (accents, CJK, emoji) and nested lists', t => {
  const messages: TestMessage[] = [
    { type: 'hello', room: 0xffff, text: 'José María Saldaña · 北京 · 🎲' },
    { type: 'roster', version: 0xffff_ffff, members: Array.from({ length: 20 }, (_, i) => ({ name: `Ñ${i}`, flags: i })) },
    { type: 'groups', groups: [[], ['🎲', ''], ['x'.repeat(100)]] },
    // A leading U+FEFF is content: a BOM-stripping decoder would lose it.
    { type: 'hello', room: 1, text: '\uFEFFbom' },
    { type: 'upload', blob: 'x'.repeat(61) },
  ];
  for (const value of messages) {
    const bytes = codec.encode(value);
    t.is(codec.frameSize(value), bytes.length);
    t.deepEqual(codec.decodeFrame(bytes.subarray(4)), value);
  }
});

const payloadErrors: Array<{ name: string; payload: number[]; code: CodecErrorCode; message: RegExp }> = [
  { name: 'a byte after the last field', payload: [0x01, 0, 7, 0, 1, 0x61, 0x00], code: 'ERR_TRAILING_BYTES', message: /hello message: 1 trailing bytes/ },
  { name: 'bytes after an empty message', payload: [0x04, 0xff, 0xff], code: 'ERR_TRAILING_BYTES', message: /ping message: 2 trailing bytes/ },
  { name: 'a frame shorter than its fields', payload: [0x01, 0, 7, 0], code: 'ERR_MALFORMED', message: /hello message: 3 bytes are shorter than its fields/ },
  { name: 'a tag and nothing else', payload: [0x02], code: 'ERR_MALFORMED', message: /roster message/ },
  { name: 'a list count past the end', payload: [0x02, 0, 0, 0, 1, 0, 2, 0, 0, 1], code: 'ERR_MALFORMED', message: /roster message/ },
  // binary-parser alone returns "ab" here: the string's length prefix says 5.
  { name: 'a str16 whose length runs past the end', payload: [0x01, 0, 7, 0, 5, 0x61, 0x62], code: 'ERR_MALFORMED', message: /hello text: its length of 5 bytes runs 3 bytes past the end/ },
  { name: 'a str16 in a nested list running past the end', payload: [0x03, 0, 1, 0, 1, 0, 9, 0x61], code: 'ERR_MALFORMED', message: /groups groups\[\]\[\]: its length of 9 bytes/ },
  // "ñ" is c3 b1: cut after its first byte. binary-parser alone decodes U+FFFD.
  { name: 'a cut UTF-8 character', payload: [0x01, 0, 7, 0, 1, 0xc3], code: 'ERR_INVALID_UTF8', message: /hello text is not valid UTF-8/ },
  { name: 'an overlong UTF-8 encoding', payload: [0x01, 0, 7, 0, 2, 0xc0, 0xaf], code: 'ERR_INVALID_UTF8', message: /hello text/ },
  { name: 'an empty frame', payload: [], code: 'ERR_MALFORMED', message: /empty frame has no type tag/ },
  { name: 'an unknown tag', payload: [0x7f, 1, 2], code: 'ERR_UNKNOWN_TYPE', message: /unknown type tag 0x7f in a 3-byte frame/ },
  { name: 'an upload over its own 64-byte limit', payload: [0x05, 0, 62, ...Buffer.alloc(62, 0x61)], code: 'ERR_FRAME_TOO_LONG', message: /upload frame of 65 bytes exceeds the maximum of 64 bytes/ },
];

for (const { name, payload, code, message: expected } of payloadErrors) {
  test(`exact decoding: ${name} is ${code}, also after a good frame in a stream`, async t => {
    const error = t.throws(() => codec.decodeFrame(Buffer.from(payload)));
    t.true(isCodecError(error, code), `${error?.name}: ${error?.message}`);
    t.regex(error!.message, /^test: /);
    t.regex(error!.message, expected);
    const { messages, error: streamed } = await decodeChunks<TestMessage>(codec.createDecoders(), byteChunks(Buffer.concat([helloFrame, encodeFrame(Buffer.from(payload))])));
    t.deepEqual(messages, [hello]);
    t.true(isCodecError(streamed, code));
  });
}

test('a frame over the codec maximum is refused by the frame decoder, from its prefix', async t => {
  const { messages, error } = await decodeChunks<TestMessage>(codec.createDecoders(), [helloFrame, Buffer.from([0, 0, 4, 1])]);
  t.deepEqual(messages, [hello]);
  t.true(isCodecError(error, 'ERR_FRAME_TOO_LONG'));
  t.regex(error!.message, /1025 exceeds the maximum of 1024/);
});

test('encode refuses a frame over the codec maximum before writing it (regression: an 80,009-byte frame went out with a 65,536 limit)', t => {
  const limited = binaryCodec<TestMessage>('test', testTypes, { maxFrameLength: 65_536 });
  const name = 'x'.repeat(39_996);
  const large: TestMessage = { type: 'roster', version: 1, members: [{ name, flags: 0 }, { name, flags: 0 }] };
  t.is(limited.frameSize(large), 80_009);
  const error = t.throws(() => limited.encode(large));
  t.true(isCodecError(error, 'ERR_FRAME_TOO_LONG'));
  t.is(error!.message, 'test: roster frame of 80005 bytes exceeds the maximum of 65536 bytes');
  const atLimit: TestMessage = { type: 'roster', version: 1, members: [{ name: 'x'.repeat(65_536 - 10), flags: 0 }] };
  t.is(limited.encode(atLimit).length, 4 + 65_536);
});

test("encode refuses a frame over its message type's maximum", t => {
  t.is(codec.encode({ type: 'upload', blob: 'x'.repeat(61) }).length, 4 + 64);
  const error = t.throws(() => codec.encode({ type: 'upload', blob: 'x'.repeat(62) }));
  t.true(isCodecError(error, 'ERR_FRAME_TOO_LONG'));
  t.is(error!.message, 'test: upload frame of 65 bytes exceeds the maximum of 64 bytes');
});

test('encode refuses values the wire cannot carry with ERR_ENCODE naming the field path', t => {
  const cases: Array<[unknown, RegExp]> = [
    [{ type: 'hello', room: 70_000, text: 'x' }, /^hello room must be an integer from 0 to 65535, got 70000$/],
    [{ type: 'hello', room: -1, text: 'x' }, /^hello room must be an integer from 0 to 65535, got -1$/],
    [{ type: 'hello', room: 1.5, text: 'x' }, /^hello room must be an integer/],
    [{ type: 'hello', room: 1, text: 42 }, /^hello text must be a string, got number$/],
    [{ type: 'hello', room: 1 }, /^hello text must be a string, got undefined$/],
    [{ type: 'roster', version: 2 ** 32, members: [] }, /^roster version must be an integer from 0 to 4294967295/],
    [{ type: 'roster', version: 1, members: [{ name: 'a', flags: 256 }] }, /^roster members\[\]\.flags must be an integer from 0 to 255, got 256$/],
    [{ type: 'roster', version: 1, members: [null] }, /^roster members\[\] must be an object, got null$/],
    [{ type: 'roster', version: 1, members: 'none' }, /^roster members must be an array, got string$/],
    [{ type: 'groups', groups: [['a', 5]] }, /^groups groups\[\]\[\] must be a string, got number$/],
    [{ type: 'nope' }, /^test: no message type "nope"$/],
  ];
  for (const [value, expected] of cases) {
    const error = t.throws(() => codec.encode(value as TestMessage));
    t.true(isCodecError(error, 'ERR_ENCODE'), `${error?.name}: ${error?.message}`);
    t.regex(error!.message, expected);
  }
  // Under a codec that takes them, the length prefixes themselves overflow.
  const wide = binaryCodec<TestMessage>('test', testTypes, { maxFrameLength: 1 << 20 });
  const longText: TestMessage = { type: 'hello', room: 1, text: 'é'.repeat(40_000) };
  t.regex(t.throws(() => wide.encode(longText))!.message, /^hello text is 80000 bytes of UTF-8, over the u16 limit of 65535$/);
  const tooMany: TestMessage = { type: 'roster', version: 1, members: Array.from({ length: 0x1_0000 }, () => ({ name: '', flags: 0 })) };
  t.regex(t.throws(() => wide.encode(tooMany))!.message, /^roster members count must be an integer from 0 to 65535, got 65536$/);
});

test('definitions are checked once, when declared: a field named "type", duplicate fields, tags or type names', t => {
  t.throws(() => message(0x09, 'bad', fields().u8('type')), { message: /bad: a field cannot be called "type"/ });
  t.throws(() => message(0x09, 'bad', fields().u8('__end')), { message: /cannot be called "__end"/ });
  t.throws(() => fields().u8('a').str16('a'), { message: /field a is declared twice/ });
  t.throws(() => message(256, 'bad', fields()), { instanceOf: RangeError });
  const a = message(0x01, 'a', fields());
  const b = message(0x01, 'b', fields());
  t.throws(() => binaryCodec<MessageOf<typeof a | typeof b>>('dup', [a, b], { maxFrameLength: 16 }), { message: /dup: type tag 1 is used twice/ });
  t.throws(() => binaryCodec('dup', [a, message(0x02, 'a', fields())], { maxFrameLength: 16 }), { message: /dup: message type a is defined twice/ });
  // A record nested in a message may have a field called "type": only the message's own fields hold the tag's name.
  t.notThrows(() => message(0x09, 'ok', fields().field('inner', fields().u8('type'))));
});

// Decoded messages are plain objects; fast-check's records have a null prototype unless told otherwise.
const record = <T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }) => fc.record(model, { noNullPrototype: true });
const text = fc.string({ unit: 'binary', maxLength: 12 });
const arbitraryMessage: fc.Arbitrary<TestMessage> = fc.oneof(
  record({ type: fc.constant('hello' as const), room: fc.integer({ min: 0, max: 0xffff }), text }),
  record({
    type: fc.constant('roster' as const),
    version: fc.integer({ min: 0, max: 0xffff_ffff }),
    members: fc.array(record({ name: text, flags: fc.integer({ min: 0, max: 0xff }) }), { maxLength: 5 }),
  }),
  record({ type: fc.constant('groups' as const), groups: fc.array(fc.array(text, { maxLength: 4 }), { maxLength: 4 }) }),
  fc.constant({ type: 'ping' as const }),
  record({ type: fc.constant('upload' as const), blob: fc.string({ unit: 'binary-ascii', maxLength: 61 }) }),
);

test('property: any messages of the test protocol, in any chunking, round-trip; frameSize is exact', async t => {
  await t.notThrowsAsync(
    fc.assert(
      fc.asyncProperty(fc.array(arbitraryMessage, { maxLength: 6 }), fc.integer({ min: 1, max: 64 }), async (messages, chunkBytes) => {
        const frames = messages.map(value => codec.encode(value));
        if (!frames.every((frame, i) => frame.length === codec.frameSize(messages[i]!))) return false;
        if (!messages.every((value, i) => isDeepStrictEqual(codec.decodeFrame(frames[i]!.subarray(4)), value))) return false;
        const bytes = Buffer.concat(frames);
        const chunks: Buffer[] = [];
        for (let at = 0; at < bytes.length; at += chunkBytes) chunks.push(bytes.subarray(at, at + chunkBytes));
        const decoded = await decodeChunks<TestMessage>(codec.createDecoders(), chunks);
        return decoded.error === undefined && isDeepStrictEqual(decoded.messages, messages);
      }),
      { numRuns: 300 },
    ),
  );
});

// str16 reads ASCII as a substring of the payload's latin1 text and anything else with Buffer's UTF-8 decoding,
// falling back to the strict TextDecoder only on U+FFFD: on any bytes, it must agree with that strict decoder.
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const trickyByte = fc.oneof(fc.constantFrom(0x61, 0xc3, 0xa9, 0xed, 0xa0, 0x80, 0xbf, 0xef, 0xbb, 0xbd, 0xf0, 0x9f, 0xf4, 0x90, 0xc0, 0xff), fc.integer({ min: 0, max: 0xff }));
const textBytes = fc.oneof(
  fc.array(trickyByte, { maxLength: 16 }).map(bytes => Buffer.from(bytes)),
  fc.string({ unit: 'binary', maxLength: 12 }).map(value => Buffer.from(value)),
);

test('property: a str16 decodes any bytes as a strict TextDecoder does, and is ERR_INVALID_UTF8 where it throws', t => {
  fc.assert(
    fc.property(textBytes, bytes => {
      const payload = Buffer.concat([Buffer.from([0x01, 0, 7, bytes.length >> 8, bytes.length & 0xff]), bytes]);
      let expected: string | undefined;
      try {
        expected = strict.decode(bytes);
      } catch {
        expected = undefined;
      }
      if (expected === undefined) {
        const error = t.throws(() => codec.decodeFrame(payload));
        return isCodecError(error, 'ERR_INVALID_UTF8') && /hello text is not valid UTF-8/.test(error.message);
      }
      return isDeepStrictEqual(codec.decodeFrame(payload), { type: 'hello', room: 7, text: expected });
    }),
    { numRuns: 3000 },
  );
  t.pass();
});

test('property: str16 encodes any UTF-16 string (lone surrogates too, short and long) as Buffer.from does', t => {
  const wide = binaryCodec<TestMessage>('test', testTypes, { maxFrameLength: 1 << 20 });
  const unit = fc.oneof(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0, max: 0xffff })).map(code => String.fromCharCode(code));
  fc.assert(
    fc.property(fc.string({ unit, maxLength: 90 }), text => {
      const expected = Buffer.from(text, 'utf8');
      const frame = wide.encode({ type: 'hello', room: 1, text });
      return frame.subarray(9).equals(expected) && frame.readUInt16BE(7) === expected.length && wide.frameSize({ type: 'hello', room: 1, text }) === frame.length;
    }),
    { numRuns: 3000 },
  );
  t.pass();
});

test('round trip: a payload over 64 KiB, whose strings are sliced one by one', t => {
  const wide = binaryCodec<TestMessage>('test', testTypes, { maxFrameLength: 1 << 20 });
  const value: TestMessage = { type: 'groups', groups: [Array.from({ length: 2000 }, (_, i) => `${i}`.padStart(40, 'x')), ['Ñandú', '', 'a']] };
  const frame = wide.encode(value);
  t.true(frame.length > 1 << 16);
  t.deepEqual(wide.decodeFrame(frame.subarray(4)), value);
});

test('fuzz: 20,000 random inputs end in messages or a CodecError, never anything else', async t => {
  const report = await fuzzDecoders(codec, { runs: 20_000, seed: 1234, tags: [0x01, 0x02, 0x03, 0x04, 0x05, 0x7f] });
  t.log(report);
  t.is(report.runs, 20_000);
  t.true(report.messages > 0, 'some random payloads decode');
  for (const code of ['ERR_MALFORMED', 'ERR_TRAILING_BYTES', 'ERR_UNKNOWN_TYPE', 'ERR_FRAME_TOO_LONG', 'ERR_UNEXPECTED_EOF']) {
    t.true((report.errors[code] ?? 0) > 0, `${code} was reached`);
  }
});

test('decode: one message from exactly its frame, the inverse of encode; anything but one whole frame is refused', t => {
  t.deepEqual(codec.decode(helloFrame), hello);
  t.deepEqual(codec.decode(new Uint8Array(helloFrame)), hello);
  const cases: Array<[Buffer, CodecErrorCode, RegExp]> = [
    [helloFrame.subarray(0, 3), 'ERR_MALFORMED', /^test: a 3-byte frame is shorter than its length prefix$/],
    [helloFrame.subarray(0, -1), 'ERR_MALFORMED', /^test: the length prefix says 12 bytes, the frame holds 11$/],
    [Buffer.concat([helloFrame, Buffer.of(0)]), 'ERR_TRAILING_BYTES', /^test: 1 bytes after the 12-byte frame$/],
    [Buffer.from([0, 0, 4, 1]), 'ERR_FRAME_TOO_LONG', /^test: frame length 1025 exceeds the maximum of 1024 bytes$/],
    [encodeFrame(Buffer.from([0x7f])), 'ERR_UNKNOWN_TYPE', /unknown type tag 0x7f/],
  ];
  for (const [bytes, code, expected] of cases) {
    const error = t.throws(() => codec.decode(bytes));
    t.true(isCodecError(error, code), error?.message);
    t.regex(error!.message, expected);
  }
});
