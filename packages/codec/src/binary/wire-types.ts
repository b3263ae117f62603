import { CodecError } from '../errors.js';
import type { Fields } from './fields.js';
import { Parser } from './parser.js';
import type { PayloadReader } from './payload-reader.js';
import { MAX_U16, MAX_U32, type BufferWriter } from './writer.js';

/**
 * @internal A wire type compiled for one place in one message type: `path` (e.g. "roster members[].name") names it
 * in errors. binary-parser reads it; the writer writes it; `size` predicts its bytes, so a frame is sized before it
 * is written.
 */
export interface CompiledType<V> {
  /** Adds a field of this type named `name` to `parser`; `format` converts the decoded value (a mapped type's). */
  addTo(parser: Parser, name: string, format?: (value: V) => unknown): Parser;
  /** binary-parser's element type when this is the item of a list or an optional, and the conversion of each raw item. */
  readonly item: { readonly type: string | Parser; readonly convert?: (raw: any) => V };
  write(writer: BufferWriter, value: V): void;
  size(value: V): number;
}

/**
 * A type that can appear on the wire, carrying values of type `V`: the ones below, a record (`fields()`), or your own
 * built with `mapped` over one of them. Decoding checks what the type promises: a value it does not allow is a
 * CodecError, never a value typed as something it is not.
 */
export interface WireType<V> {
  /** What it is, for messages: "u8", "list<str16>", … */
  readonly name: string;
  /** Type only, never set: names `V` in the structure, so that `ValueOf` can read it. */
  readonly valueType?: V;
  /** @internal */
  compile(path: string, reader: PayloadReader): CompiledType<V>;
}

/** The value type a WireType carries. */
export type ValueOf<W> = W extends WireType<infer V> ? V : never;

type Convert = (raw: any) => any;
const options = (format: Convert | undefined) => (format === undefined ? {} : { formatter: format });
/** `first` then `second`, either of which may be absent. */
const then = (first: Convert | undefined, second: Convert | undefined): Convert | undefined =>
  first === undefined ? second : second === undefined ? first : (raw: any) => second(first(raw));

type NumberParser = 'uint8' | 'uint16be' | 'uint32be' | 'int8' | 'int16be' | 'int32be' | 'uint64be' | 'int64be' | 'doublebe';

/** A fixed-size field read by one binary-parser primitive; `check` refuses raw values the type does not allow. */
function fixed<V>(name: string, parserType: NumberParser, bytes: number, write: (writer: BufferWriter, value: V, path: string) => void, check?: (raw: any, path: string) => V): WireType<V> {
  return {
    name,
    compile: path => {
      const convert = check === undefined ? undefined : (raw: any) => check(raw, path);
      return {
        addTo: (parser, field, format) => parser[parserType](field, options(then(convert, format))),
        item: convert === undefined ? { type: parserType } : { type: parserType, convert },
        write: (writer, value) => write(writer, value, path),
        size: () => bytes,
      };
    },
  };
}

/** Unsigned integers, big-endian. */
export const u8: WireType<number> = fixed('u8', 'uint8', 1, (w, v, path) => w.u8(v, path));
export const u16: WireType<number> = fixed('u16', 'uint16be', 2, (w, v, path) => w.u16(v, path));
export const u32: WireType<number> = fixed('u32', 'uint32be', 4, (w, v, path) => w.u32(v, path));
/** Signed integers (two's complement), big-endian. */
export const i8: WireType<number> = fixed('i8', 'int8', 1, (w, v, path) => w.i8(v, path));
export const i16: WireType<number> = fixed('i16', 'int16be', 2, (w, v, path) => w.i16(v, path));
export const i32: WireType<number> = fixed('i32', 'int32be', 4, (w, v, path) => w.i32(v, path));
/** 64-bit integers, big-endian, as `bigint` (a `number` cannot hold them exactly). */
export const u64: WireType<bigint> = fixed('u64', 'uint64be', 8, (w, v, path) => w.u64(v, path));
export const i64: WireType<bigint> = fixed('i64', 'int64be', 8, (w, v, path) => w.i64(v, path));
/** An IEEE 754 double, big-endian. */
export const f64: WireType<number> = fixed('f64', 'doublebe', 8, (w, v, path) => w.f64(v, path));

