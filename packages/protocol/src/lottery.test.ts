import assert from 'node:assert/strict';
import test from 'ava';
import { CodecError, isCodecError, type CodecErrorCode } from '@tp0/codec';
import { decodeChunks, fuzzDecoders, splits } from '@tp0/codec/testing';
import fc from 'fast-check';
import {
  batchFrameSize,
  CLIENT_MAX_PAYLOAD_BYTES,
  ErrorCode,
  lottery,
  LOTTERY_HEADER,
  lotteryProtocol,
  lotteryRequestTypes,
  lotteryResponseTypes,
  MAX_BATCH_FRAME_BYTES,
  SERVER_MAX_PAYLOAD_BYTES,
  type Bet,
  type LotteryMessage,
  type LotteryMessageOf,
  type LotteryRequest,
  type LotteryResponse,
} from './index.js';

// The server decodes requests and encodes responses; the client (an agency) is its mirror.
const server = lottery.server;
const client = lottery.client;
const requestTags: ReadonlySet<number> = new Set(lotteryRequestTypes.map(declared => declared.tag));
const responseTags: ReadonlySet<number> = new Set(lotteryResponseTypes.map(declared => declared.tag));
const requestNames: ReadonlySet<string> = new Set(lotteryRequestTypes.map(declared => declared.type));
const isRequest = (message: LotteryMessage): message is LotteryRequest => requestNames.has(message.type);

/** The message's frame, encoded by the side that sends it. */
const encodeSent = (message: LotteryMessage): Buffer => (isRequest(message) ? client.encode(message) : server.encode(message as LotteryResponse));
/** The codec that decodes `message` (its receiver), and the one that must refuse it (its sender). */
const receiverOf = (message: LotteryMessage) => (isRequest(message) ? server : client);
const senderOf = (message: LotteryMessage) => (isRequest(message) ? client : server);

/** The bytes of an ASCII string, for fixtures (not the codec's writer: fixtures must not share code with it). */
const ascii = (text: string): number[] => [...Buffer.from(text, 'latin1')];

const ñu: Bet = { firstName: 'Ñu', lastName: 'Pí', document: '07', birthdate: '1999-03-17', number: 7574 };
const ana: Bet = { firstName: 'Ana', lastName: 'Li', document: '00000042', birthdate: '2000-02-29', number: 0 };

