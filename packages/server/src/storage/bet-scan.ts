/**
 * One pass over the bets file on bytes: counts the rows per agency and collects the winners' documents, with the
 * exact semantics of `loadBets` + `hasWon` (csv-parse's defaults with relax_column_count, then Python's `Bet(...)`
 * checks) but without decoding fields: only a winner's document, and a field the fast checks cannot decide, are
 * decoded. The equivalence is tested against the port on generated files (bet-scan.test.ts).
 *
 * It reads through an already open FileHandle with positional reads, so it needs no new file descriptor.
 */
import type { FileHandle } from 'node:fs/promises';
import { isCalendarDate } from '@tp0/protocol';
import { BetRowError, type BetRowErrorCode, invalidDateReason, invalidIntReason, LOTTERY_WINNER_NUMBER, pythonInt } from './bets.js';

export interface BetScan {
  /** Agency -> documents of its winning bets, in file order. */
  readonly winners: Map<number, string[]>;
  /** Stored bets (records) read. */
  readonly rows: number;
  /** Agency -> its stored bets, agencies in order of first appearance. */
  readonly storedPerAgency: Map<number, number>;
}

export interface ScanOptions {
  /** Stops at the next read: the scan rejects with `signal.reason`. */
  readonly signal?: AbortSignal;
  /** Bytes per read (tests use tiny ones to cut records everywhere). */
  readonly chunkBytes?: number;
  /** Bytes to scan; default: the file's size when the scan starts. */
  readonly size?: number;
}

/**
 * 256 KiB per read: ~1 ms of scanning. Each read is a round trip through libuv's thread pool, so the event loop
 * serves sockets and timers between two chunks: no other yield is needed.
 */
export const SCAN_CHUNK_BYTES = 256 * 1024;

/** The rows of `file` (the bets file at `path`, named in errors) up to its size when the scan starts. */
export async function scanBets(file: FileHandle, path: string, options: ScanOptions = {}): Promise<BetScan> {
  const { signal } = options;
  signal?.throwIfAborted();
  const size = options.size ?? (await file.stat()).size;
  const scanner = new BetRowScanner(path);
  let buf = Buffer.allocUnsafe(options.chunkBytes ?? SCAN_CHUNK_BYTES);
  let filled = 0; // bytes of an unfinished record kept at the start of buf
  let position = 0;
  for (;;) {
    if (filled === buf.length) {
      // One record longer than the buffer.
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, filled);
      buf = bigger;
    }
    const { bytesRead } = await file.read(buf, filled, Math.min(buf.length - filled, size - position), position);
    signal?.throwIfAborted();
    position += bytesRead;
    const end = filled + bytesRead;
    // A file cut shorter while scanning ends where the reads end.
    const eof = position >= size || bytesRead === 0;
    const consumed = scanner.scan(buf, end, eof);
    if (eof) break;
    buf.copyWithin(0, consumed, end);
    filled = end - consumed;
  }
  return scanner.result();
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const CR = 0x0d;
const LF = 0x0a;
const NUL = 0x00;
const DASH = 0x2d;
const ZERO = 0x30;

/** csv-parse's record delimiter: discovered at the first CR or LF outside quotes, then the only one. */
const enum RowEnd {
  Unknown,
  CrLf,
  Lf,
  Cr,
}

/** A record that goes on past the bytes read so far. */
const INCOMPLETE = -1;
/** Fields of a bet; later ones are parsed (they can break the CSV) but not kept. */
const BET_FIELDS = 6;
const AGENCY = 0;
const DOCUMENT = 3;
const BIRTHDATE = 4;
const NUMBER = 5;
/** Agencies counted in an array rather than a Map (the course's are 1-5). */
const ARRAY_AGENCIES = 4096;
/** Longest digit run whose value a double holds exactly. */
const FAST_INT_DIGITS = 15;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

class BetRowScanner {
  private rowEnd = RowEnd.Unknown;
  private rows = 0;
  private readonly winners = new Map<number, string[]>();
  private readonly storedSmall: number[] = new Array<number>(ARRAY_AGENCIES).fill(0);
  private readonly storedOther = new Map<number, number>();
  private readonly agencyOrder: number[] = [];
  // The current record's fields: raw byte range (quotes included) and whether it was quoted.
  private fields = 0;
  private readonly starts = new Int32Array(BET_FIELDS);
  private readonly ends = new Int32Array(BET_FIELDS);
  private readonly quoted = new Uint8Array(BET_FIELDS);