/** A u8 that must be 0 (false) or 1 (true); any other byte is ERR_INVALID_VALUE. */
export const bool: WireType<boolean> = fixed('bool', 'uint8', 1, (w, v, path) => w.bool(v, path), (raw: number, path) => {
  if (raw === 1) return true;
  if (raw === 0) return false;
  throw new CodecError('ERR_INVALID_VALUE', `${path}: a bool must be 0 or 1, got ${raw}`);
});

/**
 * A field behind its length prefix, read by the message type's PayloadReader from the payload itself: a saved offset
 * whose formatter reads the field, then a seek past it. (binary-parser's own string and buffer types cost a Buffer
 * view and a wrapper object per field, and silently truncate one that runs past the input.)
 */
function prefixed<V>(name: string, prefixBytes: 2 | 4, read: (reader: PayloadReader, start: number, path: string) => V, write: (writer: BufferWriter, value: V, path: string) => void, size: (value: V) => number): WireType<V> {
  return {
    name,
    compile: (path, reader) => {
      const readAt = (start: number) => read(reader, start, path);
      const consumed = () => reader.consumed;
      return {
        addTo: (parser, field, format) => parser.saveOffset(field, { formatter: then(readAt, format)! }).seek(consumed),
        item: { type: new Parser().saveOffset('value', { formatter: readAt }).seek(consumed), convert: (raw: { value: V }) => raw.value },
        write: (writer, value) => write(writer, value, path),
        size,
      };
    },
  };
}

const utf8Bytes = (value: string) => (typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : 0);

/** A UTF-8 string behind a u16 big-endian byte length ("Sánchez" is 8 bytes); invalid UTF-8 is ERR_INVALID_UTF8. */
export const str16: WireType<string> = prefixed('str16', 2, (r, start, path) => r.string(start, 2, path), (w, v, path) => w.str16(v, path), v => 2 + utf8Bytes(v));
/** A UTF-8 string behind a u32 big-endian byte length. */
export const str32: WireType<string> = prefixed('str32', 4, (r, start, path) => r.string(start, 4, path), (w, v, path) => w.str32(v, path), v => 4 + utf8Bytes(v));

const byteCount = (value: Uint8Array) => (value instanceof Uint8Array ? value.length : 0);
/** Raw bytes behind a u16 big-endian length; decoded as a Buffer of their own (a copy). */
export const bytes16: WireType<Buffer> = prefixed('bytes16', 2, (r, start, path) => r.bytes(start, 2, path), (w, v, path) => w.bytes(v, 'u16', path), v => 2 + byteCount(v));
/** Raw bytes behind a u32 big-endian length. */
export const bytes32: WireType<Buffer> = prefixed('bytes32', 4, (r, start, path) => r.bytes(start, 4, path), (w, v, path) => w.bytes(v, 'u32', path), v => 4 + byteCount(v));

const COUNT_TYPES = { u16: ['uint16be', 2, MAX_U16], u32: ['uint32be', 4, MAX_U32] } as const;

