import { CodecError } from '../errors.js';
import { Parser } from './parser.js';
import type { PayloadReader } from './payload-reader.js';
import { bool, bytes16, bytes32, f64, i16, i32, i64, i8, list, optional, str16, str32, u16, u32, u64, u8, type CompiledType, type WireType } from './wire-types.js';
import type { BufferWriter } from './writer.js';

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type With<T, K extends string, V> = Simplify<T & { readonly [P in K]: V }>;

/**
 * The fields of a message or record, in wire order, typed as they are declared:
 * `fields().u16('room').str16('text')` reads and writes `{ room: number; text: string }`. Immutable: every call
 * returns new Fields, so one declaration can be shared. Compiled into one binary-parser Parser and one writer.
 */
export class Fields<T extends object = {}> implements WireType<T> {
  readonly #entries: ReadonlyArray<readonly [string, WireType<unknown>]>;
  readonly name = 'record';
  /** Type only, never set (see WireType). */
  declare readonly valueType?: T;

  private constructor(entries: ReadonlyArray<readonly [string, WireType<unknown>]>) {
    this.#entries = entries;
  }

  /** No fields yet; `fields()` is the usual way to start. */
  static empty(): Fields<{}> {
    return new Fields([]);
  }

  /** A field of any wire type (`u16`, `str16`, `list(...)`, another `Fields`, …). */
  field<K extends string, V>(name: K, type: WireType<V>): Fields<With<T, K, V>> {
    if (this.#entries.some(([existing]) => existing === name)) throw new Error(`field ${name} is declared twice`);
    return new Fields([...this.#entries, [name, type as WireType<unknown>]]);
  }

  /** An unsigned byte. (The type parameter `V` narrows the type without checking it: use `oneOf` or `enumOf`.) */
  u8<K extends string, V extends number = number>(name: K): Fields<With<T, K, V>> {
    return this.field(name, u8 as WireType<V>);
  }

  /** An unsigned big-endian u16. (`V` narrows without checking: use `oneOf` or `enumOf`.) */
  u16<K extends string, V extends number = number>(name: K): Fields<With<T, K, V>> {
    return this.field(name, u16 as WireType<V>);
  }

  /** An unsigned big-endian u32. (`V` narrows without checking: use `oneOf` or `enumOf`.) */
  u32<K extends string, V extends number = number>(name: K): Fields<With<T, K, V>> {
    return this.field(name, u32 as WireType<V>);
  }

  i8<K extends string>(name: K): Fields<With<T, K, number>> {
    return this.field(name, i8);
  }

  i16<K extends string>(name: K): Fields<With<T, K, number>> {
    return this.field(name, i16);
  }

  i32<K extends string>(name: K): Fields<With<T, K, number>> {
    return this.field(name, i32);
  }

  /** A u64, as a bigint. */
  u64<K extends string>(name: K): Fields<With<T, K, bigint>> {
    return this.field(name, u64);
  }

  /** An i64, as a bigint. */
  i64<K extends string>(name: K): Fields<With<T, K, bigint>> {
    return this.field(name, i64);
  }

  f64<K extends string>(name: K): Fields<With<T, K, number>> {
    return this.field(name, f64);
  }

  /** A byte that must be 0 or 1. */
  bool<K extends string>(name: K): Fields<With<T, K, boolean>> {
    return this.field(name, bool);
  }

  /** A UTF-8 string behind its u16 byte length. */
  str16<K extends string>(name: K): Fields<With<T, K, string>> {
    return this.field(name, str16);
  }

  /** A UTF-8 string behind its u32 byte length. */
  str32<K extends string>(name: K): Fields<With<T, K, string>> {
    return this.field(name, str32);
  }

  /** Raw bytes behind their u16 length. */
  bytes16<K extends string>(name: K): Fields<With<T, K, Buffer>> {
    return this.field(name, bytes16);
  }

  /** Raw bytes behind their u32 length. */
  bytes32<K extends string>(name: K): Fields<With<T, K, Buffer>> {
    return this.field(name, bytes32);
  }

  /** A value of `type` or `undefined`, behind a presence byte. */
  optional<K extends string, V>(name: K, type: WireType<V>): Fields<With<T, K, V | undefined>> {
    return this.field(name, optional(type));
  }

  /** A list of `item` behind its count (u16 unless said otherwise). */
  list<K extends string, V>(name: K, item: WireType<V>, count: 'u16' | 'u32' = 'u16'): Fields<With<T, K, readonly V[]>> {
    return this.field(name, list(item, count));
  }

  /** Field names in wire order. */
  get names(): string[] {
    return this.#entries.map(([name]) => name);
  }

  /**
   * `path` prefixes field names in errors: "roster" gives "roster team", "roster members[].name".
   * A record's fields are joined with "." under it, the top level's with a space.
   */
  /** @internal */
  compile(path: string, reader: PayloadReader, separator = '.'): CompiledType<T> & { readonly parser: Parser } {
    const compiled = this.#entries.map(([name, type]) => [name, type.compile(`${path}${separator}${name}`, reader)] as const);
    const parser = compiled.reduce((p, [name, type]) => type.addTo(p, name), new Parser());
    const names = compiled.map(([name]) => name);
    const types = compiled.map(([, type]) => type);
    const writeFields = fieldWriter(names, types);
    const sizeFields = fieldSizer(names, types);
    return {
      parser,
      addTo: (outer, name, format) => outer.nest(name, format === undefined ? { type: parser } : { type: parser, formatter: format }),
      item: { type: parser },
      write: (writer, value) => {
        if (value === null || typeof value !== 'object') throw new CodecError('ERR_ENCODE', `${path} must be an object, got ${value === null ? 'null' : typeof value}`);
        writeFields(writer, value);
      },
      size: value => {
        if (value === null || typeof value !== 'object') return 0;
        return sizeFields(value);
      },
    };
  }
}

/** Starts a field list: `fields().u16('room').str16('text')`. */
export function fields(): Fields<{}> {
  return Fields.empty();
}

// Generated once per declaration, as binary-parser generates its parsers: each field is then read by a property
// access with a constant name, which V8 caches, where `value[names[i]]` in a loop looks up a varying key on every
// field of every record.

function fieldWriter(names: readonly string[], types: readonly CompiledType<unknown>[]): (writer: BufferWriter, value: object) => void {
  const body = names.map((name, i) => `t[${i}].write(w, v[${JSON.stringify(name)}]);`).join(' ');
  return new Function('t', `return function writeFields(w, v) { ${body} };`)(types);
}

function fieldSizer(names: readonly string[], types: readonly CompiledType<unknown>[]): (value: object) => number {
  const body = names.map((name, i) => `n += t[${i}].size(v[${JSON.stringify(name)}]);`).join(' ');
  return new Function('t', `return function sizeFields(v) { let n = 0; ${body} return n; };`)(types);
}