// One fixture per message shape, as it travels: the README's Protocol section describes these bytes.
// prettier-ignore
const fixtures: Array<[name: string, message: LotteryMessage, bytes: number[]]> = [
  ['bet', { type: 'bet', agency: 1, bet: ñu }, [
    0, 0, 0, 31,                        // payload length
    0x01,                               // type tag: bet
    0x00, 0x01,                         // u16 agency 1
    0x00, 0x03, 0xc3, 0x91, 0x75,       // str first name "Ñu": 3 bytes of UTF-8
    0x00, 0x03, 0x50, 0xc3, 0xad,       // str last name "Pí"
    0x00, 0x02, ...ascii('07'),         // str document "07": leading zero kept
    0x00, 0x0a, ...ascii('1999-03-17'), // str birthdate
    0x1d, 0x96,                         // u16 number 7574
  ]],
  ['bet_batch of two bets', { type: 'bet_batch', agency: 3, first: 268, bets: [ñu, ana] }, [
    0, 0, 0, 70,                        // payload length
    0x02,                               // type tag: bet_batch
    0x00, 0x03,                         // u16 agency 3
    0x00, 0x00, 0x01, 0x0c,             // u32 first 268: the agency's bets 0..267 came before
    0x00, 0x02,                         // u16 bet count
    0x00, 0x03, 0xc3, 0x91, 0x75,       // bet 1: first name "Ñu"
    0x00, 0x03, 0x50, 0xc3, 0xad,       //        last name "Pí"
    0x00, 0x02, ...ascii('07'),         //        document
    0x00, 0x0a, ...ascii('1999-03-17'), //        birthdate
    0x1d, 0x96,                         //        number 7574
    0x00, 0x03, ...ascii('Ana'),        // bet 2: first name
    0x00, 0x02, ...ascii('Li'),         //        last name
    0x00, 0x08, ...ascii('00000042'),   //        document
    0x00, 0x0a, ...ascii('2000-02-29'), //        birthdate
    0x00, 0x00,                         //        number 0
  ]],
  ['empty bet_batch', { type: 'bet_batch', agency: 65535, first: 0, bets: [] }, [
    0, 0, 0, 9,                         // payload length
    0x02,                               // type tag: bet_batch
    0xff, 0xff,                         // u16 agency 65535
    0x00, 0x00, 0x00, 0x00,             // u32 first 0
    0x00, 0x00,                         // u16 bet count 0
  ]],
  ['ack', { type: 'ack', count: 100_000 }, [
    0, 0, 0, 5,                         // payload length
    0x03,                               // type tag: ack
    0x00, 0x01, 0x86, 0xa0,             // u32 count 100000
  ]],
  ['error', { type: 'error', code: ErrorCode.INVALID_BET, message: 'bet 2: número' }, [
    0, 0, 0, 19,                        // payload length
    0x04,                               // type tag: error
    0x00, 0x02,                         // u16 code 2: INVALID_BET
    0x00, 0x0e,                         // str message: 14 bytes of UTF-8
    ...ascii('bet 2: n'), 0xc3, 0xba, ...ascii('mero'), // "bet 2: número"
  ]],
  ['finished', { type: 'finished', agency: 5, total: 300 }, [
    0, 0, 0, 7,                         // payload length
    0x05,                               // type tag: finished
    0x00, 0x05,                         // u16 agency 5
    0x00, 0x00, 0x01, 0x2c,             // u32 total 300 bets sent
  ]],
  ['winners_query', { type: 'winners_query', agency: 2 }, [
    0, 0, 0, 3,                         // payload length
    0x06,                               // type tag: winners_query
    0x00, 0x02,                         // u16 agency 2
  ]],
  ['winners', { type: 'winners', agency: 2, documents: ['00000042', '7'] }, [
    0, 0, 0, 20,                        // payload length
    0x07,                               // type tag: winners
    0x00, 0x02,                         // u16 agency 2
    0x00, 0x00, 0x00, 0x02,             // u32 document count
    0x00, 0x08, ...ascii('00000042'),   // str document
    0x00, 0x01, ...ascii('7'),          // str document
  ]],
  ['empty winners', { type: 'winners', agency: 4, documents: [] }, [
    0, 0, 0, 7,                         // payload length
    0x07,                               // type tag: winners
    0x00, 0x04,                         // u16 agency 4
    0x00, 0x00, 0x00, 0x00,             // u32 document count 0
  ]],
  ['hello', { type: 'hello', agency: 3, secret: 'ñ' }, [
    0, 0, 0, 7,                         // payload length
    0x08,                               // type tag: hello
    0x00, 0x03,                         // u16 agency 3
    0x00, 0x02, 0xc3, 0xb1,             // str secret "ñ"
  ]],
  ['hello without a secret', { type: 'hello', agency: 1, secret: '' }, [
    0, 0, 0, 5,                         // payload length
    0x08,                               // type tag: hello
    0x00, 0x01,                         // u16 agency 1
    0x00, 0x00,                         // str secret: empty
  ]],
  ['resume', { type: 'resume', agency: 3, stored: 70_000, finished: 1 }, [
    0, 0, 0, 8,                         // payload length
    0x09,                               // type tag: resume
    0x00, 0x03,                         // u16 agency 3
    0x00, 0x01, 0x11, 0x70,             // u32 stored 70000
    0x01,                               // u8 finished: yes
  ]],
];

for (const [name, message, bytes] of fixtures) {
  const frame = Buffer.from(bytes);

  test(`parse: ${name}`, t => {
    t.is(frame.readUInt32BE(0), frame.length - 4, 'the fixture states its own payload length');
    t.deepEqual(receiverOf(message).decodeFrame(frame.subarray(4)), message, 'the receiving side');
    // A message travels one way only: the side that sends it does not read it.
    const error = t.throws(() => senderOf(message).decodeFrame(frame.subarray(4)));
    t.true(isCodecError(error, 'ERR_UNKNOWN_TYPE'), String(error));
  });

  test(`generate: ${name}`, t => {
    t.deepEqual([...encodeSent(message)], bytes, 'the sending side');
    t.is(isRequest(message) ? client.frameSize(message) : server.frameSize(message as LotteryResponse), bytes.length);
  });

  test(`stream at every split: ${name}`, async t => {
    for (const chunks of splits(frame)) {
      const { messages, error } = await decodeChunks<LotteryMessage>(receiverOf(message).createDecoders(), chunks);
      t.is(error, undefined, `chunks of ${chunks.map(chunk => chunk.length).join('+')} bytes`);
      t.deepEqual(messages, [message]);
    }
  });
}

