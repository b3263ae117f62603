import test from 'ava';
import { binaryCodec, fields, i64, isCodecError, list, mapped, message, oneOf, optional, str16, u8, union, enumOf, u16, type CodecErrorCode, type MessageOf } from '../index.js';
import { decodeChunks, fuzzDecoders, splits } from '../testing/index.js';

enum Color {
  Red = 1,
  Green = 2,
}
/** A custom wire type built with `mapped`, as the README shows: a date as epoch milliseconds in an i64. */
const date = mapped(i64, {
  name: 'date',
  decode: ms => {
    const value = new Date(Number(ms));
    if (Number.isNaN(value.getTime())) throw new Error(`${ms} ms is not a valid date`);
    return value;
  },
  encode: (value: Date) => BigInt(value.getTime()),
});
const shape = union('kind', {
  circle: [1, fields().f64('r')],
  square: [2, fields().i16('side')],
});
const types = [
  message(0x01, 'numbers', fields().i8('a').i16('b').i32('c').u64('d').i64('e').f64('f').bool('g')),
  message(0x02, 'texts', fields().str32('long').bytes16('raw').bytes32('blob').optional('note', str16).optional('missing', u8)),
  message(0x03, 'checked', fields().field('level', oneOf(u8, [1, 2, 4])).field('color', enumOf(u16, Color)).field('when', date)),
  message(0x04, 'shapes', fields().list('shapes', shape).field('main', shape).list('maybe', optional(str16))),
] as const;
type M = MessageOf<(typeof types)[number]>;
const codec = binaryCodec<M>('wire', types, { maxFrameLength: 1024 });

const samples: M[] = [
  { type: 'numbers', a: -128, b: -2, c: -2_147_483_648, d: 0xffff_ffff_ffff_ffffn, e: -(1n << 63n), f: -0.5, g: true },
  { type: 'texts', long: 'Ñandú 🎲', raw: Buffer.from([0, 255]), blob: Buffer.alloc(0), note: 'hola', missing: undefined },
  { type: 'checked', level: 4, color: Color.Green, when: new Date(Date.UTC(2024, 1, 29)) },
  { type: 'shapes', shapes: [{ kind: 'circle', r: 1.5 }, { kind: 'square', side: -3 }], main: { kind: 'square', side: 7 }, maybe: [undefined, 'x'] },
];

test('every wire type round-trips through encode and decode, and through the stream at every split point', async t => {
  for (const sample of samples) {
    const bytes = codec.encode(sample);
    t.is(codec.frameSize(sample), bytes.length);
    t.deepEqual(codec.decode(bytes), sample);
    for (const chunks of splits(bytes)) t.deepEqual((await decodeChunks(codec, chunks)).messages, [sample]);
  }
});

test('fixture: numbers are big-endian two\'s complement, 64-bit as bigint, bool as one byte', t => {
  const bytes = codec.encode({ type: 'numbers', a: -1, b: 258, c: -2, d: 1n, e: -1n, f: 1, g: false });
  t.deepEqual([...bytes], [
    0, 0, 0, 33, // length prefix
    0x01, // tag: numbers
    0xff, // a: i8 -1
    1, 2, // b: i16 258
    0xff, 0xff, 0xff, 0xfe, // c: i32 -2
    0, 0, 0, 0, 0, 0, 0, 1, // d: u64 1
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // e: i64 -1
    0x3f, 0xf0, 0, 0, 0, 0, 0, 0, // f: f64 1
    0, // g: false
  ]);
});

test('fixture: optional is a presence byte, a union a u8 variant tag before its fields', t => {
  const bytes = codec.encode({ type: 'shapes', shapes: [], main: { kind: 'square', side: 5 }, maybe: [undefined, 'a'] });
  t.deepEqual([...bytes], [
    0, 0, 0, 13, // length prefix
    0x04, // tag: shapes
    0, 0, // shapes: count 0
    2, 0, 5, // main: variant 2 (square), side 5
    0, 2, // maybe: count 2
    0, // maybe[0]: absent
    1, 0, 1, 0x61, // maybe[1]: present, "a"
  ]);
});

