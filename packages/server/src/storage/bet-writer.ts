import { writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { CourseLogger } from '@tp0/common';
import type { AgencyBet } from '@tp0/protocol';
import type { FsyncMode } from '../config.js';
import { encodeBets } from './bets.js';

interface Pending {
  readonly bytes: Buffer;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

/** Appends after `close()` started. */
export class WriterClosedError extends Error {
  override readonly name = 'WriterClosedError';
  constructor(readonly path: string) {
    super(`bets file ${path} is closed`);
  }
}

/** Appends after a failed write could not be undone: the file may end in a torn row, so nothing more is written. */
export class WriterBrokenError extends Error {
  override readonly name = 'WriterBrokenError';
  constructor(
    readonly path: string,
    override readonly cause: Error,
  ) {
    super(`bets file ${path} takes no more rows: a failed write could not be undone (${cause.message})`);
  }
}

/** open() reads the file backwards in chunks of this size to find the end of its last whole row. */
const TAIL_SCAN_BYTES = 16 * 1024;
const LF = 0x0a;

/**
 * The only writer of the bets file. Appends are written one group at a time, so rows never interleave;
 * `append` resolves once its rows were handed to the OS (and, with fsync `batch`, synced to disk).
 * The batches appended in one tick form a group, and so do those that arrive while a group's fsync is in flight: one
 * write and one fsync for all of them.
 *
 * The file only ever holds whole rows: a group whose write (or sync) fails is cut off again with `truncate`, so
 * its batches are neither acked nor stored and later groups start on a row boundary; a torn tail left by a crash
 * is cut at open. If a cut itself fails, the writer refuses every later append (WriterBrokenError).
 */
export class BetWriter {
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private closing: Promise<void> | null = null;
  private broken: WriterBrokenError | null = null;

  private constructor(
    private readonly file: FileHandle,
    readonly path: string,
    private readonly fsync: FsyncMode,
    private readonly log: CourseLogger,
    /** Bytes of whole rows in the file: where a failed group is cut back to. */
    private size: number,
  ) {}

  static async open(path: string, fsync: FsyncMode, log: CourseLogger): Promise<BetWriter> {
    // 'a+': appends go to the end whatever the offset (O_APPEND), and the tail can be read to find a torn row.
    const file = await open(path, 'a+');
    try {
      const size = await cutTornTail(file, path, log);
      return new BetWriter(file, path, fsync, log, size);
    } catch (err) {
      await file.close();
      throw err;
    }
  }

  append(bets: readonly AgencyBet[]): Promise<void> {
    if (this.closing !== null) return Promise.reject(new WriterClosedError(this.path));
    if (this.broken !== null) return Promise.reject(this.broken);
    if (bets.length === 0) return Promise.resolve();
    const bytes = Buffer.from(encodeBets(bets), 'utf8');
    const done = new Promise<void>((resolve, reject) => this.queue.push({ bytes, resolve, reject }));
    this.flushing ??= this.drain();
    return done;
  }

  /** Resolves once every append queued before this call was written. */
  async flush(): Promise<void> {
    while (this.flushing !== null) await this.flushing;
  }

  /** Writes what is queued, then closes the file; later appends reject with WriterClosedError. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.flush();
      await this.file.close();
      this.log.info('close_file', 'success', { file: this.path });
    })();
    return this.closing;
  }

  private async drain(): Promise<void> {
    // From the next microtask: `flushing` is set before the loop can end (the write is synchronous), and the appends
    // of this tick join the first group.
    await null;
    try {
      while (this.queue.length > 0) {
        const group = this.queue;
        this.queue = [];
        if (this.broken !== null) {
          for (const p of group) p.reject(this.broken);
          continue;
        }
        const bytes = Buffer.concat(group.map((p) => p.bytes));
        try {
          this.writeAll(bytes);
          if (this.fsync === 'batch') await this.file.datasync();
          this.size += bytes.length;
          for (const p of group) p.resolve();
        } catch (err) {
          await this.undo(err as Error);
          for (const p of group) p.reject(err as Error);
        }
      }
    } finally {
      this.flushing = null;
    }
  }

  /** Cuts the file back to its last whole row after a failed group; if that fails too, stops taking rows. */
  private async undo(failure: Error): Promise<void> {
    try {
      await this.file.truncate(this.size);
      this.log.warning('store_bets', 'fail', { file: this.path, error: failure.message, kept_bytes: this.size });
    } catch (err) {
      this.broken = new WriterBrokenError(this.path, err as Error);
      this.log.error('store_bets', 'fail', { file: this.path, error: this.broken.message });
    }
  }

  /**
   * Synchronous on purpose: a group is a few kB into the page cache, cheaper inline than an async write's
   * thread-pool hand-offs. The event loop waits only on a disk that stalls writes to its cache; fsync `batch`,
   * which does wait for the disk, stays async.
   */
  private writeAll(bytes: Buffer): void {
    for (let offset = 0; offset < bytes.length; ) offset += writeSync(this.file.fd, bytes, offset, bytes.length - offset);
  }
}

/**
 * A crash in the middle of a write can leave a partial last row; its batch was never acked (acks follow the write).
 * Cuts the file after its last LF so the next append starts on a row boundary. Returns the size kept.
 */
async function cutTornTail(file: FileHandle, path: string, log: CourseLogger): Promise<number> {
  const { size } = await file.stat();
  let end = size;
  const chunk = Buffer.alloc(TAIL_SCAN_BYTES);
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    const { bytesRead } = await file.read(chunk, 0, end - start, start);
    const lf = chunk.subarray(0, bytesRead).lastIndexOf(LF);
    if (lf >= 0) {
      end = start + lf + 1;
      break;
    }
    end = start;
  }
  if (end < size) {
    await file.truncate(end);
    log.warning('repair_file', 'success', { file: path, dropped_bytes: size - end, kept_bytes: end });
  }
  return end;
}
