import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { betProblem, parseBetNumber, type BetFields } from '@tp0/common';

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

const FIELDS = 5;

/**
 * Streams the agency's bets: no header row; columns first name, last name, document, birthdate, number;
 * CRLF or LF; UTF-8. Pull-based: the file is read only as fast as the consumer asks for bets, so memory stays
 * bounded by the stream buffers whatever the file size. Throws BadRowError at the first malformed row.
 * Breaking out of the loop (or an error) closes the file.
 */
export async function* readBets(file: string): AsyncGenerator<BetFields> {
  const input = createReadStream(file);
  const parser = parse({ bom: true, encoding: 'utf8', relax_column_count: true, info: true });
  input.on('error', error => parser.destroy(error));
  input.pipe(parser);
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      yield toBet(record, info.lines);
    }
  } catch (error) {
    if (error instanceof BadRowError) throw error;
    const csv = error as Error & { code?: string; lines?: number };
    if (csv.code?.startsWith('CSV_') === true) throw new BadRowError(csv.lines ?? parser.info.lines, csv.message);
    throw error;
  } finally {
    parser.destroy();
    input.destroy();
  }
}

function toBet(record: string[], line: number): BetFields {
  if (record.length !== FIELDS) {
    throw new BadRowError(line, `expected ${FIELDS} fields (first name, last name, document, birthdate, number), got ${record.length}`);
  }
  const [firstName, lastName, document, birthdate, numberText] = record as [string, string, string, string, string];
  const number = parseBetNumber(numberText);
  if (Number.isNaN(number)) throw new BadRowError(line, `number ${JSON.stringify(numberText)} is not an integer from 0 to 9999`);
  const bet = { firstName, lastName, document, birthdate, number };
  const problem = betProblem(bet);
  if (problem !== null) throw new BadRowError(line, problem);
  return bet;
}