for (const [direction, receiver] of [['requests', server], ['responses', client]] as const) {
  test(`stream at every split: all ${direction} back to back`, async t => {
    const sent = fixtures.filter(([, message]) => receiverOf(message) === receiver);
    const bytes = Buffer.from(sent.flatMap(([, , fixtureBytes]) => fixtureBytes));
    const expected = sent.map(([, message]) => message);
    t.true(expected.length > 1);
    for (const chunks of splits(bytes)) {
      const { messages, error } = await decodeChunks<LotteryMessage>(receiver.createDecoders(), chunks);
      t.is(error, undefined);
      t.deepEqual(messages, expected);
    }
  });
}

test('the header a client opens with: "TP0L" and version 0x02', t => {
  t.deepEqual([...LOTTERY_HEADER], [0x54, 0x50, 0x30, 0x4c, 0x02]);
});

test('error codes keep their wire values', t => {
  t.deepEqual(
    [ErrorCode.MALFORMED, ErrorCode.INVALID_BET, ErrorCode.UNKNOWN_AGENCY, ErrorCode.FRAME_TOO_LARGE, ErrorCode.UNEXPECTED_MESSAGE, ErrorCode.SHUTTING_DOWN, ErrorCode.STORAGE_FAILURE, ErrorCode.UNSUPPORTED_VERSION,
     ErrorCode.AGENCY_BUSY, ErrorCode.OUT_OF_ORDER, ErrorCode.WRONG_AGENCY, ErrorCode.UNAUTHORIZED, ErrorCode.TIMEOUT,
     ErrorCode.SESSION_TAKEN_OVER],
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14],
  );
});

// Limits -------------------------------------------------------------------------------------------------------

const ordinary: Bet = { firstName: 'Ana', lastName: 'Li', document: '30904465', birthdate: '1999-03-17', number: 7574 };
const ORDINARY_BET_BYTES = 33; // 5 str prefixes (10) + 3 + 2 + 8 + 10 + u16 number (2)
const BATCH_OVERHEAD_BYTES = 13; // length prefix 4, tag 1, agency 2, first 4, count 2

/** A batch whose frame is exactly `frameBytes` on the wire: a padding bet (first name of 1 to 33 "x") first. */
function batchOfFrameBytes(frameBytes: number): Bet[] {
  const budget = frameBytes - BATCH_OVERHEAD_BYTES;
  const paddingBase = ORDINARY_BET_BYTES - 3; // the ordinary bet without its 3-byte first name
  const count = Math.floor((budget - paddingBase - 1) / ORDINARY_BET_BYTES);
  const padding = { ...ordinary, firstName: 'x'.repeat(budget - count * ORDINARY_BET_BYTES - paddingBase) };
  return [padding, ...Array.from({ length: count }, () => ordinary)];
}

/** `frame` (a batch built by batchOfFrameBytes) with one more byte in its first bet's first name. */
function oneByteLonger(frame: Buffer): Buffer {
  const nameLength = frame.readUInt16BE(9);
  const grown = Buffer.concat([frame.subarray(0, 9), Buffer.alloc(2), Buffer.from('x'), frame.subarray(11)]);
  grown.writeUInt16BE(nameLength + 1, 9);
  grown.writeUInt32BE(grown.length - 4, 0);
  return grown;
}

const atLimit: LotteryMessageOf<'bet_batch'> = { type: 'bet_batch', agency: 1, first: 0, bets: batchOfFrameBytes(MAX_BATCH_FRAME_BYTES) };
const atLimitFrame = client.encode(atLimit);

test('a bet_batch of exactly 8192 bytes on the wire is encoded by the client and decoded by the server', async t => {
  t.is(MAX_BATCH_FRAME_BYTES, 8192);
  t.is(atLimitFrame.length, 8192);
  t.is(batchFrameSize(atLimit.bets), 8192);
  const { messages, error } = await decodeChunks<LotteryMessage>(server.createDecoders(), [atLimitFrame]);
  t.is(error, undefined);
  t.deepEqual(messages, [atLimit]);
});

