import { open, type FileHandle } from 'node:fs/promises';
import type { CourseLogger } from '@tp0/common';
import type { FsyncMode } from '../config.js';
import { encodeBets, type Bet } from './bets.js';

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

/**
 * The only writer of the bets file. Appends are written one group at a time, so rows never interleave;
 * `append` resolves once its rows were handed to the OS (and, with fsync `batch`, synced to disk).
 * Batches that arrive while a write is in flight form the next group: one write and one fsync for all of them.
 */
export class BetWriter {
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly file: FileHandle,
    readonly path: string,
    private readonly fsync: FsyncMode,
    private readonly log: CourseLogger,
  ) {}

  static async open(path: string, fsync: FsyncMode, log: CourseLogger): Promise<BetWriter> {
    return new BetWriter(await open(path, 'a'), path, fsync, log);
  }

  append(bets: readonly Bet[]): Promise<void> {
    if (this.closing !== null) return Promise.reject(new WriterClosedError(this.path));
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
    try {
      while (this.queue.length > 0) {
        const group = this.queue;
        this.queue = [];
        try {
          await this.writeAll(Buffer.concat(group.map((p) => p.bytes)));
          if (this.fsync === 'batch') await this.file.datasync();
          for (const p of group) p.resolve();
        } catch (err) {
          for (const p of group) p.reject(err as Error);
        }
      }
    } finally {
      this.flushing = null;
    }
  }

  private async writeAll(bytes: Buffer): Promise<void> {
    let offset = 0;
    while (offset < bytes.length) {
      const { bytesWritten } = await this.file.write(bytes, offset, bytes.length - offset);
      offset += bytesWritten;
    }
  }
}
