import { CodecError } from '../errors.js';
import type { Fields } from './fields.js';
import { PayloadReader } from './payload-reader.js';
import type { BufferWriter } from './writer.js';

/** Where every message parser saves its end offset, so that a decode can check it consumed the frame exactly. */
const END_OFFSET = '__end';

/** A message as the application sees it: its `type` and its fields. */
export type Message<Type extends string, T extends object> = { readonly type: Type } & { readonly [K in Exclude<keyof T, 'type'>]: T[K] };

export interface MessageOptions {
  /** Largest payload of this type (tag included), checked on encode and decode; the codec's maximum applies too. */
  readonly maxFrameLength?: number;
}

/** One message type of a binary codec: its tag, its name and its fields, decoded and encoded from one declaration. */
export interface MessageType<M extends { readonly type: string }> {
  readonly tag: number;
  readonly type: M['type'];
  readonly maxFrameLength: number;
  /** Decodes the payload after the tag; it must be consumed exactly. */
  decode(payload: Buffer): M;
  /** Writes the fields after the tag. */
  write(writer: BufferWriter, message: M): void;
  /** Bytes of the fields after the tag. */
  size(message: M): number;
}

/** The message union of a list of message types. */
export type MessageOf<T> = T extends MessageType<infer M> ? M : never;

/**
 * Declares a message type: `message(0x01, 'say', fields().u16('room').str16('text'))`. The decoder is built once,
 * here, and always checks that it consumed the frame exactly: bytes past the last field are ERR_TRAILING_BYTES,
 * fields past the end ERR_MALFORMED.
 */
export function message<const Type extends string, T extends object>(
  tag: number,
  type: Type,
  body: Fields<T>,
  options: MessageOptions = {},
): MessageType<Message<Type, T>> {
  if (!Number.isInteger(tag) || tag < 0 || tag > 0xff) throw new RangeError(`${type}: tag must be a u8, got ${tag}`);
  if (body.names.includes('type')) throw new Error(`${type}: a field cannot be called "type" (it holds the message type)`);
  if (body.names.includes(END_OFFSET)) throw new Error(`${type}: a field cannot be called "${END_OFFSET}" (it holds the parser's end offset)`);
  const reader = new PayloadReader();
  const compiled = body.compile(type, reader, ' ');
  const parser = compiled.parser.saveOffset(END_OFFSET);
  const what = `${type} message`;
  return {
    tag,
    type: type as Message<Type, T>['type'],
    maxFrameLength: options.maxFrameLength ?? Number.MAX_SAFE_INTEGER,
    decode(payload) {
      let parsed: Record<string, unknown>;
      try {
        parsed = reader.during(payload, bytes => parser.parse(bytes) as Record<string, unknown>);
      } catch (error) {
        // binary-parser reads fixed-size fields through a DataView, which throws RangeError past the end (and so does
        // a str16 length prefix).
        if (error instanceof RangeError) {
          throw new CodecError('ERR_MALFORMED', `${what}: ${payload.length} bytes are shorter than its fields`, { cause: error });
        }
        throw error;
      }
      const end = parsed[END_OFFSET] as number;
      if (end > payload.length) {
        throw new CodecError('ERR_MALFORMED', `${what}: an inner length runs ${end - payload.length} bytes past the end of the ${payload.length}-byte payload`);
      }
      if (end < payload.length) throw new CodecError('ERR_TRAILING_BYTES', `${what}: ${payload.length - end} trailing bytes after the last field`);
      delete parsed[END_OFFSET];
      return { type, ...parsed } as Message<Type, T>;
    },
    write: (writer, value) => compiled.write(writer, value as unknown as T),
    size: value => compiled.size(value as unknown as T),
  };
}
