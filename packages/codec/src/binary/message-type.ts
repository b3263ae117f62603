import type { Parser } from 'binary-parser';
import type { BufferWriter } from './writer.js';

/**
 * One message type of a binary codec: its tag, a binary-parser `Parser` for the payload after the tag
 * (ending with `.saveOffset(END_OFFSET)`), the conversion from the parser's raw output, and the encoder.
 * Keep the parser and `write` side by side in one file so they cannot drift.
 */
export interface MessageType<M extends { readonly type: string }> {
  readonly tag: number;
  readonly type: M['type'];
  readonly parser: Parser;
  /** Turns binary-parser's raw result into the message (decode strings with `utf8`, check values). */
  fromParsed(raw: any): M;
  /** Writes the fields after the tag. */
  write(writer: BufferWriter, message: M): void;
}
