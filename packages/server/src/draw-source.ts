import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { scanBets, type BetScan, type ScanOptions } from './storage/bet-scan.js';

/**
 * The bets file, opened for reading once at server start, so that the draw needs no new file descriptor: a server
 * out of descriptors (EMFILE) when the last agency finishes still draws. Reads are positional: any number of scans
 * may share the handle, and the writer's appends do not move anything.
 */
export class DrawSource {
  private constructor(
    private readonly file: FileHandle,
    readonly path: string,
  ) {}

  /** Opens `path` read-only, creating it empty when missing (as the writer's 'a+' does). */
  static async open(path: string): Promise<DrawSource> {
    return new DrawSource(await open(path, constants.O_RDONLY | constants.O_CREAT), path);
  }

  /** Every stored bet up to the file's size at the call: the winners and each agency's stored count. */
  scan(signal?: AbortSignal, options: Omit<ScanOptions, 'signal'> = {}): Promise<BetScan> {
    return scanBets(this.file, this.path, { ...options, signal });
  }

  close(): Promise<void> {
    return this.file.close();
  }
}
