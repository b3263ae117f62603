import { createReadStream } from 'node:fs';

/**
 * Rows of a CSV file as Python's csv module writes them with QUOTE_MINIMAL (RFC 4180): fields quoted only when
 * they hold `,`, `"`, CR or LF, inner quotes doubled; rows end in CRLF or LF. Streamed: memory holds one chunk.
 * Independent of the server's and the client's parsers on purpose, so a test does not check a parser against itself.
 */
export async function* csvRows(path: string): AsyncGenerator<string[]> {
  let row: string[] = [];
  let field = '';
  let quoted = false; // inside a quoted field
  let afterQuote = false; // just read a `"` inside a quoted field: a second one is a literal quote
  let pendingRow = false; // the current row has content
  for await (const chunk of createReadStream(path, { encoding: 'utf8' })) {
    for (const ch of chunk as string) {
      if (quoted) {
        if (afterQuote) {
          afterQuote = false;
          if (ch === '"') {
            field += '"';
            continue;
          }
          quoted = false;
        } else if (ch === '"') {
          afterQuote = true;
          continue;
        } else {
          field += ch;
          continue;
        }
      }
      if (ch === '"' && field === '') {
        quoted = true;
        pendingRow = true;
      } else if (ch === ',') {
        row.push(field);
        field = '';
        pendingRow = true;
      } else if (ch === '\n') {
        if (pendingRow || field !== '') {
          row.push(field);
          yield row;
        }
        row = [];
        field = '';
        pendingRow = false;
      } else if (ch === '\r') {
        // The CR of a CRLF row end; a bare CR inside an unquoted field cannot occur in QUOTE_MINIMAL output.
      } else {
        field += ch;
        pendingRow = true;
      }
    }
  }
  if (quoted && !afterQuote) throw new Error(`${path}: unterminated quoted field at end of file`);
  if (pendingRow || field !== '') {
    row.push(field);
    yield row;
  }
}
