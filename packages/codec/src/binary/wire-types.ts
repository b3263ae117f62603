import { Parser } from 'binary-parser/dist/binary_parser.js';
import { CodecError } from '../errors.js';
import { readStr16, str16Bytes } from './string-reader.js';
import type { BufferWriter } from './writer.js';

/**
 * A wire type compiled for one place in a message: `path` (e.g. "roster members[].name") names it in errors.
 * binary-parser reads it; the writer writes it; `size` predicts its bytes, so a frame is sized before it is written.
 */
export interface CompiledType<V> {
  /** Adds a field of this type named `name` to `parser`. */
  addTo(parser: Parser, name: string): Parser;
  /** binary-parser's element type when this is the item of a list, and the conversion of each raw item. */
  readonly item: { readonly type: string | Parser; readonly convert?: (raw: any) => V };
  write(writer: BufferWriter, value: V): void;
  size(value: V): number;
}

/** A type that can appear on the wire: an integer, a string, a list, or a record of named fields (`Fields`). */
export interface WireType<V> {
  compile(path: string): CompiledType<V>;
}

/** The value type a WireType carries. */
export type ValueOf<W> = W extends WireType<infer V> ? V : never;

type UintMethod = 'uint8' | 'uint16be' | 'uint32be';
type WriterMethod = 'u8' | 'u16' | 'u32';

function uint<V extends number>(parserMethod: UintMethod, writerMethod: WriterMethod, bytes: number): WireType<V> {
  return {
    compile: path => ({
      addTo: (parser, name) => parser[parserMethod](name),
      item: { type: parserMethod },
      write: (writer, value) => void writer[writerMethod](value, path),
      size: () => bytes,
    }),
  };
}

/** Unsigned integers, big-endian. */
export const u8: WireType<number> = uint('uint8', 'u8', 1);
export const u16: WireType<number> = uint('uint16be', 'u16', 2);
export const u32: WireType<number> = uint('uint32be', 'u32', 4);

/**
 * A UTF-8 string behind a u16 big-endian byte length ("Sánchez" is 8 bytes). In the parser it is a saved offset whose
 * formatter reads the string from the lent payload (see string-reader.ts), then a seek past it: binary-parser's own
 * string and buffer types would cost a Buffer view and a wrapper object per string, and they silently truncate a
 * string that runs past the input.
 */
export const str16: WireType<string> = {
  compile: path => {
    const read = (start: number) => readStr16(start, path);
    const asItem = new Parser().saveOffset('value', { formatter: read }).seek(str16Bytes);
    return {
      addTo: (parser, name) => parser.saveOffset(name, { formatter: read }).seek(str16Bytes),
      item: { type: asItem, convert: (raw: { value: string }) => raw.value },
      write: (writer, value) => void writer.str16(value, path),
      size: value => 2 + (typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : 0),
    };
  },
};

const COUNT_TYPES = { u16: ['uint16be', 2], u32: ['uint32be', 4] } as const;

/** `count` items of `item`, behind the count as a u16 or u32. */
export function list<V>(item: WireType<V>, count: keyof typeof COUNT_TYPES = 'u16'): WireType<readonly V[]> {
  const [countMethod, countBytes] = COUNT_TYPES[count];
  return {
    compile: path => {
      const items = item.compile(`${path}[]`);
      const { type, convert } = items.item;
      const countField = `${path} count`;
      const listParser = new Parser()[countMethod]('count').array('items', { type, length: 'count' });
      const unwrap = convert === undefined ? (raw: { items: V[] }) => raw.items : (raw: { items: unknown[] }) => raw.items.map(convert);
      return {
        addTo: (parser, name) => parser.nest(name, { type: listParser, formatter: unwrap }),
        item: { type: listParser, convert: unwrap },
        write: (writer, values) => {
          if (!Array.isArray(values)) throw new CodecError('ERR_ENCODE', `${path} must be an array, got ${typeof values}`);
          writer[count](values.length, countField);
          for (let i = 0; i < values.length; i++) items.write(writer, values[i]);
        },
        size: values => {
          let total = countBytes;
          if (Array.isArray(values)) for (let i = 0; i < values.length; i++) total += items.size(values[i]);
          return total;
        },
      };
    },
  };
}