/** `count` items of `item`, behind the count as a u16 or u32. */
export function list<V>(item: WireType<V>, count: keyof typeof COUNT_TYPES = 'u16'): WireType<readonly V[]> {
  const [countMethod, countBytes] = COUNT_TYPES[count];
  return {
    name: `list<${item.name}>`,
    compile: (path, reader) => {
      const items = item.compile(`${path}[]`, reader);
      const { type, convert } = items.item;
      const countField = `${path} count`;
      const listParser = new Parser()[countMethod]('count').array('items', { type, length: 'count' });
      const unwrap = convert === undefined ? (raw: { items: V[] }) => raw.items : (raw: { items: unknown[] }) => raw.items.map(convert);
      return {
        addTo: (parser, name, format) => parser.nest(name, { type: listParser, formatter: then(unwrap, format)! }),
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

/** `u8 1 | value`, or `u8 0` for `undefined`; a flag other than 0 or 1 is ERR_INVALID_VALUE. */
export function optional<V>(type: WireType<V>): WireType<V | undefined> {
  return {
    name: `optional<${type.name}>`,
    compile: (path, reader) => {
      const inner = type.compile(path, reader);
      const flag = (raw: number) => {
        if (raw > 1) throw new CodecError('ERR_INVALID_VALUE', `${path}: an optional's flag must be 0 or 1, got ${raw}`);
        return raw;
      };
      const parser = new Parser().uint8('present', { formatter: flag }).choice('value', { tag: 'present', choices: { 0: new Parser(), 1: inner.item.type } });
      const convert = inner.item.convert;
      const unwrap = (raw: { present: number; value: any }): V | undefined => (raw.present === 0 ? undefined : convert === undefined ? raw.value : convert(raw.value));
      return {
        addTo: (outer, name, format) => outer.nest(name, { type: parser, formatter: then(unwrap, format)! }),
        item: { type: parser, convert: unwrap },
        write: (writer, value) => {
          if (value === undefined) writer.u8(0, path);
          else inner.write(writer.u8(1, path), value);
        },
        size: value => (value === undefined ? 1 : 1 + inner.size(value)),
      };
    },
  };
}

export interface Mapping<Wire, V> {
  /** The value from what `base` decoded; throw (any Error) to refuse it: it becomes ERR_INVALID_VALUE. */
  decode(wire: Wire): V;
  /** What `base` writes for `value`; throw to refuse it: it becomes ERR_ENCODE. */
  encode(value: V): Wire;
  /** For messages; default "mapped<base>". */
  readonly name?: string;
}

/**
 * A wire type of your own, on top of an existing one: `base` reads and writes the bytes, `decode` and `encode`
 * convert. Errors name the field: `event at: not a valid date`.
 *
 * @example
 * // A date as milliseconds since the epoch, on the wire as an i64.
 * const date = mapped(i64, { name: 'date', decode: ms => new Date(Number(ms)), encode: (d: Date) => BigInt(d.getTime()) });
 */
export function mapped<Wire, V>(base: WireType<Wire>, mapping: Mapping<Wire, V>): WireType<V> {
  return {
    name: mapping.name ?? `mapped<${base.name}>`,
    compile: (path, reader) => {
      const inner = base.compile(path, reader);
      const decode = (wire: Wire): V => {
        try {
          return mapping.decode(wire);
        } catch (error) {
          throw refused('ERR_INVALID_VALUE', path, error);
        }
      };
      const encode = (value: V): Wire => {
        try {
          return mapping.encode(value);
        } catch (error) {
          throw refused('ERR_ENCODE', path, error);
        }
      };
      return {
        addTo: (parser, name, format) => inner.addTo(parser, name, then(decode, format)),
        item: { type: inner.item.type, convert: then(inner.item.convert, decode)! },
        write: (writer, value) => inner.write(writer, encode(value)),
        size: value => inner.size(encode(value)),
      };
    },
  };
}

function refused(code: 'ERR_INVALID_VALUE' | 'ERR_ENCODE', path: string, error: unknown): CodecError {
  if (error instanceof CodecError) return error;
  return new CodecError(code, `${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}

/**
 * A literal union over `base`: `oneOf(u8, [1, 2, 4])` carries `1 | 2 | 4`, and decoding any other value is
 * ERR_INVALID_VALUE (encoding one, ERR_ENCODE).
 */
export function oneOf<const L extends readonly (number | string | bigint)[], W extends L[number]>(base: WireType<W extends number ? number : W extends bigint ? bigint : string>, values: L): WireType<L[number]> {
  const allowed = new Set<unknown>(values);
  const check = (value: unknown) => {
    if (!allowed.has(value)) throw new Error(`${String(value)} is not one of ${values.map(String).join(', ')}`);
    return value as L[number];
  };
  return mapped(base as WireType<unknown>, { name: `oneOf<${base.name}>`, decode: check, encode: check }) as WireType<L[number]>;
}

/** The members of a TypeScript enum (numeric or string) as a literal union over `base` (see `oneOf`). */
export function enumOf<E extends Record<string, string | number>>(base: WireType<number> | WireType<string>, enumeration: E): WireType<E[keyof E]> {
  // A numeric enum maps its values back to its names too: only the keys that are not numbers name members.
  const values = Object.keys(enumeration)
    .filter(key => Number.isNaN(Number(key)))
    .map(key => enumeration[key]!);
  return oneOf(base as WireType<any>, values) as WireType<E[keyof E]>;
}

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type RecordOf<F> = F extends Fields<infer T> ? T : never;
/** The value of a `union`: one variant's fields, with the discriminant naming it. */
export type VariantOf<D extends string, V extends Record<string, readonly [number, Fields<any>]>> = {
  [K in keyof V & string]: Simplify<{ readonly [P in D]: K } & RecordOf<V[K][1]>>;
}[keyof V & string];

/**
 * A tagged union: `u8 tag | the variant's fields`. `union('kind', { circle: [1, fields().f64('r')], square: [2,
 * fields().f64('side')] })` carries `{ kind: 'circle'; r: number } | { kind: 'square'; side: number }`. An unknown
 * tag is ERR_INVALID_VALUE. Tags and names are checked when declared.
 */
export function union<const D extends string, const V extends Record<string, readonly [number, Fields<any>]>>(discriminant: D, variants: V): WireType<VariantOf<D, V>> {
  const entries = Object.entries(variants);
  const tags = new Set<number>();
  for (const [name, [tag, body]] of entries) {
    if (!Number.isInteger(tag) || tag < 0 || tag > 0xff) throw new RangeError(`union ${discriminant}: variant ${name}'s tag must be a u8, got ${tag}`);
    if (tags.has(tag)) throw new Error(`union ${discriminant}: tag ${tag} is used twice`);
    if (body.names.includes(discriminant)) throw new Error(`union ${discriminant}: variant ${name} has a field called ${discriminant} (it holds the variant's name)`);
    tags.add(tag);
  }
  return {
    name: `union<${discriminant}>`,
    compile: (path, reader) => {
      const compiled = entries.map(([name, [tag, body]]) => ({ name, tag, body: body.compile(`${path}(${name})`, reader) }));
      const byTag = new Map(compiled.map(variant => [variant.tag, variant]));
      const byName = new Map(compiled.map(variant => [variant.name, variant]));
      const tag = (raw: number) => {
        if (!byTag.has(raw)) throw new CodecError('ERR_INVALID_VALUE', `${path}: unknown ${discriminant} tag ${raw}`);
        return raw;
      };
      const choices = Object.fromEntries(compiled.map(variant => [variant.tag, variant.body.parser]));
      const parser = new Parser().uint8('tag', { formatter: tag }).choice('body', { tag: 'tag', choices });
      const unwrap = (raw: { tag: number; body: object }) => ({ [discriminant]: byTag.get(raw.tag)!.name, ...raw.body }) as VariantOf<D, V>;
      const variantOf = (value: VariantOf<D, V>) => {
        const name = (value as Record<string, unknown> | null)?.[discriminant];
        const variant = typeof name === 'string' ? byName.get(name) : undefined;
        if (variant === undefined) throw new CodecError('ERR_ENCODE', `${path}: ${discriminant} must be one of ${[...byName.keys()].join(', ')}, got ${String(name)}`);
        return variant;
      };
      return {
        addTo: (outer, name, format) => outer.nest(name, { type: parser, formatter: then(unwrap, format)! }),
        item: { type: parser, convert: unwrap },
        write: (writer, value) => {
          const variant = variantOf(value);
          variant.body.write(writer.u8(variant.tag, path), value);
        },
        size: value => 1 + variantOf(value).body.size(value),
      };
    },
  };
}