test('a bet_batch of 8193 bytes on the wire is refused on encode by the client codec', t => {
  const over: LotteryMessageOf<'bet_batch'> = { type: 'bet_batch', agency: 1, first: 0, bets: batchOfFrameBytes(MAX_BATCH_FRAME_BYTES + 1) };
  t.is(batchFrameSize(over.bets), 8193);
  const error = t.throws(() => client.encode(over), { instanceOf: CodecError });
  t.is(error?.code, 'ERR_FRAME_TOO_LONG');
  t.regex(error!.message, /bet_batch frame of 8189 bytes exceeds the maximum of 8188 bytes/);
  const bigBet = { ...ordinary, firstName: 'x'.repeat(SERVER_MAX_PAYLOAD_BYTES) };
  t.throws(() => client.encode({ type: 'bet', agency: 1, bet: bigBet }), { message: /bet frame of \d+ bytes exceeds the maximum of 8188 bytes/ });
});

test('a bet_batch of 8193 bytes is refused on decode: by the server at its length prefix, and as a whole frame', async t => {
  const over = oneByteLonger(atLimitFrame);
  t.is(over.length, 8193);
  // The server needs only the 4 prefix bytes to refuse: the payload is never buffered.
  const atServer = await decodeChunks(server.createDecoders(), [over.subarray(0, 4)]);
  t.true(isCodecError(atServer.error, 'ERR_FRAME_TOO_LONG'), atServer.error?.message);
  t.regex(atServer.error!.message, /frame length 8189 exceeds the maximum of 8188 bytes/);
  // The bet_batch limit of its own, checked on a whole payload handed to decodeFrame.
  const whole = t.throws(() => server.decodeFrame(over.subarray(4)));
  t.true(isCodecError(whole, 'ERR_FRAME_TOO_LONG'), String(whole));
  t.regex(whole!.message, /bet_batch frame of 8189 bytes exceeds the maximum of 8188 bytes/);
});

/** A winners reply whose payload is exactly `payloadBytes`: 16-digit documents and one shorter one. */
function winnersOfPayloadBytes(payloadBytes: number): LotteryMessageOf<'winners'> {
  const budget = payloadBytes - 7; // tag 1, agency 2, u32 count 4
  const count = Math.floor((budget - 3) / 18);
  const documents = Array.from({ length: count }, (_, i) => String(i).padStart(16, '0'));
  documents.push('9'.repeat(budget - count * 18 - 2));
  return { type: 'winners', agency: 1, documents };
}

test('the client codec accepts a 4 MiB winners reply; the server codec refuses it at its length prefix', async t => {
  const winners = winnersOfPayloadBytes(CLIENT_MAX_PAYLOAD_BYTES);
  const frame = server.encode(winners);
  t.is(frame.length, 4 + 4 * 1024 * 1024);
  const { messages, error } = await decodeChunks<LotteryMessage>(client.createDecoders(), [frame]);
  t.is(error, undefined);
  t.is(messages.length, 1);
  const decoded = messages[0] as LotteryMessageOf<'winners'>;
  t.is(decoded.documents.length, winners.documents.length);
  t.true(decoded.documents.every((document, i) => document === winners.documents[i]));
  const atServer = await decodeChunks(server.createDecoders(), [frame.subarray(0, 4)]);
  t.true(isCodecError(atServer.error, 'ERR_FRAME_TOO_LONG'), atServer.error?.message);
  const over = winnersOfPayloadBytes(CLIENT_MAX_PAYLOAD_BYTES + 1);
  t.throws(() => server.encode(over), { message: /winners frame of 4194305 bytes exceeds the maximum of 4194304 bytes/ });
});

// Regression: the server's 8188-byte read limit was applied to what it sends, so an agency with more than ~800
// winners (8-digit documents) got no winners reply. The server codec now sends up to the client's limit.
test('regression: the server codec can send a winners reply over 8 KiB, which the client accepts', async t => {
  const winners = winnersOfPayloadBytes(SERVER_MAX_PAYLOAD_BYTES + 1);
  const frame = lotteryProtocol.codec.encode(winners);
  const { messages, error } = await decodeChunks<LotteryMessage>(client.createDecoders(), [frame]);
  t.is(error, undefined);
  t.deepEqual(messages, [winners]);
});

// Malformed input ----------------------------------------------------------------------------------------------