  constructor(private readonly path: string) {}

  result(): BetScan {
    const storedPerAgency = new Map<number, number>();
    for (const agency of this.agencyOrder) {
      const small = agency >= 0 && agency < ARRAY_AGENCIES && Number.isInteger(agency);
      storedPerAgency.set(agency, small ? this.storedSmall[agency]! : this.storedOther.get(agency)!);
    }
    return { winners: this.winners, rows: this.rows, storedPerAgency };
  }

  /** Handles every whole record in buf[0, end); returns where the first unfinished one starts (end when none). */
  scan(buf: Buffer, end: number, eof: boolean): number {
    const view = buf.subarray(0, end);
    let p = 0;
    while (p < end) {
      const next = this.record(view, p, eof);
      if (next === INCOMPLETE) return p;
      this.handleRow(view);
      p = next;
    }
    return p;
  }

  /** Splits the record at p into fields; returns where the next record starts, or INCOMPLETE. */
  private record(view: Buffer, start: number, eof: boolean): number {
    const end = view.length;
    let p = start;
    this.fields = 0;
    for (;;) {
      const field = this.fields++;
      const fieldStart = p;
      let isQuoted = 0;
      if (p < end && view[p] === QUOTE) {
        isQuoted = 1;
        // A quoted field runs to a quote followed by a comma, the record delimiter, NUL or the end of the file
        // ("" inside it is one quote). After NUL the field goes on unquoted.
        let q = p + 1;
        for (;;) {
          const close = view.indexOf(QUOTE, q);
          if (close < 0) {
            if (!eof) return INCOMPLETE;
            throw this.error('CSV_QUOTE_NOT_CLOSED', 'Quote Not Closed: the file ends inside a quoted field');
          }
          if (close + 1 >= end) {
            if (!eof) return INCOMPLETE;
            p = end;
            break;
          }
          const after = view[close + 1]!;
          if (after === QUOTE) {
            q = close + 2;
            continue;
          }
          if (after === COMMA || after === NUL) {
            p = close + 1;
            break;
          }
          const rowEnd = after === CR || after === LF ? this.rowEndAt(view, close + 1, eof) : 0;
          if (rowEnd === INCOMPLETE) return INCOMPLETE;
          if (rowEnd === 0) {
            throw this.error('CSV_INVALID_CLOSING_QUOTE', `Invalid Closing Quote: got ${JSON.stringify(String.fromCharCode(after))} after a closing quote instead of a delimiter or record delimiter`);
          }
          p = close + 1;
          break;
        }
      }
      // Unquoted bytes (or the rest of a field whose quote was closed by NUL): up to a comma or the record delimiter.
      while (p < end) {
        const b = view[p]!;
        if (b === COMMA) break;
        if (b <= QUOTE) {
          if (b === QUOTE) {
            // p > fieldStart here: a quote at the field's start was handled above.
            throw this.error('INVALID_OPENING_QUOTE', `Invalid Opening Quote: a quote is found in field ${field}, after ${JSON.stringify(this.decode(view, fieldStart, p, isQuoted))}`);
          }
          if (b === CR || b === LF) {
            const rowEnd = this.rowEndAt(view, p, eof);
            if (rowEnd === INCOMPLETE) return INCOMPLETE;
            if (rowEnd !== 0) {
              this.keepField(field, fieldStart, p, isQuoted);
              return p + rowEnd;
            }
          }
        }
        p += 1;
      }
      if (p >= end) {
        if (!eof) return INCOMPLETE;
        this.keepField(field, fieldStart, end, isQuoted);
        return end;
      }
      this.keepField(field, fieldStart, p, isQuoted);
      p += 1; // the comma
    }
  }

  /** Length of the record delimiter at view[i] (a CR or LF), 0 when it is data there, or INCOMPLETE. */
  private rowEndAt(view: Buffer, i: number, eof: boolean): number {
    const b = view[i];
    switch (this.rowEnd) {
      case RowEnd.CrLf:
        if (b !== CR) return 0;
        if (i + 1 >= view.length) return eof ? 0 : INCOMPLETE;
        return view[i + 1] === LF ? 2 : 0;
      case RowEnd.Lf:
        return b === LF ? 1 : 0;
      case RowEnd.Cr:
        return b === CR ? 1 : 0;
      case RowEnd.Unknown:
        if (b === LF) {
          this.rowEnd = RowEnd.Lf;
          return 1;
        }
        if (i + 1 >= view.length && !eof) return INCOMPLETE;
        if (view[i + 1] === LF) {
          this.rowEnd = RowEnd.CrLf;
          return 2;
        }
        this.rowEnd = RowEnd.Cr;
        return 1;
    }
  }

