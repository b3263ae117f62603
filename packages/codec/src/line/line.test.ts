import test from 'ava';
import { isCodecError, lineCodec } from '../index.js';
import { decodeChunks, splits } from '../testing/index.js';

test('lines split anywhere decode the same; CRLF and a last line without newline are handled', async t => {
  const bytes = Buffer.from('[CLIENT 1] Message N°1\r\nhola Ñandú\n\nlast');
  for (const chunks of splits(bytes)) {
    const { messages, error } = await decodeChunks<string>(lineCodec().createDecoders(), chunks);
    t.is(error, undefined);
    t.deepEqual(messages, ['[CLIENT 1] Message N°1', 'hola Ñandú', '', 'last']);
  }
});

test('encode appends the newline and refuses embedded ones', t => {
  t.is(lineCodec().encode('hola').toString(), 'hola\n');
  t.throws(() => lineCodec().encode('a\nb'), { message: /line break/ });
});

test('a line over the limit is ERR_FRAME_TOO_LONG even before its newline arrives', async t => {
  const { error } = await decodeChunks<string>(lineCodec(8).createDecoders(), [Buffer.from('0123456789')]);
  t.true(isCodecError(error, 'ERR_FRAME_TOO_LONG'));
});

test('invalid UTF-8 in a line is ERR_INVALID_UTF8', async t => {
  const { error } = await decodeChunks<string>(lineCodec().createDecoders(), [Buffer.from([0x61, 0xc3, 0x0a])]);
  t.true(isCodecError(error, 'ERR_INVALID_UTF8'));
});

test('decode: one line from its bytes, the inverse of encode', t => {
  const codec = lineCodec(8);
  t.is(codec.decode(codec.encode('Ñandú')), 'Ñandú');
  t.is(codec.decode(Buffer.from('crlf\r\n')), 'crlf');
  t.is(codec.decode(Buffer.from('no eol')), 'no eol');
  t.true(isCodecError(t.throws(() => codec.decode(Buffer.from('a\nb\n'))), 'ERR_TRAILING_BYTES'));
  t.true(isCodecError(t.throws(() => codec.decode(Buffer.from('123456789\n'))), 'ERR_FRAME_TOO_LONG'));
  t.true(isCodecError(t.throws(() => codec.decode(Buffer.from([0xc3, 0x0a]))), 'ERR_INVALID_UTF8'));
});
