import test from 'ava';
import fc from 'fast-check';
import {
  batchFrameSize,
  betWireSize,
  CodecError,
  encodeFrame,
  ErrorCode,
  isCodecError,
  lotteryCodec,
  MAX_BATCH_FRAME_BYTES,
  type LotteryMessage,
  type WireBet,
} from '../index.js';
import { decodeChunks, splits } from '../test/chunks.js';

const codec = lotteryCodec({ maxFrameLength: 1 << 20 });
const bet = (firstName: string, lastName: string, document: string, number: number): WireBet => ({ firstName, lastName, document, birthdate: '1999-03-17', number });
const bets = [bet('Belén', 'Sánchez', '00000042', 7574), bet('José María', 'Ñandú', '30904465', 0), bet('Ana', 'Saldaña', '12345678', 9999)];

const everyType: LotteryMessage[] = [
  { type: 'bet', agency: 1, bet: bets[0]! },
  { type: 'bet_batch', agency: 3, bets },
  { type: 'bet_batch', agency: 65535, bets: [] },
  { type: 'ack', count: 100 },
  { type: 'error', code: ErrorCode.INVALID_BET, message: 'bet 2: número inválido' },
  { type: 'finished', agency: 5 },
  { type: 'winners_query', agency: 2 },
  { type: 'winners', agency: 2, documents: ['00000042', '30904465'] },
  { type: 'winners', agency: 4, documents: [] },
];

test('every message type round-trips, UTF-8 names and leading zeros intact', t => {
  for (const message of everyType) t.deepEqual(codec.decodeFrame(codec.encode(message).subarray(4)), message, message.type);
});

test('a bet batch frame, byte by byte', t => {
  const frame = codec.encode({ type: 'bet_batch', agency: 1, bets: [bet('Ñu', 'Pí', '07', 7574)] });
  // prettier-ignore
  t.deepEqual([...frame], [
    0, 0, 0, 33,            // payload length
    0x02,                   // type tag: bet_batch
    0, 1,                   // agency
    0, 1,                   // bet count
    0, 3, 0xc3, 0x91, 0x75, // "Ñu": 3 bytes of UTF-8
    0, 3, 0x50, 0xc3, 0xad, // "Pí"
    0, 2, 0x30, 0x37,       // "07"
    0, 10, ...Buffer.from('1999-03-17'),
    0x1d, 0x96,             // 7574
  ]);
  t.is(frame.length, batchFrameSize([bet('Ñu', 'Pí', '07', 7574)]));
});

test('sizes: betWireSize and batchFrameSize match the encoder', t => {
  const frame = codec.encode({ type: 'bet_batch', agency: 1, bets });
  t.is(batchFrameSize(bets), frame.length);
  t.is(betWireSize(bets[0]!), 10 + 'Belén'.length + 1 + 'Sánchez'.length + 1 + 8 + 10);
});

test('the stream of all messages decodes the same at every split point', async t => {
  const bytes = Buffer.concat(everyType.map(m => codec.encode(m)));
  for (const chunks of splits(bytes)) {
    const { messages, error } = await decodeChunks<LotteryMessage>(codec.createDecoders(), chunks);
    t.is(error, undefined);
    t.deepEqual(messages, everyType);
  }
});

const decodeError = (payload: number[] | Buffer) => {
  try {
    codec.decodeFrame(Buffer.from(payload));
    return undefined;
  } catch (error) {
    return error as CodecError;
  }
};

test('malformed frames are errors with clear messages', t => {
  const ack = [...codec.encode({ type: 'ack', count: 1 }).subarray(4)];
  const winners = [...codec.encode({ type: 'winners', agency: 1, documents: ['42'] }).subarray(4)];
  const cases: Array<[string, number[], string, RegExp]> = [
    ['empty frame', [], 'ERR_MALFORMED', /empty frame/],
    ['unknown type tag', [0x7f, 1, 2], 'ERR_UNKNOWN_TYPE', /unknown type tag 0x7f/],
    ['frame shorter than its fields', ack.slice(0, 3), 'ERR_MALFORMED', /shorter than its fields/],
    ['inner length overruns the frame', [...winners.slice(0, -2)], 'ERR_MALFORMED', /runs 2 bytes past the end/],
    ['trailing bytes', [...ack, 0], 'ERR_TRAILING_BYTES', /1 trailing bytes/],
    ['a UTF-8 character cut in two', [0x04, 0, 1, 0, 1, 0xc3], 'ERR_INVALID_UTF8', /error message is not valid UTF-8/],
  ];
  for (const [name, payload, code, message] of cases) {
    const error = decodeError(payload);
    t.true(isCodecError(error, code as CodecError['code']), `${name}: ${error?.message}`);
    t.regex(error!.message, message, name);
  }
});

test('encoding refuses what the wire cannot carry', t => {
  t.throws(() => codec.encode({ type: 'ack', count: -1 }), { instanceOf: CodecError, message: /ack count must be an integer/ });
  t.throws(() => codec.encode({ type: 'bet', agency: 70000, bet: bets[0]! }), { message: /agency must be an integer from 0 to 65535, got 70000/ });
  t.throws(() => codec.encode({ type: 'bet', agency: 1, bet: { ...bets[0]!, number: 1.5 } }), { message: /bet number/ });
  const oversize = Array.from({ length: 200 }, () => bet('Bartolomé Ezequiel', 'Fernández de la Peña', '12345678', 1));
  t.true(batchFrameSize(oversize) > MAX_BATCH_FRAME_BYTES);
  t.throws(() => codec.encode({ type: 'bet_batch', agency: 1, bets: oversize }), { message: /exceeds the 8192-byte limit/ });
});

test('the server-side default limit rejects frames over 8 KiB before reading them', async t => {
  const { error } = await decodeChunks(lotteryCodec().createDecoders(), [Buffer.from([0, 0, 0x20, 0x00])]);
  t.true(isCodecError(error, 'ERR_FRAME_TOO_LONG'));
  t.regex(error!.message, /8192 exceeds the maximum of 8188/);
});

test('fuzz: 100,000 random frames decode or fail with a CodecError, never anything else', t => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 1, max: 7 }), (random, tag) => {
      const payload = Buffer.from([tag, ...random]);
      try {
        codec.decodeFrame(payload);
      } catch (error) {
        if (!(error instanceof CodecError)) throw error;
      }
    }),
    { numRuns: 100_000 },
  );
  t.pass();
});

test('fuzz: random byte streams through the decoder stages end with messages or a CodecError', async t => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async random => {
      const { error } = await decodeChunks(lotteryCodec().createDecoders(), [encodeFrame(Buffer.from(random)), Buffer.from(random)]);
      return error === undefined || error instanceof CodecError;
    }),
    { numRuns: 2000 },
  );
  t.pass();
});

const arbitraryBet = fc.record({
  firstName: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
  lastName: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
  document: fc.stringMatching(/^\d{1,16}$/),
  birthdate: fc.date({ min: new Date('1900-01-01'), max: new Date('2025-12-31'), noInvalidDate: true }).map(d => d.toISOString().slice(0, 10)),
  number: fc.integer({ min: 0, max: 9999 }),
});

test('property: any batch of bets (any Unicode names) round-trips, and its size is what batchFrameSize says', t => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 65535 }), fc.array(arbitraryBet, { maxLength: 30 }), (agency, bets) => {
      const frame = codec.encode({ type: 'bet_batch', agency, bets });
      t.is(frame.length, batchFrameSize(bets));
      t.deepEqual(codec.decodeFrame(frame.subarray(4)), { type: 'bet_batch', agency, bets });
    }),
    { numRuns: 500 },
  );
});
