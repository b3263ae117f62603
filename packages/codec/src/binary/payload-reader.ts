import { CodecError } from '../errors.js';
import { utf8 } from './utf8.js';

const EMPTY = Buffer.alloc(0);

/**
 * Above this, an ASCII string is sliced from the payload on its own instead of from the whole payload's latin1 text:
 * a large payload is not copied for a few strings, and a kept substring never holds more than this in memory.
 */
const WHOLE_TEXT_LIMIT = 1 << 16;

/**
 * Reads the variable-length fields (strings, bytes) of one message type straight from the payload being parsed.
 * binary-parser hands a formatter the field's value, never the input, so each message type owns one reader and lends
 * it the payload for the length of one synchronous parse (`during`); nested parses restore the outer payload.
 * A string then costs no Buffer view, wrapper object or TextDecoder call.
 */
export class PayloadReader {
  #payload: Buffer = EMPTY;
  /** The payload as latin1 text, made at the first ASCII string of a parse: each ASCII string is a substring. */
  #text: string | undefined;
  /** Bytes the last variable-length field took, its length prefix included: the seek after it moves past them. */
  consumed = 0;

  /** Runs `parse` with `payload` lent to this reader, then restores what was lent before. */
  during<T>(payload: Buffer, parse: (payload: Buffer) => T): T {
    const outer = this.#payload;
    const outerText = this.#text;
    this.#payload = payload;
    this.#text = undefined;
    try {
      return parse(payload);
    } finally {
      this.#payload = outer;
      this.#text = outerText;
    }
  }

  /** `u16 or u32 length | UTF-8 bytes` at `start`, exactly: past the end is ERR_MALFORMED, bad UTF-8 ERR_INVALID_UTF8. */
  string(start: number, prefixBytes: 2 | 4, path: string): string {
    const bytes = this.#payload;
    const from = start + prefixBytes;
    const to = from + this.#length(bytes, start, prefixBytes, path);
    for (let i = from; i < to; i++) if (bytes[i]! > 0x7f) return nonAscii(bytes, from, to, path);
    if (bytes.length > WHOLE_TEXT_LIMIT) return bytes.toString('latin1', from, to);
    return (this.#text ??= bytes.toString('latin1')).substring(from, to);
  }

  /** `u16 or u32 length | bytes` at `start`, as a copy (the payload may be a view of a socket's chunk). */
  bytes(start: number, prefixBytes: 2 | 4, path: string): Buffer {
    const bytes = this.#payload;
    const from = start + prefixBytes;
    return Buffer.from(bytes.subarray(from, from + this.#length(bytes, start, prefixBytes, path)));
  }

  /** The length prefix at `start`, checked against the payload's end; records the bytes the field takes. */
  #length(bytes: Buffer, start: number, prefixBytes: 2 | 4, path: string): number {
    // A RangeError, as binary-parser's own reads past the end: the message decoder reports it as ERR_MALFORMED.
    if (start + prefixBytes > bytes.length) throw new RangeError(`${path}: the length prefix at offset ${start} runs past the ${bytes.length}-byte payload`);
    const length = prefixBytes === 2 ? (bytes[start]! << 8) | bytes[start + 1]! : bytes.readUInt32BE(start);
    const end = start + prefixBytes + length;
    if (end > bytes.length) {
      throw new CodecError('ERR_MALFORMED', `${path}: its length of ${length} bytes runs ${end - bytes.length} bytes past the end of the frame`);
    }
    this.consumed = prefixBytes + length;
    return length;
  }
}

function nonAscii(bytes: Buffer, from: number, to: number, path: string): string {
  const decoded = bytes.toString('utf8', from, to);
  // Buffer's decoding turns every invalid sequence into U+FFFD, so without one the bytes were valid UTF-8. With one,
  // the strict decoder tells a U+FFFD that was sent from a replaced error.
  return decoded.includes('\uFFFD') ? utf8(bytes.subarray(from, to), path) : decoded;
}
