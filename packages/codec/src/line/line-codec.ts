import type { Codec } from '../codec.js';
import { CodecError } from '../errors.js';
import { utf8 } from '../binary/utf8.js';
import { DecoderStage, type Push } from '../stage.js';

export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Bytes in, one string per `\n`-terminated line out (a trailing `\r` is dropped, so CRLF works too).
 * A last line without `\n` is delivered at end of input, as netcat may send it.
 */
export class LineDecoder extends DecoderStage<Buffer, string> {
  #pending: Buffer[] = [];
  #pendingBytes = 0;

  constructor(private readonly maxLineBytes = DEFAULT_MAX_LINE_BYTES) {
    super({ objectInput: false });
  }

  protected override decode(chunk: Buffer, push: Push<string>): void {
    let start = 0;
    for (let newline = chunk.indexOf(NEWLINE); newline >= 0; newline = chunk.indexOf(NEWLINE, start)) {
      this.#pending.push(chunk.subarray(start, newline));
      this.#pendingBytes += newline - start;
      push(this.#takeLine());
      start = newline + 1;
    }
    if (start < chunk.length) {
      this.#pending.push(Buffer.from(chunk.subarray(start)));
      this.#pendingBytes += chunk.length - start;
    }
    this.#checkLength();
  }

  protected override finish(push: Push<string>): void {
    if (this.#pendingBytes > 0) push(this.#takeLine());
  }

  #checkLength(): void {
    if (this.#pendingBytes > this.maxLineBytes) {
      throw new CodecError('ERR_FRAME_TOO_LONG', `line of more than ${this.#pendingBytes} bytes exceeds the maximum of ${this.maxLineBytes} bytes`);
    }
  }

  #takeLine(): string {
    this.#checkLength();
    let line = Buffer.concat(this.#pending, this.#pendingBytes);
    this.#pending = [];
    this.#pendingBytes = 0;
    if (line.length > 0 && line[line.length - 1] === CARRIAGE_RETURN) line = line.subarray(0, -1);
    return utf8(line, 'line');
  }
}

/** Newline-delimited UTF-8 text: each message is one line, without its line break. */
export function lineCodec(maxLineBytes = DEFAULT_MAX_LINE_BYTES): Codec<string, string> {
  return {
    name: 'line',
    createDecoders: () => [new LineDecoder(maxLineBytes)],
    decode: (bytes: Uint8Array) => {
      let line = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
      if (line.length > 0 && line[line.length - 1] === NEWLINE) line = line.subarray(0, -1);
      const lineBreak = line.indexOf(NEWLINE);
      if (lineBreak >= 0) throw new CodecError('ERR_TRAILING_BYTES', `line: ${line.length - lineBreak} bytes from a second line break on`);
      if (line.length > maxLineBytes) throw new CodecError('ERR_FRAME_TOO_LONG', `line of ${line.length} bytes exceeds the maximum of ${maxLineBytes} bytes`);
      if (line.length > 0 && line[line.length - 1] === CARRIAGE_RETURN) line = line.subarray(0, -1);
      return utf8(line, 'line');
    },
    encode: (line: string) => {
      if (line.includes('\n')) throw new CodecError('ERR_ENCODE', 'a line message cannot contain a line break');
      const bytes = Buffer.from(`${line}\n`, 'utf8');
      if (bytes.length - 1 > maxLineBytes) {
        throw new CodecError('ERR_FRAME_TOO_LONG', `line of ${bytes.length - 1} bytes exceeds the maximum of ${maxLineBytes} bytes`);
      }
      return bytes;
    },
  };
}