// prettier-ignore
const malformed: Array<[name: string, payload: number[], code: CodecErrorCode, message: RegExp]> = [
  ['empty frame', [], 'ERR_MALFORMED', /lottery: empty frame has no type tag/],
  ['unknown tag 0x7f', [0x7f, 0x01, 0x02], 'ERR_UNKNOWN_TYPE', /unknown type tag 0x7f in a 3-byte frame/],
  ['unknown tag 0x00', [0x00], 'ERR_UNKNOWN_TYPE', /unknown type tag 0x00/],
  ['unknown tag 0x0a', [0x0a, 0x00, 0x01], 'ERR_UNKNOWN_TYPE', /unknown type tag 0x0a/],
  ['short: ack with a 2-byte count', [
    0x03,                   // ack
    0x00, 0x01,             // half of a u32
  ], 'ERR_MALFORMED', /ack message: 2 bytes are shorter than its fields/],
  ['short: bet_batch that promises a bet and holds none', [
    0x02,                   // bet_batch
    0x00, 0x01,             // agency
    0x00, 0x00, 0x00, 0x00, // first
    0x00, 0x01,             // 1 bet, then nothing
  ], 'ERR_MALFORMED', /bet_batch message: 8 bytes are shorter than its fields/],
  ['short: winners that promises 2 documents and holds 1', [
    0x07,                   // winners
    0x00, 0x01,             // agency
    0x00, 0x00, 0x00, 0x02, // 2 documents
    0x00, 0x01, 0x34,       // "4", then nothing
  ], 'ERR_MALFORMED', /winners message: 9 bytes are shorter than its fields/],
  ['trailing byte after an ack', [
    0x03,                   // ack
    0x00, 0x00, 0x00, 0x01, // count 1
    0x00,                   // trailing
  ], 'ERR_TRAILING_BYTES', /ack message: 1 trailing bytes after the last field/],
  ['trailing byte after finished', [0x05, 0x00, 0x01, 0x00, 0x00, 0x00, 0x07, 0x00], 'ERR_TRAILING_BYTES', /finished message: 1 trailing bytes/],
  ['a UTF-8 character cut in two in an error message', [
    0x04,                   // error
    0x00, 0x01,             // code
    0x00, 0x01, 0xc3,       // 1 byte: the first half of "é"
  ], 'ERR_INVALID_UTF8', /error message is not valid UTF-8/],
  ['a UTF-8 character cut in two in a last name', [
    0x02,                   // bet_batch
    0x00, 0x01,             // agency
    0x00, 0x00, 0x00, 0x00, // first
    0x00, 0x01,             // 1 bet
    0x00, 0x01, 0x41,       // first name "A"
    0x00, 0x01, 0xc3,       // last name: half of "Ñ"
    0x00, 0x00, 0x00, 0x00, // empty document, empty birthdate
    0x00, 0x00,             // number
  ], 'ERR_INVALID_UTF8', /bet_batch bets\[\]\.lastName is not valid UTF-8/],
  ['inner length overrun: a document of 2 bytes with 1 left', [
    0x07,                   // winners
    0x00, 0x01,             // agency
    0x00, 0x00, 0x00, 0x01, // 1 document
    0x00, 0x02, 0x34,       // says 2 bytes, holds 1
  ], 'ERR_MALFORMED', /winners documents\[\]: its length of 2 bytes runs 1 bytes past the end of the frame/],
  ['inner length overrun: a first name of 200 bytes with 1 left', [
    0x01,                   // bet
    0x00, 0x01,             // agency
    0x00, 0xc8, 0x41,       // says 200 bytes, holds 1
  ], 'ERR_MALFORMED', /bet bet\.firstName: its length of 200 bytes runs 199 bytes past the end of the frame/],
];

/** The codecs that read a payload with this tag: its receiver, or both when no message has the tag. */
function readersOf(payload: readonly number[]) {
  const tag = payload[0];
  if (tag !== undefined && requestTags.has(tag)) return [server];
  if (tag !== undefined && responseTags.has(tag)) return [client];
  return [server, client];
}

for (const [name, payload, code, message] of malformed) {
  test(`malformed: ${name}`, t => {
    for (const codec of readersOf(payload)) {
      const error = t.throws(() => codec.decodeFrame(Buffer.from(payload)));
      t.true(isCodecError(error, code), `${codec.maxFrameLength}: ${String(error)}`);
      t.regex(error!.message, message);
    }
  });
}

test('a malformed frame in a stream ends it after the messages before it', async t => {
  const ack = server.encode({ type: 'ack', count: 1 });
  const bad = Buffer.from([0, 0, 0, 3, 0x7f, 0x01, 0x02]);
  const { messages, error } = await decodeChunks<LotteryMessage>(client.createDecoders(), [ack, bad, ack]);
  t.deepEqual(messages, [{ type: 'ack', count: 1 }]);
  t.true(isCodecError(error, 'ERR_UNKNOWN_TYPE'), error?.message);
});

