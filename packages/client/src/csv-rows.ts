import { createReadStream } from 'node:fs';
import { parse, type Parser } from 'csv-parse';
import { betProblem, parseBetNumber, type BetFields } from '@tp0/common';
import { BatchBuilder, type BatchLimits } from './batches.js';

/** A row of the agency's CSV that is not a valid bet; `line` is 1-based, as an editor shows it. */
export class BadRowError extends Error {
  override readonly name = 'BadRowError';
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

/** A bad record, known by its 0-based index until its line is looked up. */
class BadRecord extends Error {
  constructor(
    readonly index: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

const FIELDS = 5;
const PARSE_OPTIONS = { bom: true, encoding: 'utf8', relax_column_count: true } as const;

/**
 * Streams the agency's bets in batches (see BatchBuilder): no header row; columns first name, last name, document,
 * birthdate, number; CRLF or LF; UTF-8. Records are taken from csv-parse synchronously while it has them and a whole
 * batch is filled per await; the stream is awaited only when its buffer is empty. Pull-based: nothing is read while
 * a batch is out (awaiting its ack) beyond the stream buffers, whatever the file size.
 * Throws BadRowError at the first malformed row. Breaking out of the loop (or an error) closes the file.
 */
export async function* readBatches(file: string, limits: BatchLimits): AsyncGenerator<BetFields[]> {
  const input = createReadStream(file);
  const parser = parse(PARSE_OPTIONS);
  let failure: unknown;
  let wake: (() => void) | undefined;
  const notify = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  input.on('error', error => parser.destroy(error));
  parser.on('error', error => {
    failure ??= error;
    notify();
  });
  parser.on('readable', notify).on('end', notify).on('close', notify);
  input.pipe(parser);
  const builder = new BatchBuilder<BetFields>(limits);
  let index = 0;
  try {
    for (;;) {
      const record = parser.read() as string[] | null;
      if (record !== null) {
        const closed = builder.add(toBet(record, index++));
        if (closed !== undefined) yield closed;
        if (builder.full) yield builder.take();
        continue;
      }
      if (failure !== undefined) throw failure;
      if (parser.readableEnded) break;
      if (parser.destroyed) throw new Error(`${file}: the CSV stream closed before its end`);
      await new Promise<void>(resolve => (wake = resolve));
    }
    if (!builder.empty) yield builder.take();
  } catch (error) {
    if (error instanceof BadRecord) throw new BadRowError(await lineOfRecord(file, error.index), error.reason);
    const csv = error as Error & { code?: string; lines?: number };
    if (csv.code?.startsWith('CSV_') === true) throw new BadRowError(csv.lines ?? parser.info.lines, csv.message);
    throw error;
  } finally {
    parser.destroy();
    input.destroy();
  }
}

/** The bets one by one (tests, small tools); the agency uses readBatches. */
export async function* readBets(file: string): AsyncGenerator<BetFields> {
  for await (const batch of readBatches(file, { maxAmount: 1, maxFrameBytes: Number.MAX_SAFE_INTEGER })) yield* batch;
}

/**
 * The line of record `index`, as csv-parse counts it (`info.lines`, so a quoted newline counts). Only called for a
 * bad row: asking csv-parse for `info` on every record costs an object per row.
 */
async function lineOfRecord(file: string, index: number): Promise<number> {
  const input = createReadStream(file);
  const parser: Parser = parse({ ...PARSE_OPTIONS, info: true, to: index + 1 });
  input.on('error', error => parser.destroy(error));
  input.pipe(parser);
  let line = 0;
  try {
    for await (const { info } of parser as AsyncIterable<{ info: { lines: number } }>) line = info.lines;
  } finally {
    parser.destroy();
    input.destroy();
  }
  return line;
}

function toBet(record: string[], index: number): BetFields {
  if (record.length !== FIELDS) {
    throw new BadRecord(index, `expected ${FIELDS} fields (first name, last name, document, birthdate, number), got ${record.length}`);
  }
  const [firstName, lastName, document, birthdate, numberText] = record as [string, string, string, string, string];
  const number = parseBetNumber(numberText);
  if (Number.isNaN(number)) throw new BadRecord(index, `number ${JSON.stringify(numberText)} is not an integer from 0 to 9999`);
  const bet = { firstName, lastName, document, birthdate, number };
  const problem = betProblem(bet);
  if (problem !== null) throw new BadRecord(index, problem);
  return bet;
}
