import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';

/**
 * Rows of a CSV file (bets.csv as the server writes it, or an agency file), streamed. Read with csv-parse, not with
 * the server's own `loadBets`, so the checks do not trust the code they check.
 */
export async function* csvRows(path: string): AsyncGenerator<string[]> {
  const input = createReadStream(path);
  const parser = parse({ relax_column_count: true });
  input.on('error', error => parser.destroy(error));
  try {
    for await (const row of input.pipe(parser)) yield row as string[];
  } finally {
    input.destroy();
  }
}
