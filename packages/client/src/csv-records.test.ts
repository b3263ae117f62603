import test from 'ava';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse/sync';
import { DecodeFailure } from '@tp0/codec';
import { random } from '@tp0/codec/testing';
import { BadRowError } from './bad-row.js';
import { CsvRecordReader } from './csv-records.js';

/** What a reader hands out: records, and CSV errors with their line and reason. */
type Item = string[] | { line: number; reason: string };

/**
 * csv-parse alone over the whole input, with the options the agency used before the split path: the records and
 * errors the reader must reproduce (an error's line is the records before it + 1, as the reader reports it).
 */
function csvParseItems(input: Buffer, skip: number): { items: Item[]; records: number } {
  const items: Item[] = [];
  let records = 0;
  parse(input, {
    bom: true,
    relax_column_count: true,
    skip_records_with_error: true,
    on_record: (record: string[]) => {
      records++;
      if (records > skip) items.push(record);
      return null;
    },
    on_skip: error => {
      items.push({ line: records + 1, reason: error!.message });
      return undefined;
    },
  });
  return { items, records };
}

/** The reader over `input`, written in chunks of the given sizes (cycled). */
async function readerItems(input: Buffer, skip: number, chunkSizes: number[]): Promise<{ items: Item[]; records: number }> {
  const chunks: Buffer[] = [];
  for (let at = 0, i = 0; at < input.length; i++) {
    const size = chunkSizes[i % chunkSizes.length]!;
    chunks.push(input.subarray(at, at + size));
    at += size;
  }
  const reader = new CsvRecordReader(skip);
  const items: Item[] = [];
  const collect = new Writable({
    objectMode: true,
    write(item: string[] | DecodeFailure, _encoding, done) {
      if (item instanceof DecodeFailure) {
        const error = item.error as BadRowError;
        items.push({ line: error.line, reason: error.reason });
      } else {
        items.push(item);
      }
      done();
    },
  });
  await pipeline(Readable.from(chunks, { objectMode: false }), reader, collect);
  return { items, records: reader.info.records };
}

/**
 * A file of mostly plain rows (accents, spaces, empty fields and lines) with, now and then, what needs CSV's rules:
 * quoted fields (with commas, doubled quotes, line breaks), stray and unclosed quotes, a lone LF in a CRLF file, a
 * CR in an LF file, lone-CR line ends; a BOM or not, a final line end or not.
 */
function generatedFile(next: () => number): Buffer {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const lineEnd = pick(['\r\n', '\n', '\r\n', '\n', '\r']);
  const plainField = () => Array.from({ length: Math.floor(next() * 6) }, () => pick(['a', 'Z', 'é', 'ñ', 'Ü', ' ', '0', '9', '-'])).join('');
  const oddField = () => pick(['"quoted, comma"', '"dou""ble"', `"line${lineEnd}break"`, '"cr\rin"', 'stray"quote', '"unclosed', '"x"y', 'a\rb', 'a\nb', '""']);
  const rows = Math.floor(next() * 40);
  const oddRate = pick([0, 0, 0.02, 0.1, 0.5]);
  let text = next() < 0.2 ? '\ufeff' : '';
  for (let r = 0; r < rows; r++) {
    if (next() < 0.05) {
      text += next() < 0.5 ? lineEnd : pick(['\r\n', '\n', '\r']);
      continue;
    }
    const fields = Array.from({ length: 1 + Math.floor(next() * 6) }, () => (next() < oddRate ? oddField() : plainField()));
    text += fields.join(',') + (r < rows - 1 || next() < 0.7 ? (next() < 0.03 ? pick(['\r\n', '\n', '\r']) : lineEnd) : '');
  }
  return Buffer.from(text, 'utf8');
}

test('the split path and csv-parse read 3,000 generated files to the same records, errors and lines, in any chunking', async t => {
  const next = random(7574);
  let handedOver = 0;
  for (let i = 0; i < 3000; i++) {
    const input = generatedFile(next);
    const skip = next() < 0.2 ? Math.floor(next() * 10) : 0;
    const chunkSizes = next() < 0.3 ? [1] : [1 + Math.floor(next() * 64), 1 + Math.floor(next() * 7), 65536];
    const expected = csvParseItems(input, skip);
    const actual = await readerItems(input, skip, chunkSizes);
    if (input.includes(0x22) || input.includes(0x0d)) handedOver++;
    t.deepEqual(actual, expected, `file ${i} (skip ${skip}, chunks ${chunkSizes.join('/')}): ${JSON.stringify(input.toString())}`);
    if (JSON.stringify(actual) !== JSON.stringify(expected)) return;
  }
  t.log(`${handedOver} of 3000 files hold a quote or a CR`);
  t.true(handedOver > 1000);
});

test('course-like rows across 64 kB chunks: the split path alone, every row once, accents intact', async t => {
  const rows = Array.from({ length: 20_000 }, (_, i) => `Belén ${i},Sánchez,${String(i).padStart(8, '0')},1999-03-17,${i % 10_000}`);
  const input = Buffer.from(`${rows.join('\r\n')}\r\n`, 'utf8');
  const { items, records } = await readerItems(input, 0, [65536]);
  t.is(records, 20_000);
  t.deepEqual(items, rows.map(row => row.split(',')));
});

test('a stray quote deep in the file: records before it come out, the error names the line from the file start', async t => {
  const plain = Array.from({ length: 5000 }, (_, i) => `Ana,Pérez,${i},1999-01-01,5`).join('\n');
  const input = Buffer.from(`${plain}\nAna,O"Brien,1,1999-01-01,5\nLuis,Gómez,5,1990-05-05,5\n`);
  const { items } = await readerItems(input, 0, [65536]);
  t.deepEqual(items, csvParseItems(input, 0).items);
  t.is(items.length, 5002);
  t.like(items[5000], { line: 5001 });
  t.regex((items[5000] as { reason: string }).reason, /at line 5001\b/);
  t.deepEqual(items[5001], ['Luis', 'Gómez', '5', '1990-05-05', '5']);
});
