/**
 * The README's wire tables are the declarations: every message row, read as a layout, encodes and decodes exactly as
 * the codec does, and the README lists every declared message type and error code.
 */
import { readFile } from 'node:fs/promises';
import test from 'ava';
import { decodeChunks } from '@tp0/codec/testing';
import { ErrorCode, lottery, LOTTERY_VERSION, lotteryRequestTypes, lotteryResponseTypes, TRANSIENT_ERRORS, type LotteryRequest, type LotteryResponse } from './index.js';

const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');

/** The rows of the README table under `heading` (the first table after it), as trimmed cells. */
function tableRows(heading: string): string[][] {
  const start = readme.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README has no "${heading}" section`);
  const lines = readme.slice(start).split('\n');
  const first = lines.findIndex(line => line.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.slice(1, -1).split(' | ').map(cell => cell.trim()));
  }
  return rows;
}

/** A field's wire layout as the README writes it: `u16`, `str16`, `bet`, or a list `u32 count × str16`. */
type Wire = { kind: 'u8' | 'u16' | 'u32' | 'str16' | 'bet' } | { kind: 'list'; count: 'u16' | 'u32'; item: 'str16' | 'bet' };

function parseWire(text: string, where: string): Wire {
  const list = /^(u16|u32) count × (str16|bet)$/.exec(text);
  if (list !== null) return { kind: 'list', count: list[1] as 'u16' | 'u32', item: list[2] as 'str16' | 'bet' };
  if (/^(u8|u16|u32|str16|bet)$/.test(text)) return { kind: text as 'u8' | 'u16' | 'u32' | 'str16' | 'bet' };
  throw new Error(`${where}: "${text}" is not a wire type of the README`);
}

/** `` `agency` u16, `first` u32 `` → [['agency', u16], ['first', u32]]. */
function parseFields(cell: string, where: string): [string, Wire][] {
  return cell.split(', ').map(item => {
    const match = /^`(\w+)` (.+)$/.exec(item);
    if (match === null) throw new Error(`${where}: "${item}" is not "\`name\` wire"`);
    return [match[1]!, parseWire(match[2]!, `${where}, ${match[1]}`)];
  });
}

const betFields = tableRows('A bet (inside `bet` and `bet_batch`), checked by `betProblem`:').map(([name, wire]) =>
  parseFields(`${name} ${wire}`, 'bet table')[0]!,
);

/**
 * A value for each field and the bytes the README says it takes. Every number differs, so that two fields swapped
 * or a wrong width shows; strings hold a two-byte UTF-8 character, so that a length in characters shows.
 */
class Sample {
  #next = 1;
  value(wire: Wire): { value: unknown; bytes: number[] } {
    switch (wire.kind) {
      case 'u8':
        return { value: this.#next, bytes: [this.#next++] };
      case 'u16':
        return this.#int(2, 0x0100 + this.#next++);
      case 'u32':
        return this.#int(4, 0x01020300 + this.#next++);
      case 'str16': {
        const text = `ñ${this.#next++}`;
        const utf8 = [...Buffer.from(text, 'utf8')];
        return { value: text, bytes: [...this.#int(2, utf8.length).bytes, ...utf8] };
      }
      case 'bet':
        return this.fields(betFields);
      case 'list': {
        const items = [this.value({ kind: wire.item }), this.value({ kind: wire.item })];
        return { value: items.map(i => i.value), bytes: [...this.#int(wire.count === 'u16' ? 2 : 4, items.length).bytes, ...items.flatMap(i => i.bytes)] };
      }
    }
  }

  fields(fields: readonly [string, Wire][]): { value: Record<string, unknown>; bytes: number[] } {
    const value: Record<string, unknown> = {};
    const bytes: number[] = [];
    for (const [name, wire] of fields) {
      // An error's `code` decodes only as an ErrorCode (enumOf): its sample is one, on the README's u16 layout.
      const sample = name === 'code' && wire.kind === 'u16' ? this.#int(2, ErrorCode.SESSION_TAKEN_OVER) : this.value(wire);
      value[name] = sample.value;
      bytes.push(...sample.bytes);
    }
    return { value, bytes };
  }

  #int(width: number, n: number): { value: number; bytes: number[] } {
    const buffer = Buffer.alloc(width);
    buffer.writeUIntBE(n, 0, width);
    return { value: n, bytes: [...buffer] };
  }
}

const REQUEST = 'agency → server';
const RESPONSE = 'server → agency';

const messageRows = tableRows('### Messages').map(([tag, type, direction, fields]) => ({
  tag: Number(tag),
  type: /^`(\w+)`$/.exec(type!)?.[1] ?? type!,
  direction: direction!,
  fields: parseFields(fields!, `message ${type}`),
}));

test('the README lists every declared message type, with its tag and direction, in tag order', t => {
  const declared = [
    ...lotteryRequestTypes.map(type => [type.tag, type.type, REQUEST] as const),
    ...lotteryResponseTypes.map(type => [type.tag, type.type, RESPONSE] as const),
  ].sort((a, b) => a[0] - b[0]);
  t.deepEqual(
    messageRows.map(row => [row.tag, row.type, row.direction]),
    declared,
  );
});

test("each message is encoded by its sender and decoded by its receiver with exactly the README's layout: u32 length, u8 tag, its fields in order", async t => {
  for (const row of messageRows) {
    const { value, bytes: fields } = new Sample().fields(row.fields);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(1 + fields.length);
    const expected = [...length, row.tag, ...fields];
    const request = row.direction === REQUEST;
    const message = { type: row.type, ...value };
    const encoded = request ? lottery.client.encode(message as LotteryRequest) : lottery.server.encode(message as LotteryResponse);
    t.deepEqual([...encoded], expected, `${row.type} encodes as the README says`);
    const receiver = request ? lottery.server : lottery.client;
    const { messages, error } = await decodeChunks<LotteryRequest | LotteryResponse>(receiver.createDecoders(), [Buffer.from(expected)]);
    t.is(error, undefined, row.type);
    t.deepEqual(messages, [message], `${row.type} decodes as the README says`);
  }
});

test('the README lists every error code by its number and name, and names the transient ones', t => {
  const declared = Object.entries(ErrorCode).filter((entry): entry is [string, number] => typeof entry[1] === 'number');
  const listed = tableRows('### Error codes').map(([code, name]) => [/^`(\w+)`$/.exec(name!)?.[1] ?? name!, Number(code)]);
  t.deepEqual(listed, declared);
  const transient = /^Codes ([\d, and]+) are transient/m.exec(readme)?.[1]?.split(/, | and /).map(Number);
  t.deepEqual(transient, [...TRANSIENT_ERRORS].sort((a, b) => a - b));
});

test("the README's header is the protocol's: \"TP0L\" and LOTTERY_VERSION", t => {
  t.true(readme.includes(`\`"TP0L" 0x${LOTTERY_VERSION.toString(16).padStart(2, '0')}\``));
});
