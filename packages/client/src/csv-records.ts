import { Transform, type TransformCallback } from 'node:stream';
import { parse, type Parser } from 'csv-parse';
import { DecodeFailure } from '@tp0/codec';
import { BadRowError } from './bad-row.js';

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * CSV bytes (UTF-8) → records, a `string[]` per row (object mode), exactly as csv-parse reads them with `bom` and
 * `relax_column_count`; the first `skip` records are counted, not handed out.
 *
 * Two readers behind one stream. A line without a quote needs none of CSV's rules: its fields are the text between
 * its commas, split here with a byte search and one `toString` per line. From the first line that does need them (a
 * quote, or a line end other than the file's), csv-parse reads the rest of the file. The agencies' files hold no
 * quotes, and csv-parse's character loop was a quarter of a whole run's CPU: 5 µs a row, and 35 ms for the first
 * thousand rows while V8 warms it up, in every agency. csv-parse stays the CSV reader; this skips it where it has
 * nothing to do, and a test holds the two to the same records and errors on generated files.
 *
 * Line ends follow csv-parse's detection: the file's first CR or LF fixes them. Under CRLF a lone LF is field text
 * (the record goes on), under LF a CR is; a file whose first line break is a lone CR goes to csv-parse whole.
 * A CSV syntax error (a stray or unclosed quote) travels in band: a DecodeFailure holding a BadRowError at the line
 * where its record starts (the records before it, each a line, as `betOfRecord` checks), after the records before
 * it; reading goes on, as with csv-parse's `skip_records_with_error`.
 */
export class CsvRecordReader extends Transform {
  /** Records read, skipped ones included (the figure of csv-parse's `info` that the agency asks for). */
  readonly info = { records: 0 };
  readonly #skip: number;
  /** Bytes after the last whole line: the start of the next one. */
  #pending: Buffer | undefined;
  /** The BOM was looked for. */
  #started = false;
  #lineEnd: '\n' | '\r\n' | undefined;
  /** Lines split here, as csv-parse counts lines (its messages count from where it took over). */
  #lines = 0;
  #parser: Parser | undefined;

  constructor(skip = 0) {
    super({ readableObjectMode: true });
    this.#skip = skip;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.#parser !== undefined) return void this.#parser.write(chunk, error => done(error));
    let bytes = this.#pending === undefined ? chunk : Buffer.concat([this.#pending, chunk]);
    this.#pending = undefined;
    if (!this.#started) {
      if (bytes.length < BOM.length && BOM.subarray(0, bytes.length).equals(bytes)) {
        this.#pending = bytes; // could still be a BOM
        return done();
      }
      this.#started = true;
      if (bytes.subarray(0, BOM.length).equals(BOM)) bytes = bytes.subarray(BOM.length);
    }
    const whole = bytes.lastIndexOf(LF) + 1;
    const split = this.#splitLines(bytes, whole);
    if (split < whole) return this.#handOver(bytes.subarray(split), done);
    if (whole < bytes.length) this.#pending = bytes.subarray(whole);
    done();
  }

  override _flush(done: TransformCallback): void {
    const last = this.#pending;
    this.#pending = undefined;
    if (this.#parser === undefined) {
      if (last === undefined) return done();
      // A last line without a line end: a CR in it may end the record or be text, csv-parse decides.
      if (last.indexOf(QUOTE) === -1 && last.indexOf(CR) === -1) {
        this.#record(last, 0, last.length);
        return done();
      }
      return this.#handOver(last, error => (error ? done(error) : this.#parser!.end(() => done())));
    }
    this.#parser.end(() => done());
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#parser?.destroy();
    callback(error);
  }

  /** Hands out the plain lines of bytes[0, end) (end: after a LF); returns where the first line that is not starts. */
  #splitLines(bytes: Buffer, end: number): number {
    const quote = bytes.indexOf(QUOTE);
    const plainEnd = quote === -1 || quote > end ? end : quote;
    let start = 0;
    let lines = 0;
    while (start < end) {
      const lf = bytes.indexOf(LF, start);
      if (lf >= plainEnd) break;
      const crlf = lf > start && bytes[lf - 1] === CR;
      if (this.#lineEnd === undefined) {
        const cr = bytes.indexOf(CR, start);
        if (cr !== -1 && cr < lf && !(crlf && cr === lf - 1)) break; // a lone CR breaks the first line
        this.#lineEnd = crlf ? '\r\n' : '\n';
      } else if (this.#lineEnd === '\r\n' && !crlf) {
        break;
      }
      this.#record(bytes, start, this.#lineEnd === '\r\n' ? lf - 1 : lf);
      lines++;
      start = lf + 1;
    }
    // csv-parse's line count (for its messages): one per CR or LF byte, but one per CRLF line end.
    this.#lines += lines + countByte(bytes, CR, start) - (this.#lineEnd === '\r\n' ? lines : 0);
    return start;
  }

  #record(bytes: Buffer, start: number, end: number): void {
    this.info.records++;
    if (this.info.records > this.#skip) this.push(bytes.toString('utf8', start, end).split(','));
  }

  /** From `rest` on, csv-parse reads: its records and errors come out through this stream, in order. */
  #handOver(rest: Buffer, done: TransformCallback): void {
    const linesBefore = this.#lines;
    const parser = parse({
      relax_column_count: true,
      skip_records_with_error: true,
      ...(this.#lineEnd !== undefined && { record_delimiter: this.#lineEnd }),
      on_record: (record: string[]) => {
        this.info.records++;
        if (this.info.records > this.#skip) this.push(record);
        return null;
      },
      on_skip: error => {
        // Its messages say "at line N" counting from where it took over: from the file's start instead.
        const reason = (error?.message ?? 'csv-parse skipped a record').replace(/\bat line (\d+)/, (_, line: string) => `at line ${linesBefore + Number(line)}`);
        this.push(new DecodeFailure(new BadRowError(this.info.records + 1, reason)));
        return undefined;
      },
    });
    parser.on('error', error => this.destroy(error));
    this.#parser = parser;
    parser.write(rest, error => done(error));
  }
}

/** Occurrences of `byte` in bytes[0, end). */
function countByte(bytes: Buffer, byte: number, end: number): number {
  let count = 0;
  for (let at = bytes.indexOf(byte); at !== -1 && at < end; at = bytes.indexOf(byte, at + 1)) count++;
  return count;
}