test('a stream that ends inside a frame is ERR_UNEXPECTED_EOF', async t => {
  const frame = client.encode({ type: 'finished', agency: 1, total: 0 });
  const { messages, error } = await decodeChunks(server.createDecoders(), [frame.subarray(0, -1)]);
  t.deepEqual(messages, []);
  t.true(isCodecError(error, 'ERR_UNEXPECTED_EOF'), error?.message);
  t.regex(error!.message, /after 6 bytes of a 7-byte frame/);
});

test('encoding refuses what the wire cannot carry, naming the field', t => {
  t.throws(() => server.encode({ type: 'ack', count: -1 }), { instanceOf: CodecError, message: /ack count must be an integer from 0 to 4294967295, got -1/ });
  t.throws(() => client.encode({ type: 'bet', agency: 70000, bet: ordinary }), { message: /bet agency must be an integer from 0 to 65535, got 70000/ });
  t.throws(() => client.encode({ type: 'bet', agency: 1, bet: { ...ordinary, number: 1.5 } }), { message: /bet bet\.number must be an integer/ });
  t.throws(() => server.encode({ type: 'error', code: ErrorCode.MALFORMED, message: 'x'.repeat(70_000) }), {
    message: /error message is 70000 bytes of UTF-8, over the u16 limit of 65535/,
  });
});

// Random input -------------------------------------------------------------------------------------------------

for (const [side, codec, tags] of [['server', server, requestTags], ['client', client, responseTags]] as const) {
  test(`fuzz: 10,000 random inputs behind the ${side}'s tags end in messages or a CodecError`, async t => {
    const report = await fuzzDecoders(codec, { runs: 10_000, seed: 7574, tags: [...tags] });
    t.log(report);
    t.is(report.runs, 10_000);
    // The fuzzer reached the message decoders: some random payloads were messages, others each kind of bad frame.
    t.true(report.messages > 0);
    for (const code of ['ERR_MALFORMED', 'ERR_TRAILING_BYTES', 'ERR_UNEXPECTED_EOF'] as const) t.true((report.errors[code] ?? 0) > 0, code);
  });
}

const arbitraryBet: fc.Arbitrary<Bet> = fc.record({
  firstName: fc.string({ unit: 'binary', maxLength: 40, size: 'max' }),
  lastName: fc.string({ unit: 'binary', maxLength: 40, size: 'max' }),
  document: fc.string({ unit: 'binary', maxLength: 20, size: 'max' }),
  birthdate: fc.string({ unit: 'binary', maxLength: 12, size: 'max' }),
  number: fc.integer({ min: 0, max: 9999 }),
}).map(bet => ({ ...bet })); // fast-check's records have a null prototype; decoded bets are plain objects

test('property: any batch of Unicode bets round-trips when batchFrameSize is within 8192, and is refused when not', t => {
  let fits = 0;
  let refused = 0;
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 65535 }), fc.array(arbitraryBet, { maxLength: 60, size: 'max' }), (agency, bets) => {
      const message: LotteryRequest = { type: 'bet_batch', agency, first: 0, bets };
      const size = batchFrameSize(bets, agency);
      if (size > MAX_BATCH_FRAME_BYTES) {
        refused++;
        assert.throws(() => client.encode(message), (error: unknown) => isCodecError(error, 'ERR_FRAME_TOO_LONG'));
        return;
      }
      fits++;
      const frame = client.encode(message);
      assert.equal(frame.length, size);
      assert.deepStrictEqual(server.decodeFrame(frame.subarray(4)), message);
    }),
    { numRuns: 500, seed: 7574 },
  );
  t.log({ fits, refused });
  t.true(fits > 0 && refused > 0, 'both sides of the limit were tried');
});

test('an error reply whose code is not an ErrorCode does not decode at the client (ERR_INVALID_VALUE) nor encode at the server', t => {
  const bytes = server.encode({ type: 'error', code: ErrorCode.MALFORMED, message: 'x' });
  // u32 length | u8 tag 0x04 | u16 code: the code is bytes 5..6.
  bytes.writeUInt16BE(999, 5);
  const error = t.throws(() => client.decode(bytes));
  t.true(isCodecError(error, 'ERR_INVALID_VALUE'), String(error));
  t.throws(() => server.encode({ type: 'error', code: 999 as ErrorCode, message: 'x' }), { code: 'ERR_ENCODE' });
});