const payloadErrors: Array<{ name: string; payload: number[]; code: CodecErrorCode; message: RegExp }> = [
  { name: 'a bool of 2', payload: [0x01, ...Array<number>(31).fill(0), 2], code: 'ERR_INVALID_VALUE', message: /numbers g: a bool must be 0 or 1, got 2/ },
  { name: 'a literal outside its set', payload: [0x03, 3, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0], code: 'ERR_INVALID_VALUE', message: /checked level: 3 is not one of 1, 2, 4/ },
  { name: 'an enum value outside the enum', payload: [0x03, 1, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0], code: 'ERR_INVALID_VALUE', message: /checked color: 9 is not one of 1, 2/ },
  { name: 'a mapped type refusing its value', payload: [0x03, 1, 0, 1, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], code: 'ERR_INVALID_VALUE', message: /checked when: 9223372036854775807 ms is not a valid date/ },
  { name: 'an optional flag of 2', payload: [0x04, 0, 0, 2, 0, 1, 0, 1, 2], code: 'ERR_INVALID_VALUE', message: /shapes maybe\[\]: an optional's flag must be 0 or 1, got 2/ },
  { name: 'an unknown union tag', payload: [0x04, 0, 1, 9, 0, 0], code: 'ERR_INVALID_VALUE', message: /shapes shapes\[\]: unknown kind tag 9/ },
  { name: 'bytes running past the end', payload: [0x02, 0, 0, 0, 0, 0, 9, 1], code: 'ERR_MALFORMED', message: /texts raw: its length of 9 bytes runs 8 bytes past the end/ },
  { name: 'a str32 running past the end', payload: [0x02, 0, 0, 1, 0, 0x61], code: 'ERR_MALFORMED', message: /texts long: its length of 256 bytes/ },
];
for (const { name, payload, code, message: expected } of payloadErrors) {
  test(`decode checks what the type promises: ${name} is ${code}`, t => {
    const error = t.throws(() => codec.decodeFrame(Buffer.from(payload)));
    t.true(isCodecError(error, code), `${error?.name}: ${error?.message}`);
    t.regex(error!.message, expected);
  });
}

test('encode refuses values the types do not allow, naming the field', t => {
  const cases: Array<[unknown, CodecErrorCode, RegExp]> = [
    [{ ...samples[0]!, a: 128 }, 'ERR_ENCODE', /numbers a must be an integer from -128 to 127, got 128/],
    [{ ...samples[0]!, d: 1 }, 'ERR_ENCODE', /numbers d must be a bigint/],
    [{ ...samples[0]!, g: 1 }, 'ERR_ENCODE', /numbers g must be a boolean, got number/],
    [{ ...samples[2]!, level: 3 }, 'ERR_ENCODE', /checked level: 3 is not one of 1, 2, 4/],
    [{ ...samples[3]!, main: { kind: 'triangle' } }, 'ERR_ENCODE', /shapes main: kind must be one of circle, square, got triangle/],
    [{ ...samples[1]!, raw: 'text' }, 'ERR_ENCODE', /texts raw must be a Uint8Array or Buffer/],
  ];
  for (const [value, code, expected] of cases) {
    const error = t.throws(() => codec.encode(value as M));
    t.true(isCodecError(error, code), `${error?.message}`);
    t.regex(error!.message, expected);
  }
});

test('declarations are checked: union tags and names, list of a union', t => {
  t.throws(() => union('kind', { a: [1, fields()], b: [1, fields()] }), { message: /tag 1 is used twice/ });
  t.throws(() => union('kind', { a: [1, fields().u8('kind')] }), { message: /has a field called kind/ });
  t.throws(() => union('kind', { a: [256, fields()] }), { message: /must be a u8/ });
  t.is(list(shape).name, 'list<union<kind>>');
});

test('fuzz: random frames behind every tag of the wire-types codec end in messages or CodecErrors, never a throw', async t => {
  const report = await fuzzDecoders(codec, { runs: 3000, seed: 17, maxBytes: 48, tags: [0x01, 0x02, 0x03, 0x04] });
  t.log(JSON.stringify(report.errors));
  t.true((report.errors['ERR_INVALID_VALUE'] ?? 0) > 0);
  t.true((report.errors['ERR_MALFORMED'] ?? 0) > 0);
});