  private keepField(field: number, start: number, end: number, isQuoted: number): void {
    if (field >= BET_FIELDS) return;
    this.starts[field] = start;
    this.ends[field] = end;
    this.quoted[field] = isQuoted;
  }

  /** Python's Bet(...) over the record's fields, in its order: int(agency), the birthdate, int(number). */
  private handleRow(view: Buffer): void {
    this.rows += 1;
    const agency = this.integer(view, AGENCY);
    if (!this.isDate(view)) throw this.rowError('INVALID_DATE', invalidDateReason(this.text(view, BIRTHDATE)));
    const number = this.integer(view, NUMBER);
    this.count(agency);
    if (number !== LOTTERY_WINNER_NUMBER) return;
    const document = this.text(view, DOCUMENT);
    const documents = this.winners.get(agency);
    if (documents === undefined) this.winners.set(agency, [document]);
    else documents.push(document);
  }

  private count(agency: number): void {
    if (agency >= 0 && agency < ARRAY_AGENCIES && Number.isInteger(agency)) {
      if ((this.storedSmall[agency] as number)++ === 0) this.agencyOrder.push(agency);
      return;
    }
    const stored = this.storedOther.get(agency);
    if (stored === undefined) this.agencyOrder.push(agency);
    this.storedOther.set(agency, (stored ?? 0) + 1);
  }

  /** int(field): plain digits on bytes, anything else through the port's own `pythonInt`. */
  private integer(view: Buffer, field: number): number {
    if (field < this.fields && this.quoted[field] === 0) {
      const start = this.starts[field]!;
      const end = this.ends[field]!;
      if (end > start && end - start <= FAST_INT_DIGITS) {
        let value = 0;
        let i = start;
        for (; i < end; i++) {
          const digit = view[i]! - ZERO;
          if (digit < 0 || digit > 9) break;
          value = value * 10 + digit;
        }
        if (i === end) return value;
      }
    }
    const text = this.text(view, field);
    const value = pythonInt(text);
    if (Number.isNaN(value)) throw this.rowError('INVALID_INT', invalidIntReason(text));
    return value;
  }

  /** isCalendarDate on the birthdate's bytes when they are plain ASCII YYYY-MM-DD, else on its text. */
  private isDate(view: Buffer): boolean {
    if (BIRTHDATE < this.fields && this.quoted[BIRTHDATE] === 0 && this.ends[BIRTHDATE]! - this.starts[BIRTHDATE]! === 10) {
      const s = this.starts[BIRTHDATE]!;
      const year = digits(view, s, s + 4);
      const month = digits(view, s + 5, s + 7);
      const day = digits(view, s + 8, s + 10);
      if (view[s + 4] === DASH && view[s + 7] === DASH && year >= 1 && month >= 1 && month <= 12 && day >= 1) {
        const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
        if (day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!)) return true;
      }
    }
    return isCalendarDate(this.text(view, BIRTHDATE));
  }

  /** The field as csv-parse hands it over: '' when the record has fewer fields. */
  private text(view: Buffer, field: number): string {
    if (field >= this.fields) return '';
    return this.decode(view, this.starts[field]!, this.ends[field]!, this.quoted[field]!);
  }

  private decode(view: Buffer, start: number, end: number, isQuoted: number): string {
    if (isQuoted === 0) return view.toString('utf8', start, end);
    // "..." with "" for each quote, possibly followed (after a NUL) by unquoted bytes.
    const bytes: number[] = [];
    let i = start + 1;
    for (; i < end; i++) {
      const b = view[i]!;
      if (b === QUOTE) {
        // The closing quote is never followed by another.
        if (view[i + 1] !== QUOTE) break;
        i += 1;
      }
      bytes.push(b);
    }
    for (i += 1; i < end; i++) bytes.push(view[i]!);
    return Buffer.from(bytes).toString('utf8');
  }

  private error(code: BetRowErrorCode, reason: string): BetRowError {
    return new BetRowError(this.path, this.rows + 1, code, reason);
  }

  private rowError(code: BetRowErrorCode, reason: string): BetRowError {
    return new BetRowError(this.path, this.rows, code, reason);
  }
}

/** The decimal value of view[start, end), or -1 when a byte there is not an ASCII digit. */
function digits(view: Buffer, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = view[i]! - ZERO;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}
