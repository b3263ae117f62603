import { CodecError } from '../errors.js';
import { utf8 } from './utf8.js';

const EMPTY = Buffer.alloc(0);

/**
 * binary-parser hands a formatter the field's value, never the buffer. A message decode lends its payload here for
 * the length of one synchronous parse, so that a str16 field reads its string straight from the payload: no Buffer
 * view, wrapper object or TextDecoder call per string.
 */
let payload: Buffer = EMPTY;
/** The payload as latin1 text, made at the first ASCII string of a parse: each ASCII string is then a substring. */
let text: string | undefined;
/** Bytes the last string took, length prefix included: the seek after it moves the parser past them. */
let lastBytes = 0;

/**
 * Above this, an ASCII string is sliced from the payload on its own instead of from the whole payload's text: a large
 * payload is not copied for a few strings, and a kept substring never holds more than this in memory (V8 shares the
 * characters of substrings of 13 or more).
 */
const WHOLE_TEXT_LIMIT = 1 << 16;

/** Lends `bytes` to the str16 fields of one parse; `returnPayload` must follow, in a `finally`. */
export function lendPayload(bytes: Buffer): void {
  payload = bytes;
  text = undefined;
}

/** Ends a parse: the payload is not kept alive by the reader. */
export function returnPayload(): void {
  payload = EMPTY;
  text = undefined;
}


/** Bytes the last `readStr16` consumed, length prefix included. */
export function str16Bytes(): number {
  return lastBytes;
}

/**
 * Reads `u16 length | UTF-8 bytes` at `start` of the lent payload, exactly: a length prefix past the end is a
 * RangeError (as binary-parser's own reads are), a string past the end ERR_MALFORMED, bad UTF-8 ERR_INVALID_UTF8.
 */
export function readStr16(start: number, path: string): string {
  const bytes = payload;
  if (start + 2 > bytes.length) throw new RangeError(`${path}: the length prefix at offset ${start} runs past the ${bytes.length}-byte payload`);
  const length = (bytes[start]! << 8) | bytes[start + 1]!;
  const from = start + 2;
  const to = from + length;
  if (to > bytes.length) {
    throw new CodecError('ERR_MALFORMED', `${path}: its length of ${length} bytes runs ${to - bytes.length} bytes past the end of the frame`);
  }
  lastBytes = 2 + length;
  for (let i = from; i < to; i++) if (bytes[i]! > 0x7f) return nonAscii(bytes, from, to, path);
  if (bytes.length > WHOLE_TEXT_LIMIT) return bytes.toString('latin1', from, to);
  return (text ??= bytes.toString('latin1')).substring(from, to);
}

/**
 * Buffer's own slicer, which `toString('utf8', from, to)` calls after an encoding lookup and argument checks that
 * cost as much as the decoding of a short string. Present on Buffer.prototype since Node's first releases, untyped.
 */
interface Utf8Slicer {
  utf8Slice(from: number, to: number): string;
}

function nonAscii(bytes: Buffer, from: number, to: number, path: string): string {
  const decoded = (bytes as Buffer & Utf8Slicer).utf8Slice(from, to);
  // V8 turns every invalid sequence into U+FFFD (WHATWG decoding), so without one the bytes were valid UTF-8. With
  // one, the strict decoder tells a U+FFFD that was sent from a replaced error.
  return decoded.includes('\uFFFD') ? utf8(bytes.subarray(from, to), path) : decoded;
}
