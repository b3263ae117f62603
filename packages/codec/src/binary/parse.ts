import type { Parser } from 'binary-parser';
import { CodecError } from '../errors.js';

/** Name of the offset every message parser saves last (see `parseExactly`). */
export const END_OFFSET = '__end';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Runs a binary-parser `Parser` (which must end with `.saveOffset(END_OFFSET)`) over exactly `bytes`.
 * binary-parser itself silently truncates a buffer or string that runs past the input and ignores trailing
 * bytes; fixed-size reads past the end throw RangeError. All three become CodecErrors here.
 */
export function parseExactly<T>(parser: Parser, bytes: Buffer, what: string): T {
  let parsed: Record<string, unknown>;
  try {
    parsed = parser.parse(bytes) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof RangeError) {
      throw new CodecError('ERR_MALFORMED', `${what}: ${bytes.length} bytes are shorter than its fields`, { cause: error });
    }
    throw error;
  }
  const end = parsed[END_OFFSET] as number;
  if (end > bytes.length) throw new CodecError('ERR_MALFORMED', `${what}: an inner length runs ${end - bytes.length} bytes past the end of the ${bytes.length}-byte frame`);
  if (end < bytes.length) throw new CodecError('ERR_TRAILING_BYTES', `${what}: ${bytes.length - end} trailing bytes after the last field`);
  return parsed as T;
}

/** Decodes a string field's bytes, rejecting invalid UTF-8 (a cut character would otherwise become U+FFFD). */
export function utf8(bytes: Buffer, field: string): string {
  try {
    return strictUtf8.decode(bytes);
  } catch (error) {
    throw new CodecError('ERR_INVALID_UTF8', `${field} is not valid UTF-8`, { cause: error });
  }
}
